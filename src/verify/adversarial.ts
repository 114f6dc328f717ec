import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants as zc, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib';
import {
  ADMIN_AUTH_SCHEME,
  BATCHES_PATH,
  BATCH_CONTENT_TYPE,
  DEVICE_HEADER,
  ENROLL_PATH,
  FLEET_AUTH_SCHEME,
  createRequestSigner,
  devicePath,
  type DeviceCredentials,
} from '../auth/index.js';
import { EventType, InputContext, allocateBlock, type EventBlock } from '../events/index.js';
import { createIngestServer } from '../ingest/index.js';
import { createStream, uniformInt, type RandomStream } from '../random/index.js';
import { compress, encodeBatch } from '../wire/index.js';

/**
 * Hostile input against a live ingest service: every class of bad
 * request a client could send, generated from a seed. The service must answer
 * each with a status of the expected kind and a JSON error code, never crash,
 * and keep its memory bounded.
 */
/** Classes that test the body or transport, not authentication: their requests carry a valid signature. */
const SIGNED_CLASSES = [
  'random-body',
  'bit-flip',
  'truncated-stream',
  'gzip-bomb',
  'brotli-bomb',
  'wrong-encoding',
  'wrong-content-type',
  'huge-header',
] as const;

export const ADVERSARIAL_CLASSES = [
  ...SIGNED_CLASSES,
  'forged-signature',
  'other-device',
  'revoked-device',
  'replay',
  'invalid-utf8-device',
  'stale-timestamp',
  'reenroll-with-fleet-secret',
  'admin-route-with-fleet-secret',
] as const;
export type AdversarialClass = (typeof ADVERSARIAL_CLASSES)[number];

export interface ClassResult {
  tried: number;
  /** Answered as expected: the right kind of status and, for refusals, a JSON code. */
  asExpected: number;
  /** Answered, but not as expected (listed in `surprises`). */
  unexpected: number;
}

export interface AdversarialResult {
  readonly cases: number;
  readonly byClass: Readonly<Record<AdversarialClass, ClassResult>>;
  /** Requests the service failed to answer (connection dropped) or answered with a 500. */
  readonly crashes: number;
  readonly surprises: readonly string[];
  /** Resident memory growth over the suite, MiB. */
  readonly rssGrowthMiB: number;
  readonly stillHealthy: boolean;
}

const FLEET_SECRET = 'adversarial-fleet-secret';
const ADMIN_SECRET = 'adversarial-admin-secret';

/** Expected statuses per class (2xx only where a hostile body can still be a valid batch). */
const EXPECTED: Readonly<Record<AdversarialClass, (status: number) => boolean>> = {
  'random-body': (s) => s >= 400 && s < 500,
  'bit-flip': (s) => (s >= 400 && s < 500) || s === 200,
  'truncated-stream': (s) => s === 400,
  'gzip-bomb': (s) => s === 413,
  'brotli-bomb': (s) => s === 413,
  'wrong-encoding': (s) => s === 400 || s === 415,
  'wrong-content-type': (s) => s === 415 || s === 400,
  'huge-header': (s) => s === 431 || s === 400,
  'forged-signature': (s) => s === 401,
  'other-device': (s) => s === 401 || s === 403,
  'revoked-device': (s) => s === 401 || s === 403,
  replay: (s) => s === 200,
  'invalid-utf8-device': (s) => s === 400 || s === 401,
  'stale-timestamp': (s) => s === 401,
  // The fleet secret (on every laptop) enrolls an id once: an enrolled device's key is never handed out again
  // (at volume, the service's enrollment throttle answers first: 429).
  'reenroll-with-fleet-secret': (s) => s === 409 || s === 429,
  // Nor does it revoke, reinstate or exempt anyone: only the admin secret does (wrong secrets are throttled: 429).
  'admin-route-with-fleet-secret': (s) => s === 401 || s === 403 || s === 429,
};

/** The codes a refusal of the class may carry, where only these are right. */
const EXPECTED_CODES: Partial<Readonly<Record<AdversarialClass, readonly string[]>>> = {
  'reenroll-with-fleet-secret': ['AUTH_ALREADY_ENROLLED', 'INGEST_RATE_LIMITED'],
};

function events(rng: RandomStream, n: number, startMs: number): EventBlock {
  const b = allocateBlock(n);
  let t = startMs;
  for (let i = 0; i < n; i++) {
    t += uniformInt(rng, 40);
    b.t_ms[i] = t;
    const key = rng.next() < 0.3;
    b.type[i] = key ? EventType.keydown : EventType.mousemove;
    if (key) b.key[i] = uniformInt(rng, 40);
    else {
      b.x[i] = uniformInt(rng, 1920);
      b.y[i] = uniformInt(rng, 1080);
    }
    b.context[i] = InputContext.text;
  }
  return b;
}

