/**
 * npm run bench:ingest [-- --json] [--employees N] [--copies N] [--connections N] [--decode-threads N (default 1)]
 *
 * Drives the ingest service on loopback with realistic batches and prints
 * batches/s, events/s and latency percentiles, side by side in the same run
 * with a no-op node:http server that receives the same bodies (the ceiling of
 * node:http on this machine), as a ratio.
 *
 * Batches: simulated employee-days through the real capture agent (default
 * configuration), decoded and re-issued under many device ids so that every
 * upload is a new batch (no duplicates), re-compressed with brotli-5 (brotli-11
 * costs 5 ms per batch to build a corpus of thousands; the server's inflate
 * time is the same for both, 37 µs per batch measured). Requests are signed
 * before the run (the skew bound is 5 minutes) so the client does no crypto.
 *
 * Each server runs in its own child process; the client is this process, a
 * closed loop of keep-alive connections writing pre-serialized requests on raw
 * sockets (cheaper than any HTTP client, so the no-op figure is node:http's
 * ceiling, not the client's). Rows:
 *   - no-op node:http and no-op fastify: read the same bodies, answer the same
 *     bytes; the framework row is the measurement behind choosing node:http;
 *   - the service on SQLite (FULL, NORMAL) and PostgreSQL (when a URL is set), decoding in
 *     its event loop as `fleetsim serve` does by default; and SQLite FULL with decode worker
 *     threads (--decode-threads), with the event loop's busy time and all threads' CPU per
 *     request for both (server CPU is read over IPC before and after the measured run only);
 *   - open-model latency: fresh SQLite FULL services driven at fixed arrival
 *     rates (50 % and 80 % of the closed-loop rate just measured), latency
 *     measured from each request's intended send time (no coordinated omission);
 *   - where the time goes: one more SQLite FULL run under the V8 sampling
 *     profiler (in the server process, started after the warm-up), its samples
 *     attributed to stages by call stack, in µs per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCHES_PATH, BATCH_CONTENT_TYPE, DEVICE_HEADER, ENROLL_PATH, RequestSigner, SIGNATURE_HEADER, TIMESTAMP_HEADER, createRequestSigner, newDeviceKey, parseSignedHeaders } from '../src/auth/index.js';
import { createIngestServer, SqliteStore, type IngestServer } from '../src/ingest/index.js';
import { DEFAULT_AGENT_CONFIG, type Transport, type UploadOutcome, type UploadRequest } from '../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS, type DayEnvironment } from '../src/behaviour/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../src/population/index.js';
import { createCalendar } from '../src/time/index.js';
import { compress, decodeBatch, decompress, encodeBatch, type DecodedBatch } from '../src/wire/index.js';
import { runLaptopDay } from '../src/run/laptop-day.js';
import { cpuSeconds, intFlag, printTable, wantsJson } from './lib/output.js';

const FLEET_SECRET = 'bench-ingest-fleet-secret';
const SELF = fileURLToPath(import.meta.url);
const UPLOAD_LINE = { method: 'POST', target: BATCHES_PATH };
/** Simulated days are dated 2026-03-03; the bench must not fail on the service's max-age check as the calendar moves on. */
const BENCH_MAX_AGE_MS = 20 * 365 * 86_400_000;

// ── child mode: one server per process ─────────────────────────────────────

async function runChild(kind: string, storeUrl: string | undefined, decodeThreads: number): Promise<void> {
  const report = () => {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu_s: (u.user + u.system) / 1e6 })}\n`);
  };
  // CPU marks over IPC: the parent reads the server's CPU (all its threads) right before and after the measured run,
  // so start-up, module loading and the warm-up are not charged to the requests.
  process.on('message', (m: { cpu?: boolean }) => {
    if (m.cpu) {
      const u = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      process.send!({ cpu_s: (u.user + u.system) / 1e6, system_s: u.system / 1e6, loop_busy_s: elu.active / 1000 } satisfies CpuMark);
    }
  });
  const reply = Buffer.from('{"status":"stored","batch_id":"00000000000000000000000000000000","sequence":0,"stored":0,"refused_paused":0,"refused_outside_hours":0,"refused_exempt":0}');
  if (kind === 'fastify-noop') {
    const fastify = await importFastify();
    if (fastify === null) throw new Error('fastify is not installed');
    const app = fastify({ logger: false, keepAliveTimeout: 65_000, bodyLimit: 4 << 20 });
    // Reads the body as the real server must (into one Buffer), then answers the same bytes as the node:http no-op.
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post(BATCHES_PATH, (_req, res) => {
      void res.header('content-type', 'application/json').send(reply);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.stdout.write(`URL http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}\n`);
    process.once('SIGTERM', () => {
      report();
      app.server.closeAllConnections();
      void app.close().then(() => process.exit(0));
    });
    return;
  }
  if (kind === 'noop') {
    const server = http.createServer((req, res) => {
      // Reads the body as the real server must, then answers a body of the same size.
      req.on('data', () => {});
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
        res.end(reply);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`URL http://127.0.0.1:${(server.address() as net.AddressInfo).port}\n`);
    process.once('SIGTERM', () => {
      report();
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
    return;
  }
  const server = createIngestServer({
    store: storeUrl!,
    fleetSecret: FLEET_SECRET,
    decodeThreads,
    ...(kind === 'sqlite-normal' ? { sqliteSync: 'normal' as const } : {}),
    ...(storeUrl!.startsWith('postgres') ? { pgSchema: `fleetsim_bench_${randomBytes(4).toString('hex')}` } : {}),
    limits: { maxAgeMs: BENCH_MAX_AGE_MS },
  });
  const { url } = await server.start();
  // SIGUSR2: start the sampling profiler (after the warm-up); its stage totals are printed at SIGTERM.
  let profiling: Promise<() => Promise<StageProfile>> | null = null;
  process.on('SIGUSR2', () => {
    profiling ??= startStageProfile(server);
    void profiling.then(() => process.stdout.write('PROFILING\n'));
  });
  process.stdout.write(`URL ${url}\n`);
  process.once('SIGTERM', async () => {
    if (profiling) process.stdout.write(`${JSON.stringify({ profile: await (await profiling)() })}\n`);
    report();
    const store = server.store as { dropSchema?: () => Promise<void> };
    void (store.dropSchema?.() ?? Promise.resolve()).then(() => server.stop()).then(() => process.exit(0));
  });
}

