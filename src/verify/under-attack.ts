/**
 * Honest laptops under attack: a live ingest service, a few
 * honest devices uploading at an agent's catch-up pace, and one attack class
 * at a time run against them by someone who knows the devices' ids but not
 * their keys (or who holds one device's own key). Each class reports how many
 * attack requests it made, how many were answered as they must be, and the
 * share of the honest devices' uploads that were still answered 2xx.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BATCHES_PATH,
  BATCH_CONTENT_TYPE,
  DEVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  createRequestSigner,
  devicePath,
  type DeviceCredentials,
} from '../auth/index.js';
import { EventType, InputContext, allocateBlock } from '../events/index.js';
import { createIngestServer, type IngestServer } from '../ingest/index.js';
import { createStream, uniformInt, type RandomStream } from '../random/index.js';
import { compress, encodeBatch, type ControlRecord } from '../wire/index.js';

export const ATTACK_CLASSES = [
  'stalled-bodies',
  'drip-fed-bodies',
  'forged-requests-10x',
  'signature-replayed-to-other-route',
  'malformed-path-escapes',
  'pause-marker-flood',
  'connection-flood',
  'id-probing-without-key',
] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];

export interface AttackRow {
  readonly attack: AttackClass;
  /** Attack requests (or connections) made. */
  readonly cases: number;
  /** Of them, answered as they must be (refused with the right code, shed, bounded). */
  readonly asExpected: number;
  readonly honestSent: number;
  readonly honestOk: number;
}

export interface UnderAttackResult {
  readonly rows: readonly AttackRow[];
  /** 2xx share of every honest upload made while any attack ran. */
  readonly honestSuccessRate: number;
}

const FLEET_SECRET = 'under-attack-fleet-secret';
const HONEST = 4;
/** One upload every 200 ms per honest device: an agent draining its spool after an outage, at the rate limit's pace. */
const HONEST_INTERVAL_MS = 200;

export async function runUnderAttackSuite(o: { seed: string; msPerClass?: number }): Promise<UnderAttackResult> {
  const msPerClass = o.msPerClass ?? 3000;
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-under-attack-'));
  const server = createIngestServer({
    store: `sqlite:${join(dir, 'store.sqlite')}`,
    fleetSecret: FLEET_SECRET,
    sqliteSync: 'normal',
    // Smaller than the defaults so each attack fills its budget in a second, the same shape as at full size.
    limits: { maxBodyBytes: 1 << 20, maxUnverifiedBodyBytes: 8 << 20, maxConnections: 256, pauseWindows: { perDay: 96, perDevice: 500 } },
  });
  const { url } = await server.start();
  const rng = createStream(o.seed, 'under-attack');
  const rows: AttackRow[] = [];
  try {
    const honest: DeviceCredentials[] = [];
    for (let i = 0; i < HONEST; i++) honest.push(await server.enroll(`HONEST-${i}`));
    const mallory = await server.enroll('MALLORY');
    const seqs = new Map<string, number>();
    const nextSeq = (d: string) => {
      const s = seqs.get(d) ?? 0;
      seqs.set(d, s + 1);
      return s;
    };
    for (const attack of ATTACK_CLASSES) {
      const stopAttack = startAttack(attack, { url, server, rng, honest, mallory, nextSeq });
      const honestRuns = honest.map((d) => honestLoop(url, d, rng, nextSeq, msPerClass));
      const results = await Promise.all(honestRuns);
      const a = await stopAttack();
      rows.push({
        attack,
        cases: a.cases,
        asExpected: a.asExpected,
        honestSent: results.reduce((s, r) => s + r.sent, 0),
        honestOk: results.reduce((s, r) => s + r.ok, 0),
      });
    }
  } finally {
    await server.stop({ drainTimeoutMs: 2_000 });
    rmSync(dir, { recursive: true, force: true });
  }
  const sent = rows.reduce((s, r) => s + r.honestSent, 0);
  const ok = rows.reduce((s, r) => s + r.honestOk, 0);
  return { rows, honestSuccessRate: sent === 0 ? 0 : ok / sent };
}

interface AttackContext {
  readonly url: string;
  readonly server: IngestServer;
  readonly rng: RandomStream;
  readonly honest: readonly DeviceCredentials[];
  readonly mallory: DeviceCredentials;
  readonly nextSeq: (deviceId: string) => number;
}

type Stop = () => Promise<{ cases: number; asExpected: number }>;