function batchBody(rng: RandomStream, deviceId: string, sequence: number, nowMs: number): Uint8Array {
  const ev = events(rng, 1 + uniformInt(rng, 400), nowMs - 120_000);
  const batchId = new Uint8Array(16);
  for (let i = 0; i < 16; i++) batchId[i] = uniformInt(rng, 256);
  const encoded = encodeBatch({
    header: {
      batchId,
      deviceId,
      sequence,
      windowStartMs: Math.floor(ev.t_ms[0]!) - 1,
      windowEndMs: Math.ceil(ev.t_ms[ev.length - 1]!) + 1,
      agentVersion: 'adversary/1',
    },
    controls: [],
    events: ev,
  });
  return compress('gzip', encoded);
}

interface Answer {
  status: number;
  code: string | null;
}

function send(url: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<Answer | null> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let code: string | null = null;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code ?? null;
          } catch {
            code = null;
          }
          resolve({ status: res.statusCode ?? 0, code });
        });
        res.on('error', () => resolve(null));
      },
    );
    req.on('error', () => resolve(null));
    req.setTimeout(20_000, () => req.destroy());
    req.end(body);
  });
}

/** Hostile requests in flight at once: enough to keep the service busy, few enough that none waits on the others. */
const IN_FLIGHT = 8;

/**
 * Runs `cases` hostile requests (round-robin over the classes) against a fresh
 * in-process service, `concurrency` at a time. Requests are built in case
 * order from the seed, so the same seed sends the same requests.
 */
