import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCHES_PATH, BATCH_CONTENT_TYPE, createRequestSigner, type DeviceCredentials } from '../../src/auth/index.js';

export { BATCH_CONTENT_TYPE };
import { EventType, allocateBlock, type EventBlock } from '../../src/events/index.js';
import { createIngestServer, type IngestServer, type IngestServerOptions } from '../../src/ingest/index.js';
import { compress, encodeBatch, type Codec, type ControlRecord } from '../../src/wire/index.js';
import type { WireFormat } from '../../src/wire/fields.js';
import { CLI } from '../helpers/cli.js';

export const FLEET_SECRET = 'test-fleet-secret-0123456789';
export const ADMIN_SECRET = 'test-admin-secret-0123456789';
/** The header of an admin request (revoke, reinstate, exemption, gaps). */
export const ADMIN_AUTH = { authorization: `Admin ${ADMIN_SECRET}` } as const;
/** A fixed "now" for in-process servers: 2026-03-03T12:00Z, the day the simulated batches cover. */
export const T0 = Date.UTC(2026, 2, 3, 12, 0, 0);

export function tempDir(prefix = 'fleetsim-ingest-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A server on loopback port 0 with a SQLite file in a temp dir (or the given store), and a movable clock. */
export async function startServer(
  opts: Partial<IngestServerOptions> = {},
): Promise<{ server: IngestServer; url: string; clock: { now: number }; stop: () => Promise<void> }> {
  const tmp = tempDir();
  const clock = { now: T0 };
  const server = createIngestServer({
    store: `sqlite:${join(tmp.dir, 'ingest.db')}`,
    fleetSecret: FLEET_SECRET,
    adminSecret: ADMIN_SECRET,
    now: () => clock.now,
    ...opts,
  });
  const { url } = await server.start();
  return {
    server,
    url,
    clock,
    stop: async () => {
      await server.stop();
      tmp.cleanup();
    },
  };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export function request(
  url: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: Uint8Array | string },
): Promise<HttpResult> {
  const u = new URL(url);
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: o.path,
        method: o.method ?? 'POST',
        headers: { ...(body && !o.headers?.['transfer-encoding'] ? { 'content-length': String(body.byteLength) } : {}), ...o.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* not JSON (metrics) */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('test request timed out')));
    req.end(body);
  });
}

export async function enroll(url: string, deviceId: string): Promise<DeviceCredentials> {
  const r = await request(url, {
    path: '/v1/enroll',
    headers: { authorization: `Fleet ${FLEET_SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ device_id: deviceId }),
  });
  if (r.status !== 200) throw new Error(`enroll ${deviceId}: ${r.status} ${r.body}`);
  return { deviceId: r.json.device_id as string, key: Buffer.from(r.json.key as string, 'hex') };
}

/** n events from startMs: key presses and mouse moves, one every 10 ms. */
export function makeEvents(n: number, startMs: number): EventBlock {
  const b: EventBlock = allocateBlock(n);
  for (let i = 0; i < n; i++) {
    b.t_ms[i] = startMs + i * 10;
    const k = i % 4;
    b.type[i] = k === 0 ? EventType.keydown : k === 1 ? EventType.keyup : EventType.mousemove;
    if (k < 2) b.key[i] = 30 + (i % 20);
    else {
      b.x[i] = 100 + i;
      b.y[i] = 200 + (i % 50);
    }
    b.context[i] = 1;
  }
  return b;
}

export interface BatchSpec {
  deviceId: string;
  sequence: number;
  events?: number;
  startMs?: number;
  batchId?: Uint8Array;
  controls?: ControlRecord[];
  codec?: Codec;
  /** Wire format (absent: what the agent sends now); 1 is what older agents send. */
  format?: WireFormat;
}

export function makeBatch(s: BatchSpec): { encoded: Uint8Array; body: Uint8Array; batchId: Uint8Array; events: number; codec: Codec } {
  const startMs = s.startMs ?? T0 - 3_600_000 + s.sequence * 60_000;
  const n = s.events ?? 200;
  const events = makeEvents(n, startMs);
  const batchId = s.batchId ?? randomBytes(16);
  const endMs = Math.max(startMs + n * 10, ...(s.controls ?? []).map((c) => c.atMs));
  const encoded = encodeBatch(
    {
      header: { batchId, deviceId: s.deviceId, sequence: s.sequence, windowStartMs: startMs, windowEndMs: endMs, agentVersion: 'test/1' },
      controls: s.controls ?? [],
      events,
    },
    {},
    s.format,
  );
  const codec = s.codec ?? 'gzip';
  return { encoded, body: compress(codec, encoded), batchId, events: n, codec };
}

/** Headers of a signed upload, signed at the given time. */
export function uploadHeaders(creds: DeviceCredentials, body: Uint8Array, atMs: number, codec: Codec = 'gzip'): Record<string, string> {
  return {
    'content-type': BATCH_CONTENT_TYPE,
    'content-encoding': codec,
    ...createRequestSigner(creds, () => atMs)({ method: 'POST', target: BATCHES_PATH, body }),
  };
}

export function upload(
  url: string,
  creds: DeviceCredentials,
  body: Uint8Array,
  atMs: number,
  codec: Codec = 'gzip',
  extra: Record<string, string> = {},
): Promise<HttpResult> {
  return request(url, { path: '/v1/batches', headers: { ...uploadHeaders(creds, body, atMs, codec), ...extra }, body });
}

/** `fleetsim serve` as a child process; resolves with its URL once it listens. */
export function spawnServe(args: readonly string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--fleet-secret', FLEET_SECRET, '--admin-secret', ADMIN_SECRET, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleetsim serve did not start in 15 s:\n${out}`));
    }, 15_000);
    const onData = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fleetsim serve exited with ${code}:\n${out}`));
    });
  });
}