// ── where the time goes: V8 samples attributed to stages ───────────────────

/** Main-thread sample time by stage (ms), idle excluded, and the store's commit time on its writer thread. */
interface StageProfile {
  readonly stages_ms: Record<string, number>;
  readonly idle_ms: number;
  readonly store_commit_s: number;
  readonly store_groups: number;
}

/** A stage is the nearest frame on the stack (from the leaf up) that one of these recognizes; the rest is HTTP and glue. */
const STAGES: readonly (readonly [string, (fn: string, url: string) => boolean])[] = [
  ['auth: signed headers + HMAC-SHA256', (f, u) => f === 'verifySignature' || f === 'authenticate' || u.endsWith('/auth/index.js')],
  ['inflate (brotli, bomb-safe)', (f) => f === 'decompress'],
  ['decode + validate the batch', (f) => f === 'decodeBatch'],
  ['policy (pause windows, exemption, capture hours)', (_f, u) => u.endsWith('/ingest/policy-state.js') || u.endsWith('/ingest/event-filter.js') || u.includes('/src/policy/')],
  ['store, main thread (queue, postMessage to the writer)', (_f, u) => u.includes('/ingest/store/')],
  ['metrics (prom-client)', (_f, u) => u.includes('/prom-client/') || u.endsWith('/ingest/metrics.js')],
  ['response (JSON, socket write)', (f) => f === 'sendJson' || f === 'sendRefusal'],
];
const HTTP_STAGE = 'HTTP: parse, route, read the body, glue';
const GC_STAGE = 'garbage collection';
const RUNTIME_STAGE = 'V8/libuv outside JS ((program))';
const STAGE_ORDER = [HTTP_STAGE, ...STAGES.map(([name]) => name), GC_STAGE, RUNTIME_STAGE];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

async function startStageProfile(server: IngestServer): Promise<() => Promise<StageProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const commit0 = await storeCommits(server);
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const commit1 = await storeCommits(server);
    session.disconnect();
    const stageOf = new Map<number, string>();
    const parent = new Map<number, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const classify = (id: number): string => {
      const leaf = byId.get(id)!.callFrame.functionName;
      if (leaf === '(idle)') return 'idle';
      if (leaf === '(garbage collector)') return GC_STAGE;
      if (leaf === '(program)') return RUNTIME_STAGE;
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const f = byId.get(x)!.callFrame;
        for (const [name, test] of STAGES) if (test(f.functionName, f.url)) return name;
      }
      return HTTP_STAGE;
    };
    const stages: Record<string, number> = Object.fromEntries(STAGE_ORDER.map((k) => [k, 0]));
    let idle = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i]!;
      let stage = stageOf.get(id);
      if (stage === undefined) stageOf.set(id, (stage = classify(id)));
      const ms = profile.timeDeltas[i]! / 1000;
      if (stage === 'idle') idle += ms;
      else stages[stage] = (stages[stage] ?? 0) + ms;
    }
    return { stages_ms: stages, idle_ms: idle, store_commit_s: commit1.seconds - commit0.seconds, store_groups: commit1.groups - commit0.groups };
  };
}

/** The store's own commit timer (the fleetsim_ingest_store_write_seconds histogram): sum and count so far. */
async function storeCommits(server: IngestServer): Promise<{ seconds: number; groups: number }> {
  const m = await server.metrics.storeWrite.get();
  const value = (suffix: string) => m.values.find((v) => v.metricName === `fleetsim_ingest_store_write_seconds_${suffix}`)?.value ?? 0;
  return { seconds: value('sum'), groups: value('count') };
}

type FastifyFactory = (opts: Record<string, unknown>) => {
  addContentTypeParser(type: string, opts: { parseAs: 'buffer' }, parser: (req: unknown, body: Buffer, done: (e: Error | null, v?: unknown) => void) => void): void;
  post(path: string, handler: (req: unknown, res: { header(k: string, v: string): { send(b: Buffer): unknown } }) => void): void;
  listen(o: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: http.Server;
};

/** fastify is a devDependency, only for the framework row; without it that row says how to add it. */
async function importFastify(): Promise<FastifyFactory | null> {
  try {
    const name = 'fastify';
    return ((await import(name)) as { default: FastifyFactory }).default;
  } catch {
    return null;
  }
}

// ── corpus ─────────────────────────────────────────────────────────────────

/** Accepts every upload and keeps the bodies. */
class RecordingTransport implements Transport {
  bodies: Uint8Array[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.bodies.push(req.body);
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength };
  }
}