export async function runAdversarialSuite(o: { cases: number; seed: string; concurrency?: number }): Promise<AdversarialResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-adversarial-'));
  const server = createIngestServer({
    store: `sqlite:${join(dir, 'store.sqlite')}`,
    fleetSecret: FLEET_SECRET,
    adminSecret: ADMIN_SECRET,
    sqliteSync: 'normal',
    limits: { rate: { perSecond: 1e9, burst: 1e9 } },
  });
  const { url } = await server.start();
  const rng = createStream(o.seed, 'adversarial');
  const devA = await server.enroll('ADV-A');
  const devB = await server.enroll('ADV-B');
  const devC = await server.enroll('ADV-C');
  await revoke(url, 'ADV-C');
  const sign = (c: DeviceCredentials, now = Date.now) => createRequestSigner(c, now);
  const base = (c: DeviceCredentials) => ({ 'content-type': BATCH_CONTENT_TYPE, 'content-encoding': 'gzip', [DEVICE_HEADER]: c.deviceId });
  const up = (body: Uint8Array) => ({ method: 'POST', target: BATCHES_PATH, body });
  // Bombs are built once, streaming a GiB of zeros through the compressor (never holding it).
  const gzipBomb = await bomb(createGzip({ level: 9 }));
  const brotliBomb = await bomb(createBrotliCompress({ params: { [zc.BROTLI_PARAM_QUALITY]: 5 } }));
  const byClass = Object.fromEntries(ADVERSARIAL_CLASSES.map((c) => [c, { tried: 0, asExpected: 0, unexpected: 0 }])) as Record<
    AdversarialClass,
    ClassResult
  >;
  const surprises: string[] = [];
  let crashes = 0;
  let seqA = 0;
  const stored: { headers: Record<string, string>; body: Uint8Array }[] = [];
  const rss0 = process.memoryUsage().rss;
  const inFlight = new Set<Promise<void>>();
  try {
    for (let i = 0; i < o.cases; i++) {
      const cls = ADVERSARIAL_CLASSES[i % ADVERSARIAL_CLASSES.length]!;
      let headers: Record<string, string>;
      let body: Uint8Array;
      let path = BATCHES_PATH;
      switch (cls) {
        case 'random-body': {
          body = new Uint8Array(uniformInt(rng, 4096));
          for (let k = 0; k < body.length; k++) body[k] = uniformInt(rng, 256);
          headers = { ...base(devA), 'content-encoding': rng.next() < 0.5 ? 'identity' : 'gzip' };
          break;
        }
        case 'bit-flip': {
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          const flips = 1 + uniformInt(rng, 8);
          for (let k = 0; k < flips; k++) {
            const at = uniformInt(rng, body.length);
            body[at] = (body[at] as number) ^ (1 << uniformInt(rng, 8));
          }
          headers = base(devA);
          break;
        }
        case 'truncated-stream': {
          const full = batchBody(rng, 'ADV-A', seqA++, Date.now());
          body = full.subarray(0, 1 + uniformInt(rng, full.length - 1));
          headers = base(devA);
          break;
        }
        case 'gzip-bomb':
          body = gzipBomb;
          headers = base(devA);
          break;
        case 'brotli-bomb':
          body = brotliBomb;
          headers = { ...base(devA), 'content-encoding': 'br' };
          break;
        case 'wrong-encoding': {
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          headers = { ...base(devA), 'content-encoding': ['br', 'deflate', 'x-unknown', 'gzip, br', ''][uniformInt(rng, 5)]! };
          break;
        }
        case 'wrong-content-type':
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          headers = { ...base(devA), 'content-type': ['application/json', 'text/plain', 'multipart/form-data'][uniformInt(rng, 3)]! };
          break;
        case 'huge-header':
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          headers = { ...base(devA), 'x-padding': 'a'.repeat(16_000 + uniformInt(rng, 64_000)) };
          break;
        case 'forged-signature': {
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          const forged = { ...devA, key: new Uint8Array(32).map(() => uniformInt(rng, 256)) };
          headers = { ...base(devA), ...sign(forged)(up(body)) };
          break;
        }
        case 'other-device': {
          // Device B's valid credentials, uploading a batch that says it is device A's.
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          headers = { ...base(devB), ...sign(devB)(up(body)) };
          break;
        }
        case 'revoked-device':
          body = batchBody(rng, 'ADV-C', 0, Date.now());
          headers = { ...base(devC), ...sign(devC)(up(body)) };
          break;
        case 'replay': {
          // One draw whatever the stored count, so the stream (and every later case) does not depend on answer timing.
          const pick = uniformInt(rng, 50);
          const prior = stored.length > 0 ? stored[pick % stored.length] : undefined;
          if (prior) {
            body = prior.body;
            headers = { ...prior.headers, ...sign(devA)(up(prior.body)) };
          } else {
            body = batchBody(rng, 'ADV-A', seqA++, Date.now());
            headers = { ...base(devA), ...sign(devA)(up(body)) };
          }
          break;
        }
        case 'invalid-utf8-device':
          // Signed as device A, then the device header replaced by bytes that are not UTF-8.
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          headers = { ...base(devA), ...sign(devA)(up(body)), [DEVICE_HEADER]: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('latin1') };
          break;
        case 'stale-timestamp': {
          body = batchBody(rng, 'ADV-A', seqA++, Date.now());
          const old = () => Date.now() - 3_600_000 * (1 + uniformInt(rng, 48));
          headers = { ...base(devA), ...sign(devA, old)(up(body)) };
          break;
        }
        case 'reenroll-with-fleet-secret': {
          path = ENROLL_PATH;
          body = Buffer.from(JSON.stringify({ device_id: ['ADV-A', 'ADV-B'][uniformInt(rng, 2)] }));
          headers = { authorization: `${FLEET_AUTH_SCHEME} ${FLEET_SECRET}`, 'content-type': 'application/json' };
          break;
        }
        case 'admin-route-with-fleet-secret': {
          path = devicePath(['ADV-A', 'ADV-B'][uniformInt(rng, 2)]!, (['revoke', 'reinstate'] as const)[uniformInt(rng, 2)]!);
          body = Buffer.from('{}');
          // The fleet secret under either scheme: neither opens an admin route.
          headers = {
            authorization: `${rng.next() < 0.5 ? ADMIN_AUTH_SCHEME : FLEET_AUTH_SCHEME} ${FLEET_SECRET}`,
            'content-type': 'application/json',
          };
          break;
        }
      }
      if ((SIGNED_CLASSES as readonly string[]).includes(cls)) {
        headers = { ...headers, ...sign(devA)(up(body)) };
      }
      const judge = (answer: Answer | null) => {
        const r = byClass[cls];
        r.tried++;
        if (answer === null || (answer.status >= 500 && answer.status !== 503)) {
          crashes++;
          r.unexpected++;
          surprises.push(`${cls}: ${answer ? `status ${answer.status} ${answer.code ?? ''}` : 'no answer'}`);
          return;
        }
        const codes = EXPECTED_CODES[cls];
        const ok =
          EXPECTED[cls](answer.status) &&
          (answer.status < 300 || answer.code !== null) &&
          (codes === undefined || codes.includes(answer.code ?? ''));
        if (ok) r.asExpected++;
        else {
          r.unexpected++;
          if (surprises.length < 50) surprises.push(`${cls}: status ${answer.status} code ${answer.code}`);
        }
        if (answer.status === 200 && cls !== 'replay' && stored.length < 50) stored.push({ headers, body });
      };
      const p: Promise<void> = send(url, path, headers, body)
        .then(judge)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= (o.concurrency ?? IN_FLIGHT)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const health = await getStatus(url, '/healthz');
    return {
      cases: o.cases,
      byClass,
      crashes,
      surprises,
      rssGrowthMiB: Math.round(((process.memoryUsage().rss - rss0) / (1 << 20)) * 10) / 10,
      stillHealthy: health === 200,
    };
  } finally {
    await server.stop({ drainTimeoutMs: 5_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function revoke(url: string, deviceId: string): Promise<void> {
  const a = await send(
    url,
    devicePath(deviceId, 'revoke'),
    { authorization: `${ADMIN_AUTH_SCHEME} ${ADMIN_SECRET}`, 'content-type': 'application/json' },
    Buffer.from('{}'),
  );
  if (!a || a.status >= 300) throw new Error(`could not revoke ${deviceId}: ${a?.status} ${a?.code}`);
}

function getStatus(url: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get(`${url}${path}`, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', () => resolve(0));
  });
}

/** 1 GiB of zeros, compressed: a few MB that would inflate to a GiB. */
async function bomb(compressor: Gzip | BrotliCompress): Promise<Buffer> {
  const zeros = Buffer.alloc(1 << 20);
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < 1024; i++) yield zeros;
    })(),
  );
  const out: Buffer[] = [];
  source.pipe(compressor);
  for await (const chunk of compressor) out.push(chunk as Buffer);
  return Buffer.concat(out);
}