function startAttack(attack: AttackClass, c: AttackContext): Stop {
  const u = new URL(c.url);
  const port = Number(u.port);
  let cases = 0;
  let asExpected = 0;
  let stopped = false;
  const sockets = new Set<net.Socket>();
  const timers: NodeJS.Timeout[] = [];
  const pending: Promise<unknown>[] = [];
  const victim = () => c.honest[uniformInt(c.rng, c.honest.length)]!;
  const forgedHead = (deviceId: string, length: number) =>
    `POST ${BATCHES_PATH} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: ${BATCH_CONTENT_TYPE}\r\ncontent-encoding: gzip\r\ncontent-length: ${length}\r\n` +
    `${DEVICE_HEADER}: ${deviceId}\r\n${TIMESTAMP_HEADER}: ${Date.now()}\r\n${SIGNATURE_HEADER}: ${'ab'.repeat(32)}\r\n\r\n`;
  const connection = (onOpen: (s: net.Socket) => void, onAnswer: (text: string) => void): void => {
    if (stopped) return;
    cases++;
    const s = net.connect(port, u.hostname, () => onOpen(s));
    sockets.add(s);
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      onAnswer(text);
      if (!stopped) timers.push(setTimeout(() => connection(onOpen, onAnswer), 20));
    });
  };
  // A connection attack is answered as it must be when nothing it sent was taken (shed, timed out, refused, or still held unverified at the end).
  const neverAccepted = (text: string): void => void (!/^HTTP\/1\.1 2/.test(text) && asExpected++);
  const every = (ms: number, f: () => void) => timers.push(setInterval(() => !stopped && f(), ms));
  const track = (p: Promise<boolean>) => {
    cases++;
    pending.push(p.then((ok) => ok && asExpected++));
  };

  switch (attack) {
    case 'stalled-bodies': {
      // Bodies sent to one byte short of the largest Content-Length, then held: shed (503) or timed out, never an honest upload.
      const size = 1 << 20;
      const body = Buffer.alloc(size - 1, 7);
      for (let i = 0; i < 16; i++)
        connection((s) => s.write(Buffer.concat([Buffer.from(forgedHead(victim().deviceId, size)), body])), neverAccepted);
      break;
    }
    case 'drip-fed-bodies':
      for (let i = 0; i < 32; i++) {
        connection((s) => {
          s.write(forgedHead(victim().deviceId, 1 << 20));
          const t = setInterval(() => (s.writable ? s.write('x') : clearInterval(t)), 100);
          s.once('close', () => clearInterval(t));
        }, neverAccepted);
      }
      break;
    case 'forged-requests-10x': {
      // Ten times the honest devices' rate, complete uploads for their ids, signed with a wrong key.
      every(HONEST_INTERVAL_MS / 10, () => {
        for (const d of c.honest) {
          const forged = { deviceId: d.deviceId, key: Buffer.alloc(32, uniformInt(c.rng, 256)) };
          track(
            upload(c.url, forged, batchBody(c.rng, d.deviceId, 1_000_000 + c.nextSeq(`forged-${d.deviceId}`), [])).then(
              (a) => a?.code === 'AUTH_BAD_SIGNATURE',
            ),
          );
        }
      });
      break;
    }
    case 'signature-replayed-to-other-route': {
      // Mallory's own signed requests (a pause, a policy read) replayed to resume: what a captured request of a laptop would allow.
      every(50, () => {
        const sign = createRequestSigner(c.mallory);
        const pausePath = devicePath(c.mallory.deviceId, 'pause');
        const body = Buffer.from(JSON.stringify({ wanted_ms: 60_000 }));
        const headers = { 'content-type': 'application/json', ...sign({ method: 'POST', target: pausePath, body }) };
        track(
          request(c.url, 'POST', devicePath(c.mallory.deviceId, 'resume'), headers, body).then((a) => a?.code === 'AUTH_BAD_SIGNATURE'),
        );
        const get = sign({ method: 'GET', target: devicePath(c.mallory.deviceId, 'policy'), body: Buffer.alloc(0) });
        track(
          request(c.url, 'POST', devicePath(c.mallory.deviceId, 'resume'), get, Buffer.alloc(0)).then(
            (a) => a?.code === 'AUTH_BAD_SIGNATURE',
          ),
        );
      });
      break;
    }
    case 'malformed-path-escapes':
      every(10, () => {
        const path = ['/v1/devices/%E0%A4%A/policy', '/v1/devices/%/revoke', '/v1/devices/%C3%28/gaps', '/v1/devices/%ZZ/pause'][
          uniformInt(c.rng, 4)
        ]!;
        track(request(c.url, 'GET', path, {}, Buffer.alloc(0)).then((a) => a?.status === 400 && a.code === 'INGEST_BAD_PATH'));
      });
      break;
    case 'pause-marker-flood': {
      // A device with its own key declares a pause per control record; the service keeps at most its per-device bound.
      every(20, () => {
        const at = Date.now() - 3_600_000 + uniformInt(c.rng, 3_000_000);
        const controls: ControlRecord[] = Array.from({ length: 50 }, (_, k) => ({
          kind: 'pause',
          atMs: at + k * 10,
          untilMs: at + k * 10 + 5,
        }));
        track(
          upload(c.url, c.mallory, batchBody(c.rng, c.mallory.deviceId, c.nextSeq(c.mallory.deviceId), controls)).then(
            (a) => a !== null && a.status < 500,
          ),
        );
      });
      break;
    }
    case 'connection-flood':
      // More idle connections than the cap: the oldest idle ones make room for honest requests.
      for (let i = 0; i < 400; i++) connection(() => {}, neverAccepted);
      break;
    case 'id-probing-without-key': {
      // Unknown, enrolled and revoked ids, no key: every answer must read the same.
      every(20, () => {
        const id = [c.honest[0]!.deviceId, `NOBODY-${uniformInt(c.rng, 1e6)}`, 'MALLORY'][uniformInt(c.rng, 3)]!;
        track(
          upload(c.url, { deviceId: id, key: Buffer.alloc(32, 1) }, batchBody(c.rng, id, 0, [])).then(
            (a) => a?.status === 401 && a.code === 'AUTH_BAD_SIGNATURE',
          ),
        );
      });
      break;
    }
  }
  return async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    const closed = [...sockets].map((s) => new Promise((r) => (s.destroyed && s.closed ? r(null) : s.once('close', r))));
    for (const s of sockets) s.destroy();
    await Promise.all([...pending, ...closed]);
    // The pause-marker flood is as expected when the device's windows stayed within the bound.
    if (attack === 'pause-marker-flood' && c.server.limits.pauseWindows.perDevice < (await policyWindows(c.url, c.mallory))) asExpected = 0;
    return { cases, asExpected };
  };
}