interface Upload {
  readonly deviceId: string;
  readonly events: number;
  /** Compressed body. */
  readonly body: Uint8Array;
  /** Request line + headers + body, ready for the socket. */
  wire: Buffer;
}

async function buildCorpus(employees: number, copies: number): Promise<{ uploads: Upload[]; agentBatches: DecodedBatch[]; agentBodies: Uint8Array[] }> {
  const P = DEFAULT_POPULATION_PARAMS;
  const env: DayEnvironment = {
    seed: 'bench-ingest',
    calendar: createCalendar('2026-03-03', P.offices.map((o) => o.timezone)),
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    pauseTraits: P.pause,
    rules: DEFAULT_POLICY_RULES,
  };
  const agentBatches: DecodedBatch[] = [];
  const agentBodies: Uint8Array[] = [];
  for (let i = 0, n = 0; n < employees; i++) {
    const e = createEmployee('bench-ingest', i, P);
    if (isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES)) continue;
    n++;
    const transport = new RecordingTransport();
    await runLaptopDay({ employee: e, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport });
    for (const body of transport.bodies) {
      agentBodies.push(body);
      agentBatches.push(decodeBatch(decompress(DEFAULT_AGENT_CONFIG.codec, body, { maxOutputBytes: 64 << 20 })));
    }
  }
  // Round-major order: every device's batches go out in sequence order.
  const uploads: Upload[] = [];
  for (let c = 0; c < copies; c++) {
    for (const b of agentBatches) {
      const deviceId = `bench-${c}-${b.header.deviceId}`;
      const encoded = encodeBatch({ header: { ...b.header, deviceId, batchId: randomBytes(16) }, controls: b.controls, events: b.events });
      uploads.push({ deviceId, events: b.events.length, body: compress('br', encoded, 5), wire: Buffer.alloc(0) });
    }
  }
  return { uploads, agentBatches, agentBodies };
}

/** Signs with the keys enrollment handed out; a device without one (no-op servers verify nothing) signs with a random key. */
function serialize(uploads: Upload[], host: string, signedAtMs: number, keys: ReadonlyMap<string, Buffer>): void {
  const signers = new Map<string, ReturnType<typeof createRequestSigner>>();
  for (const u of uploads) {
    let sign = signers.get(u.deviceId);
    if (sign === undefined) {
      sign = createRequestSigner({ deviceId: u.deviceId, key: keys.get(u.deviceId) ?? newDeviceKey() }, () => signedAtMs);
      signers.set(u.deviceId, sign);
    }
    const h = { 'content-type': BATCH_CONTENT_TYPE, 'content-encoding': 'br', ...sign({ method: 'POST', target: BATCHES_PATH, body: u.body }) };
    let head = `POST ${BATCHES_PATH} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\ncontent-length: ${u.body.byteLength}\r\n`;
    for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
    u.wire = Buffer.concat([Buffer.from(`${head}\r\n`), u.body]);
  }
}

// ── client: pre-serialized requests over raw keep-alive sockets ────────────

/** One keep-alive connection: writes a request, parses the response head and body length, reports the status. */
class Conn {
  readonly socket: net.Socket;
  current = -1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(port: number, onResponse: (c: Conn, status: string) => void, onError: (e: Error) => void) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      for (;;) {
        const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) return void (this.pending = [buf]);
        const head = buf.toString('latin1', 0, headEnd);
        const m = /content-length: *(\d+)/i.exec(head);
        const total = headEnd + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return void (this.pending = [buf]);
        this.pending = buf.length > total ? [buf.subarray(total)] : [];
        this.pendingBytes = buf.length - total;
        onResponse(this, head.slice(9, 12));
        if (this.pendingBytes === 0) return;
      }
    });
    this.socket.on('error', onError);
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }
}

interface RunResult {
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Closed loop: from the write; open model: from the intended send time. */
  latencyMs: Float64Array;
  events: number;
}

/** Closed loop: each connection sends its next request when the previous one is answered. */
async function drive(port: number, uploads: readonly Upload[], connections: number): Promise<RunResult> {
  const latencyMs = new Float64Array(uploads.length);
  const sentAt = new Float64Array(uploads.length);
  const statuses: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  let events = 0;
  let answered = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const send = (c: Conn) => {
      if (next >= uploads.length) return void c.socket.end();
      c.current = next++;
      sentAt[c.current] = performance.now();
      c.socket.write(uploads[c.current]!.wire);
    };
    const conns = Array.from({ length: Math.min(connections, uploads.length) }, () =>
      new Conn(port, (c, status) => {
        latencyMs[c.current] = performance.now() - sentAt[c.current]!;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === '200') {
          ok++;
          events += uploads[c.current]!.events;
        }
        if (++answered === uploads.length) resolve();
        send(c);
      }, reject),
    );
    if (uploads.length === 0) resolve();
    for (const c of conns) c.socket.once('connect', () => send(c));
  });
  return { requests: uploads.length, ok, statuses, seconds: (performance.now() - t0) / 1000, latencyMs, events };
}

interface OpenRunResult extends RunResult {
  readonly targetPerSec: number;
  /** How late the client wrote each request after its intended time (the generator's own share of the latency). */
  readonly lagMs: Float64Array;
}

/**
 * Open model: request i is due at start + i / rate whatever the server does;
 * it waits for a free connection if none is, and its latency counts from when
 * it was due (so a stalled server cannot hide its backlog: no coordinated
 * omission). Bounded: exactly uploads.length requests, then the run ends.
 */