async function honestLoop(
  url: string,
  d: DeviceCredentials,
  rng: RandomStream,
  nextSeq: (id: string) => number,
  ms: number,
): Promise<{ sent: number; ok: number }> {
  const end = performance.now() + ms;
  let sent = 0;
  let ok = 0;
  while (performance.now() < end) {
    const t = performance.now();
    const a = await upload(url, d, batchBody(rng, d.deviceId, nextSeq(d.deviceId), []));
    sent++;
    if (a !== null && a.status >= 200 && a.status < 300) ok++;
    await new Promise((r) => setTimeout(r, Math.max(0, HONEST_INTERVAL_MS - (performance.now() - t))));
  }
  return { sent, ok };
}

async function policyWindows(url: string, d: DeviceCredentials): Promise<number> {
  const path = devicePath(d.deviceId, 'policy');
  const headers = createRequestSigner(d)({ method: 'GET', target: path, body: Buffer.alloc(0) });
  const a = await request(url, 'GET', path, headers, Buffer.alloc(0));
  return Array.isArray(a?.json?.pauses) ? (a.json.pauses as unknown[]).length : Infinity;
}

function batchBody(rng: RandomStream, deviceId: string, sequence: number, controls: ControlRecord[]): Uint8Array {
  const n = 50;
  const ev = allocateBlock(n);
  let t = Date.now() - 120_000;
  for (let i = 0; i < n; i++) {
    t += 1 + uniformInt(rng, 40);
    ev.t_ms[i] = t;
    ev.type[i] = EventType.mousemove;
    ev.x[i] = uniformInt(rng, 1920);
    ev.y[i] = uniformInt(rng, 1080);
    ev.context[i] = InputContext.text;
  }
  const batchId = new Uint8Array(16);
  for (let i = 0; i < 16; i++) batchId[i] = uniformInt(rng, 256);
  const start = Math.min(Math.floor(ev.t_ms[0]!) - 1, ...controls.map((x) => x.atMs));
  const encoded = encodeBatch({
    header: { batchId, deviceId, sequence, windowStartMs: start, windowEndMs: Math.ceil(t) + 1, agentVersion: 'under-attack/1' },
    controls,
    events: ev,
  });
  return compress('gzip', encoded);
}

interface Answer {
  readonly status: number;
  readonly code: string | null;
  readonly json: Record<string, unknown> | null;
}

function upload(url: string, d: DeviceCredentials, body: Uint8Array): Promise<Answer | null> {
  const headers = {
    'content-type': BATCH_CONTENT_TYPE,
    'content-encoding': 'gzip',
    ...createRequestSigner(d)({ method: 'POST', target: BATCHES_PATH, body }),
  };
  return request(url, 'POST', BATCHES_PATH, headers, body);
}

function request(url: string, method: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<Answer | null> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}${path}`,
      { method, agent: false, headers: { ...headers, 'content-length': String(body.byteLength) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: Record<string, unknown> | null = null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, code: typeof json?.code === 'string' ? json.code : null, json });
        });
        res.on('error', () => resolve(null));
      },
    );
    req.on('error', () => resolve(null));
    req.setTimeout(20_000, () => req.destroy());
    req.end(body);
  });
}