async function driveOpen(port: number, uploads: readonly Upload[], connections: number, ratePerSec: number): Promise<OpenRunResult> {
  const n = uploads.length;
  const latencyMs = new Float64Array(n);
  const lagMs = new Float64Array(n);
  const statuses: Record<string, number> = {};
  const intervalMs = 1000 / ratePerSec;
  let ok = 0;
  let events = 0;
  let answered = 0;
  let due = 0;
  let sent = 0;
  const idle: Conn[] = [];
  let timer: NodeJS.Timeout | null = null;
  let t0 = 0;
  const intended = (i: number) => t0 + i * intervalMs;
  const done = new Promise<void>((resolve, reject) => {
    const pump = () => {
      timer = null;
      const now = performance.now();
      while (due < n && intended(due) <= now) due++;
      while (sent < due && idle.length > 0) {
        const c = idle.pop()!;
        c.current = sent++;
        lagMs[c.current] = performance.now() - intended(c.current);
        c.socket.write(uploads[c.current]!.wire);
      }
      if (due < n && timer === null) timer = setTimeout(pump, Math.max(0, intended(due) - performance.now()));
    };
    const conns = Array.from({ length: connections }, () =>
      new Conn(port, (c, status) => {
        latencyMs[c.current] = performance.now() - intended(c.current);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === '200') {
          ok++;
          events += uploads[c.current]!.events;
        }
        idle.push(c);
        if (++answered === n) {
          for (const x of conns) x.socket.end();
          resolve();
        } else pump();
      }, reject),
    );
    void Promise.all(conns.map((c) => c.connected())).then(() => {
      idle.push(...conns);
      t0 = performance.now();
      pump();
    }, reject);
  });
  await done;
  if (timer !== null) clearTimeout(timer);
  return { requests: n, ok, statuses, seconds: (performance.now() - t0) / 1000, latencyMs, events, targetPerSec: ratePerSec, lagMs };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

// ── servers ────────────────────────────────────────────────────────────────

/** A server process's CPU so far: all threads, of it kernel time, and its event loop's busy time. */
interface CpuMark {
  readonly cpu_s: number;
  readonly system_s: number;
  readonly loop_busy_s: number;
}

interface Child {
  child: ChildProcess;
  port: number;
  /** Resolves when the child has printed a line matching re. */
  waitFor(re: RegExp): Promise<void>;
  cpu(): Promise<CpuMark>;
  /** SIGTERM; resolves with the child's CPU seconds and, when it was profiled, its stage profile. */
  stop(): Promise<{ cpuS: number; profile: StageProfile | null }>;
}

async function startChild(kind: string, storeUrl?: string, decodeThreads = 0): Promise<Child> {
  // FLEETSIM_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server to DIR.
  const prof = process.env.FLEETSIM_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.FLEETSIM_BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, SELF, '--child', kind, storeUrl ?? '-', String(decodeThreads)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} server: no ${re} in 20 s`)), 20_000);
      const check = () => {
        if (re.test(out)) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${kind} server exited with ${code}`));
      };
      child.stdout!.on('data', check);
      child.once('exit', onExit);
      check();
    });
  await waitFor(/URL http:\/\/[^:]+:\d+/);
  const port = Number(/URL http:\/\/[^:]+:(\d+)/.exec(out)![1]);
  return {
    child,
    port,
    waitFor,
    cpu: () =>
      new Promise<CpuMark>((resolve) => {
        child.once('message', (m: CpuMark) => resolve(m));
        child.send({ cpu: true });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          const cpu = /\{"cpu_s":([\d.]+)\}/.exec(out);
          const prof = /\{"profile":(.*)\}\n/.exec(out);
          resolve({ cpuS: cpu ? Number(cpu[1]) : NaN, profile: prof ? (JSON.parse(prof[1]!) as StageProfile) : null });
        });
        child.kill('SIGTERM');
      }),
  };
}

async function enrollAll(port: number, deviceIds: Iterable<string>): Promise<Map<string, Buffer>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const ids = [...deviceIds];
  const keys = new Map<string, Buffer>();
  await Promise.all(
    ids.map(
      (id) =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ device_id: id });
          const req = http.request({ host: '127.0.0.1', port, path: ENROLL_PATH, method: 'POST', agent, headers: { authorization: `Fleet ${FLEET_SECRET}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode !== 200) return reject(new Error(`enroll ${id}: ${res.statusCode}`));
              keys.set(id, Buffer.from((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string }).key, 'hex'));
              resolve();
            });
          });
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  agent.destroy();
  return keys;
}

interface Measured {
  name: string;
  run: RunResult;
  /** Server CPU seconds (all its threads) over the measured run only. */
  cpuS: number;
  /** Of cpuS, kernel time. */
  systemS: number;
  /** The server's event loop busy over the measured run (its HTTP thread; the rest is decode workers, the writer, GC threads). */
  loopBusyS: number;
  /** This process's CPU seconds over the measured run: the client's share of the machine. */
  clientCpuS: number;
  sorted: Float64Array;
  profile: StageProfile | null;
}

type Drive = { readonly kind: 'closed' } | { readonly kind: 'open'; readonly ratePerSec: number; readonly requests: number };

async function measure(name: string, kind: string, uploads: Upload[], warmup: number, connections: number, o: { storeUrl?: string; profile?: boolean; drive?: Drive; decodeThreads?: number } = {}): Promise<Measured> {
  const srv = await startChild(kind, o.storeUrl, o.decodeThreads ?? 0);
  const isNoop = kind.endsWith('noop');
  const keys = isNoop ? new Map<string, Buffer>() : await enrollAll(srv.port, new Set(uploads.map((u) => u.deviceId)));
  serialize(uploads, `127.0.0.1:${srv.port}`, Date.now(), keys);
  await drive(srv.port, uploads.slice(0, warmup), connections);
  if (o.profile) {
    srv.child.kill('SIGUSR2');
    await srv.waitFor(/PROFILING/);
  }
  const d = o.drive ?? { kind: 'closed' };
  const measured = uploads.slice(warmup);
  const serverCpu0 = await srv.cpu();
  const clientCpu0 = cpuSeconds();
  let run: RunResult;
  if (d.kind === 'open') run = await driveOpen(srv.port, measured.slice(0, d.requests), connections, d.ratePerSec);
  // A no-op server stores nothing, so it takes the same bodies three times over: a run long enough to be steady.
  else run = await drive(srv.port, isNoop ? [...measured, ...measured, ...measured] : measured, connections);
  const clientCpuS = cpuSeconds() - clientCpu0;
  const serverCpu1 = await srv.cpu();
  const cpuS = serverCpu1.cpu_s - serverCpu0.cpu_s;
  const systemS = serverCpu1.system_s - serverCpu0.system_s;
  const loopBusyS = serverCpu1.loop_busy_s - serverCpu0.loop_busy_s;
  if (process.env.FLEETSIM_BENCH_DEBUG) process.stderr.write(`${name}: ${JSON.stringify(run.statuses)}\n`);
  const { profile } = await srv.stop();
  const sorted = Float64Array.from(run.latencyMs).sort();
  return { name, run, cpuS, systemS, loopBusyS, clientCpuS, sorted, profile };
}

async function main(): Promise<void> {
  const employees = intFlag('employees', 16);
  const copies = intFlag('copies', 30);
  const connections = intFlag('connections', 32);
  const openSeconds = intFlag('open-seconds', 3);
  const threads = intFlag('decode-threads', 1);
  const cpu0 = cpuSeconds();
  const tBuild = performance.now();
  const { uploads, agentBatches, agentBodies } = await buildCorpus(employees, copies);
  const buildSeconds = (performance.now() - tBuild) / 1000;
  const warmup = Math.min(2000, Math.floor(uploads.length / 5));
  const totalEvents = uploads.reduce((a, u) => a + u.events, 0);
  const bodyBytes = uploads.reduce((a, u) => a + u.body.byteLength, 0);

  const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-bench-ingest-'));
  try {
    const results: Measured[] = [];
    results.push(await measure('no-op node:http (ceiling)', 'noop', uploads, warmup, connections));
    const hasFastify = (await importFastify()) !== null;
    const fastifyRow = hasFastify ? await measure('no-op fastify 5 (framework)', 'fastify-noop', uploads, warmup, connections) : null;
    if (fastifyRow) results.push(fastifyRow);
    // The service as `fleetsim serve` runs it by default (decoding in the event loop), then with decode worker threads.
    const sqlite = await measure('ingest, SQLite (synchronous=FULL)', 'sqlite', uploads, warmup, connections, { storeUrl: `sqlite:${join(tmp, 'full.db')}` });
    results.push(sqlite);
    const threadsLabel = `${threads} decode thread${threads === 1 ? '' : 's'}`;
    const sqliteThreads = await measure(`ingest, SQLite FULL, ${threadsLabel}`, 'sqlite', uploads, warmup, connections, { storeUrl: `sqlite:${join(tmp, 'threads.db')}`, decodeThreads: threads });
    results.push(sqliteThreads);
    const sqliteNormal = await measure('ingest, SQLite (synchronous=NORMAL)', 'sqlite-normal', uploads, warmup, connections, { storeUrl: `sqlite:${join(tmp, 'normal.db')}` });
    results.push(sqliteNormal);
    const pgUrl = process.env.FLEETSIM_BENCH_PG_URL ?? process.env.FLEETSIM_TEST_PG_URL;
    const pg = pgUrl ? await measure('ingest, PostgreSQL', 'postgres', uploads, warmup, connections, { storeUrl: pgUrl }) : null;
    if (pg) results.push(pg);

    const noop = results[0]!;
    const rate = (m: Measured) => m.run.ok / m.run.seconds;
    const capacity = rate(sqlite);

    // Open model on fresh SQLite FULL services: fixed arrival rates below the capacity just measured.
    const openRuns: { share: number; m: Measured }[] = [];
    for (const share of [0.5, 0.8]) {
      const ratePerSec = Math.max(1, Math.round(capacity * share));
      const requests = Math.min(uploads.length - warmup, Math.max(100, Math.round(ratePerSec * openSeconds)));
      const m = await measure(`open model at ${share * 100} % of capacity (${ratePerSec.toLocaleString('en-US')}/s)`, 'sqlite', uploads, warmup, 256, {
        storeUrl: `sqlite:${join(tmp, `open-${share}.db`)}`, drive: { kind: 'open', ratePerSec, requests },
      });
      openRuns.push({ share, m });
    }

    // Where the time goes: the same closed loop again, under the sampling profiler.
    const profiled = await measure('ingest, SQLite FULL, profiled', 'sqlite', uploads, warmup, connections, { storeUrl: `sqlite:${join(tmp, 'profiled.db')}`, profile: true });
    const prof = profiled.profile!;
    const perReq = (ms: number) => Number(((ms * 1000) / profiled.run.requests).toFixed(1));
    const stageUs: Record<string, number> = Object.fromEntries(Object.entries(prof.stages_ms).map(([k, v]) => [k, perReq(v)]));
    const busyUs = perReq(Object.values(prof.stages_ms).reduce((a, b) => a + b, 0));
    const commitUs = Number(((prof.store_commit_s * 1e6) / profiled.run.requests).toFixed(1));

    // Isolated single-thread costs on this process, same corpus.
    const stages = await stageCosts(uploads, tmp);

    const fsync = fsyncLatencyMs(tmp);
    const commitMsPerGroup = (prof.store_commit_s * 1000) / Math.max(1, prof.store_groups);
    const inflateDecodeUs = (stageUs['inflate (brotli, bomb-safe)'] ?? 0) + (stageUs['decode + validate the batch'] ?? 0);
    const cpuUs = (m: Measured) => (m.cpuS * 1e6) / m.run.requests;
    const clientUs = (m: Measured) => (m.clientCpuS * 1e6) / m.run.requests;
    // Both cores, shared by the service (all its threads) and the client, at the CPU each took per request in its run.
    const twoCoreBound = (m: Measured) => 2e6 / (cpuUs(m) + clientUs(m));
    const openFigure = (share: number) => {
      const r = openRuns.find((x) => x.share === share)!.m;
      const o = r.run as OpenRunResult;
      const lag = Float64Array.from(o.lagMs).sort();
      const tag = `${Math.round(share * 100)}pct`;
      return {
        [`open_${tag}_target_per_sec`]: Math.round(o.targetPerSec),
        [`open_${tag}_achieved_per_sec`]: Math.round(o.ok / o.seconds),
        [`open_${tag}_p50_ms`]: Number(percentile(r.sorted, 0.5).toFixed(3)),
        [`open_${tag}_p99_ms`]: Number(percentile(r.sorted, 0.99).toFixed(3)),
        [`open_${tag}_p999_ms`]: Number(percentile(r.sorted, 0.999).toFixed(3)),
        [`open_${tag}_client_lag_p99_ms`]: Number(percentile(lag, 0.99).toFixed(3)),
        [`open_${tag}_requests`]: o.requests,
        [`open_${tag}_non_200`]: o.requests - o.ok,
      };
    };
    const figures = {
      batches_per_sec: Math.round(rate(sqlite)),
      events_per_sec: Math.round(sqlite.run.events / sqlite.run.seconds),
      noop_requests_per_sec: Math.round(rate(noop)),
      ratio_to_noop: Number((rate(sqlite) / rate(noop)).toFixed(3)),
      decode_threads: threads,
      threaded_batches_per_sec: Math.round(rate(sqliteThreads)),
      decode_threads_speedup: Number((rate(sqliteThreads) / rate(sqlite)).toFixed(3)),
      p50_ms: Number(percentile(sqlite.sorted, 0.5).toFixed(3)),
      p90_ms: Number(percentile(sqlite.sorted, 0.9).toFixed(3)),
      p99_ms: Number(percentile(sqlite.sorted, 0.99).toFixed(3)),
      p999_ms: Number(percentile(sqlite.sorted, 0.999).toFixed(3)),
      noop_p99_ms: Number(percentile(noop.sorted, 0.99).toFixed(3)),
      fastify_noop_requests_per_sec: fastifyRow ? Math.round(rate(fastifyRow)) : null,
      node_http_vs_fastify: fastifyRow ? Number((rate(noop) / rate(fastifyRow)).toFixed(3)) : null,
      fastify_noop_server_cpu_us_per_request: fastifyRow ? Math.round(cpuUs(fastifyRow)) : null,
      sqlite_normal_batches_per_sec: Math.round(rate(sqliteNormal)),
      ...(pg ? { postgres_batches_per_sec: Math.round(rate(pg)), postgres_events_per_sec: Math.round(pg.run.events / pg.run.seconds), postgres_p99_ms: Number(percentile(pg.sorted, 0.99).toFixed(3)) } : {}),
      ...openFigure(0.5),
      ...openFigure(0.8),
      server_cpu_us_per_request: Math.round(cpuUs(sqlite)),
      threaded_server_cpu_us_per_request: Math.round(cpuUs(sqliteThreads)),
      noop_server_cpu_us_per_request: Math.round(cpuUs(noop)),
      client_cpu_us_per_request: Math.round(clientUs(sqlite)),
      server_kernel_cpu_us_per_request: Math.round((sqlite.systemS * 1e6) / sqlite.run.requests),
      threaded_server_kernel_cpu_us_per_request: Math.round((sqliteThreads.systemS * 1e6) / sqliteThreads.run.requests),
      event_loop_busy_us_per_request: Math.round((sqlite.loopBusyS * 1e6) / sqlite.run.requests),
      threaded_event_loop_busy_us_per_request: Math.round((sqliteThreads.loopBusyS * 1e6) / sqliteThreads.run.requests),
      noop_client_cpu_us_per_request: Math.round(clientUs(noop)),
      ratio_bound_two_cores: Number((twoCoreBound(sqlite) / rate(noop)).toFixed(3)),
      stage_us_per_request: stageUs,
      profiled_main_thread_busy_us_per_request: busyUs,
      profiled_main_thread_idle_share: Number((prof.idle_ms / (prof.idle_ms + Object.values(prof.stages_ms).reduce((a, b) => a + b, 0))).toFixed(3)),
      store_commit_us_per_request_writer_thread: commitUs,
      store_batches_per_commit: Number((profiled.run.requests / Math.max(1, prof.store_groups)).toFixed(1)),
      profiled_batches_per_sec: Math.round(rate(profiled)),
      inflate_decode_us_per_request: Number(inflateDecodeUs.toFixed(1)),
      ratio_bound_inflate_decode_one_core: Number((1e6 / inflateDecodeUs / rate(noop)).toFixed(3)),
      fsync_p50_ms: Number(fsync.p50.toFixed(2)),
      fsync_p90_ms: Number(fsync.p90.toFixed(2)),
      commit_ms_per_group: Number(commitMsPerGroup.toFixed(2)),
      ratio_bound_commit_latency: Number((connections / (commitMsPerGroup / 1000) / rate(noop)).toFixed(3)),
      seconds_per_run: Number(sqlite.run.seconds.toFixed(2)),
      ...stages,
      non_200: results.reduce((a, m) => a + (m.run.requests - m.run.ok), 0),
      requests_per_run: uploads.length - warmup,
      warmup_requests: warmup,
      connections,
      events_per_batch: Number((totalEvents / uploads.length).toFixed(1)),
      body_bytes_per_batch: Math.round(bodyBytes / uploads.length),
      agent_batches: agentBatches.length,
      agent_body_bytes_per_batch: Math.round(agentBodies.reduce((a, b) => a + b.byteLength, 0) / agentBodies.length),
      devices: new Set(uploads.map((u) => u.deviceId)).size,
      corpus_build_seconds: Number(buildSeconds.toFixed(1)),
      bench_cpu_seconds: Number((cpuSeconds() - cpu0).toFixed(1)),
    };
    if (wantsJson()) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    printTable(
      `Ingest on loopback: ${figures.requests_per_run.toLocaleString('en-US')} uploads (no-ops: the same, three times) of ${figures.events_per_batch} events (${figures.body_bytes_per_batch} B brotli) per server, ${connections} keep-alive connections, closed loop`,
      ['server', 'batches/s', 'events/s', 'vs no-op', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'server CPU µs/req', 'client CPU µs/req', 'non-200'],
      results.map((m) => [
        m.name, rate(m), m.run.events / m.run.seconds, rate(m) / rate(noop), percentile(m.sorted, 0.5), percentile(m.sorted, 0.9), percentile(m.sorted, 0.99),
        percentile(m.sorted, 0.999), cpuUs(m), clientUs(m), m.run.requests - m.run.ok,
      ]),
    );
    if (!fastifyRow) process.stdout.write('(no fastify row: fastify is not installed; npm install -D fastify@5 adds it)\n');
    printTable(
      'Open model, SQLite FULL: fixed arrival rates, latency from each request\'s intended send time (256 connections available)',
      ['arrival rate', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'client lag p99 ms', 'requests', 'non-200'],
      openRuns.map(({ share, m }) => {
        const o = m.run as OpenRunResult;
        return [`${share * 100} % of ${Math.round(capacity).toLocaleString('en-US')}/s = ${Math.round(o.targetPerSec).toLocaleString('en-US')}/s`, o.ok / o.seconds, percentile(m.sorted, 0.5), percentile(m.sorted, 0.9), percentile(m.sorted, 0.99), percentile(m.sorted, 0.999), percentile(Float64Array.from(o.lagMs).sort(), 0.99), o.requests, o.requests - o.ok];
      }),
    );
    printTable(
      `Where the time goes: the service's main thread under the V8 sampling profiler (µs per request, ${profiled.run.requests.toLocaleString('en-US')} requests at ${Math.round(rate(profiled)).toLocaleString('en-US')}/s, closed loop)`,
      ['stage', 'µs/request', 'share'],
      [
        ...STAGE_ORDER.map((k) => [k, stageUs[k] ?? 0, `${(((stageUs[k] ?? 0) / busyUs) * 100).toFixed(0)} %`]),
        ['main thread busy, all stages', busyUs, '100 %'],
        ['main thread idle (waiting for commits, for the client)', perReq(prof.idle_ms), ''],
        [`store commit on the writer thread (wall, fsync included; ${figures.store_batches_per_commit} batches per commit)`, commitUs, ''],
        ['no-op node:http server CPU per request (for scale)', figures.noop_server_cpu_us_per_request, ''],
      ],
    );
    printTable('The same stages in isolation (µs per batch, single thread, this process)', ['stage', 'µs'], [
      ['HMAC-SHA256 signature check', stages.verify_signature_us],
      ['brotli inflate (bomb-safe)', stages.decompress_us],
      ['decode batch (wire)', stages.decode_us],
      ['SQLite insert in a group transaction', stages.sqlite_insert_us],
    ]);
    process.stdout.write(
      `\nGoal: ≥ 60 % of the no-op request rate with SQLite (reached ${(figures.ratio_to_noop * 100).toFixed(0)} %), ≥ 2,000,000 events/s (reached ${figures.events_per_sec.toLocaleString('en-US')}).\n` +
        `Decode threads (--decode-threads ${threads}): ${figures.decode_threads_speedup}x the uploads/s of decoding in the event loop (${figures.threaded_batches_per_sec.toLocaleString('en-US')} vs ${figures.batches_per_sec.toLocaleString('en-US')}); ` +
        `the event loop's busy time per upload ${figures.threaded_event_loop_busy_us_per_request} vs ${figures.event_loop_busy_us_per_request} µs, CPU over all threads ${figures.threaded_server_cpu_us_per_request} vs ${figures.server_cpu_us_per_request} µs ` +
        `(kernel ${figures.threaded_server_kernel_cpu_us_per_request} vs ${figures.server_kernel_cpu_us_per_request}).\n` +
        `Bound: inflate + decode alone take ${inflateDecodeUs.toFixed(0)} µs per request; a core doing only that serves at most ` +
        `${Math.round(1e6 / inflateDecodeUs).toLocaleString('en-US')} requests/s = ${(figures.ratio_bound_inflate_decode_one_core * 100).toFixed(0)} % of the no-op rate. ` +
        `The service takes ${figures.server_cpu_us_per_request} µs of CPU per request over all its threads (the no-op ${figures.noop_server_cpu_us_per_request}), the client ${figures.client_cpu_us_per_request}: ` +
        `two cores shared by both serve at most ${Math.round(twoCoreBound(sqlite)).toLocaleString('en-US')}/s = ${(figures.ratio_bound_two_cores * 100).toFixed(0)} % of the no-op rate.\n` +
        `Disk: fsync takes ${figures.fsync_p50_ms} ms (p50; p90 ${figures.fsync_p90_ms}) here and a FULL commit ${figures.commit_ms_per_group} ms; with ${connections} connections in a closed loop at most ` +
        `${connections} batches can share a commit: ≤ ${Math.round(connections / (commitMsPerGroup / 1000)).toLocaleString('en-US')}/s = ${(figures.ratio_bound_commit_latency * 100).toFixed(0)} % of the no-op rate.\n`,
    );
    if (fastifyRow) {
      process.stdout.write(`node:http no-op vs fastify no-op on the same bodies: ${figures.node_http_vs_fastify}x the request rate (${figures.noop_server_cpu_us_per_request} vs ${figures.fastify_noop_server_cpu_us_per_request} µs server CPU per request).\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** fsync latency of 40 KB appends on the filesystem the stores use (a group commit's WAL append is of that order). */
function fsyncLatencyMs(dir: string): { p50: number; p90: number } {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(40_000, 1);
  const ms = new Float64Array(30);
  try {
    for (let i = 0; i < ms.length; i++) {
      writeSync(fd, chunk);
      const t = performance.now();
      fsyncSync(fd);
      ms[i] = performance.now() - t;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  ms.sort();
  return { p50: percentile(ms, 0.5), p90: percentile(ms, 0.9) };
}

/** Per-stage CPU cost on this thread, on the same corpus: where a request's time goes. */
async function stageCosts(uploads: readonly Upload[], tmp: string): Promise<{ verify_signature_us: number; decompress_us: number; decode_us: number; sqlite_insert_us: number }> {
  const sample = uploads.slice(0, Math.min(2000, uploads.length));
  const time = (f: () => void) => {
    f();
    const t = performance.now();
    f();
    return Number((((performance.now() - t) * 1000) / sample.length).toFixed(2));
  };
  const keys = sample.map(() => newDeviceKey());
  const signed = sample.map((u, i) => {
    const h = createRequestSigner({ deviceId: u.deviceId, key: keys[i]! }, () => 1e12)({ ...UPLOAD_LINE, body: u.body });
    const p = parseSignedHeaders(h[DEVICE_HEADER], h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], 1e12, 1);
    if ('failure' in p) throw new Error(p.message);
    return p;
  });
  const raws = sample.map((u) => decompress('br', u.body, { maxOutputBytes: 8 << 20 }));
  // The service keeps each device's signer (its HMAC states): verifying is the per-request part.
  const verifiers = keys.map((k) => new RequestSigner(k));
  const verify = time(() => sample.forEach((u, i) => verifiers[i]!.verify(signed[i]!, UPLOAD_LINE, u.body)));
  const inflate = time(() => sample.forEach((u) => decompress('br', u.body, { maxOutputBytes: 8 << 20 })));
  const decode = time(() => raws.forEach((r) => decodeBatch(r, { maxEvents: 100_000 })));
  // The store's own transaction, timed by its write observer: one group of the whole sample, as group commit does under load.
  let insertSeconds = 0;
  let round = 0;
  const store = new SqliteStore({ path: join(tmp, 'stage.db'), onWrite: (s) => (insertSeconds += s), maxGroupRows: sample.length });
  const group = () => {
    round++;
    const decoded = raws.map((r) => decodeBatch(r));
    const all = decoded.map((b, i) => store.insertBatch({
      deviceId: `stage-${round}-${i}`, sequence: 0, batchId: randomBytes(16), windowStartMs: b.header.windowStartMs, windowEndMs: b.header.windowEndMs,
      eventCount: b.events.length, refusedPaused: 0, refusedExempt: 0, receivedMs: 0, agentVersion: b.header.agentVersion, payloadCodec: 'br', payload: sample[i]!.body,
    }));
    return all;
  };
  await Promise.all(group());
  insertSeconds = 0;
  await Promise.all(group());
  await store.close();
  return {
    verify_signature_us: verify,
    decompress_us: inflate,
    decode_us: decode,
    sqlite_insert_us: Number(((insertSeconds * 1e6) / sample.length).toFixed(2)),
  };
}

// Entry, last: classes above are initialized by now. `--child KIND [STORE]` is one server per process.
const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const store = process.argv[childIndex + 2];
  await runChild(process.argv[childIndex + 1]!, store === '-' ? undefined : store, Number(process.argv[childIndex + 3] ?? 0));
}
else await main();
