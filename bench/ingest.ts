/**
 * npm run bench:ingest [-- --json] [--employees N] [--copies N] [--connections N]
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
 * ceiling, not the client's). Latency is per request on a closed loop at
 * saturation (not an open-model arrival rate: see `fleetsim load` for that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequestSigner, deriveDeviceKey, verifySignature, parseSignedHeaders } from '../src/auth/index.js';
import { createIngestServer, SqliteStore } from '../src/ingest/index.js';
import {
  DEFAULT_AGENT_CONFIG, DEFAULT_BEHAVIOUR_PARAMS, DEFAULT_POLICY_RULES, DEFAULT_POPULATION_PARAMS, compress, createCalendar, createEmployee, decodeBatch,
  decompress, encodeBatch, isExempt, type DayEnvironment, type DecodedBatch, type Transport, type UploadOutcome, type UploadRequest,
} from '../src/index.js';
import { runLaptopDay } from '../src/run/laptop-day.js';
import { cpuSeconds, intFlag, printTable, wantsJson } from './lib/output.js';

const FLEET_SECRET = 'bench-ingest-fleet-secret';
const SELF = fileURLToPath(import.meta.url);
const CONTENT_TYPE = 'application/vnd.fleetsim.batch+protobuf';
/** Simulated days are dated 2026-03-03; the bench must not fail on the service's max-age check as the calendar moves on. */
const BENCH_MAX_AGE_MS = 20 * 365 * 86_400_000;

// ── child mode: one server per process ─────────────────────────────────────

async function runChild(kind: string, storeUrl: string | undefined): Promise<void> {
  const report = () => {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu_s: (u.user + u.system) / 1e6 })}\n`);
  };
  if (kind === 'noop') {
    const reply = Buffer.from('{"status":"stored","batch_id":"00000000000000000000000000000000","sequence":0,"stored":0,"refused_paused":0,"refused_exempt":0}');
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
    ...(kind === 'sqlite-normal' ? { sqliteSync: 'normal' as const } : {}),
    ...(storeUrl!.startsWith('postgres') ? { pgSchema: `fleetsim_bench_${randomBytes(4).toString('hex')}` } : {}),
    limits: { maxAgeMs: BENCH_MAX_AGE_MS },
  });
  const { url } = await server.start();
  process.stdout.write(`URL ${url}\n`);
  process.once('SIGTERM', () => {
    report();
    const store = server.store as { dropSchema?: () => Promise<void> };
    void (store.dropSchema?.() ?? Promise.resolve()).then(() => server.stop()).then(() => process.exit(0));
  });
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

function serialize(uploads: Upload[], host: string, signedAtMs: number): void {
  const signers = new Map<string, ReturnType<typeof createRequestSigner>>();
  for (const u of uploads) {
    let sign = signers.get(u.deviceId);
    if (sign === undefined) {
      sign = createRequestSigner({ deviceId: u.deviceId, key: deriveDeviceKey(FLEET_SECRET, u.deviceId) }, () => signedAtMs);
      signers.set(u.deviceId, sign);
    }
    const h = { 'content-type': CONTENT_TYPE, 'content-encoding': 'br', ...sign(u.body, {}) };
    let head = `POST /v1/batches HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\ncontent-length: ${u.body.byteLength}\r\n`;
    for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
    u.wire = Buffer.concat([Buffer.from(`${head}\r\n`), u.body]);
  }
}

// ── client: closed loop over raw keep-alive sockets ────────────────────────

interface RunResult {
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  seconds: number;
  latencyMs: Float64Array;
  events: number;
}

async function drive(port: number, uploads: readonly Upload[], connections: number): Promise<RunResult> {
  const latencyMs = new Float64Array(uploads.length);
  const statuses: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  let events = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(connections, uploads.length) }, () =>
      new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.setNoDelay(true);
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let current = -1;
        let sentAt = 0;
        const send = () => {
          if (next >= uploads.length) {
            socket.end();
            resolve();
            return;
          }
          current = next++;
          sentAt = performance.now();
          socket.write(uploads[current]!.wire);
        };
        socket.on('connect', send);
        socket.on('data', (chunk: Buffer) => {
          pending.push(chunk);
          pendingBytes += chunk.length;
          const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          const headEnd = buf.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buf.toString('latin1', 0, headEnd);
          const m = /content-length: *(\d+)/i.exec(head);
          const total = headEnd + 4 + (m ? Number(m[1]) : 0);
          if (buf.length < total) {
            pending = [buf];
            return;
          }
          pending = buf.length > total ? [buf.subarray(total)] : [];
          pendingBytes = buf.length - total;
          const status = head.slice(9, 12);
          latencyMs[current] = performance.now() - sentAt;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === '200') {
            ok++;
            events += uploads[current]!.events;
          }
          send();
        });
        socket.on('error', reject);
      }),
    ),
  );
  return { requests: uploads.length, ok, statuses, seconds: (performance.now() - t0) / 1000, latencyMs, events };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

// ── servers ────────────────────────────────────────────────────────────────

async function startChild(kind: string, storeUrl?: string): Promise<{ child: ChildProcess; port: number; stop: () => Promise<number> }> {
  // FLEETSIM_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server to DIR.
  const prof = process.env.FLEETSIM_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.FLEETSIM_BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, SELF, '--child', kind, ...(storeUrl ? [storeUrl] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 20_000);
    child.stdout!.on('data', () => {
      const m = /URL http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    child,
    port,
    stop: () =>
      new Promise<number>((resolve) => {
        child.once('exit', () => {
          const m = /\{"cpu_s":([\d.]+)\}/.exec(out);
          resolve(m ? Number(m[1]) : NaN);
        });
        child.kill('SIGTERM');
      }),
  };
}

async function enrollAll(port: number, deviceIds: Iterable<string>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const ids = [...deviceIds];
  await Promise.all(
    ids.map(
      (id) =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ device_id: id });
          const req = http.request({ host: '127.0.0.1', port, path: '/v1/enroll', method: 'POST', agent, headers: { authorization: `Fleet ${FLEET_SECRET}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`enroll ${id}: ${res.statusCode}`))));
          });
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  agent.destroy();
}

interface Measured {
  name: string;
  /** Requests the server answered, warm-up included (for CPU per request). */
  served: number;
  run: RunResult;
  cpuS: number;
  sorted: Float64Array;
}

async function measure(name: string, kind: string, uploads: Upload[], warmup: number, connections: number, storeUrl?: string): Promise<Measured> {
  const srv = await startChild(kind, storeUrl);
  if (kind !== 'noop') await enrollAll(srv.port, new Set(uploads.map((u) => u.deviceId)));
  serialize(uploads, `127.0.0.1:${srv.port}`, Date.now());
  await drive(srv.port, uploads.slice(0, warmup), connections);
  // The no-op server stores nothing, so it takes the same bodies three times over: a run long enough to be steady.
  const measured = uploads.slice(warmup);
  const run = await drive(srv.port, kind === 'noop' ? [...measured, ...measured, ...measured] : measured, connections);
  if (process.env.FLEETSIM_BENCH_DEBUG) process.stderr.write(`${name}: ${JSON.stringify(run.statuses)}\n`);
  const cpuS = await srv.stop();
  const sorted = Float64Array.from(run.latencyMs).sort();
  return { name, served: run.requests + warmup, run, cpuS, sorted };
}

async function main(): Promise<void> {
  const employees = intFlag('employees', 16);
  const copies = intFlag('copies', 30);
  const connections = intFlag('connections', 32);
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
    results.push(await measure('ingest, SQLite (synchronous=FULL)', 'sqlite', uploads, warmup, connections, `sqlite:${join(tmp, 'full.db')}`));
    results.push(await measure('ingest, SQLite (synchronous=NORMAL)', 'sqlite-normal', uploads, warmup, connections, `sqlite:${join(tmp, 'normal.db')}`));
    const pgUrl = process.env.FLEETSIM_BENCH_PG_URL ?? process.env.FLEETSIM_TEST_PG_URL;
    if (pgUrl) results.push(await measure('ingest, PostgreSQL', 'postgres', uploads, warmup, connections, pgUrl));

    // Stage costs, measured on this thread after the runs.
    const stages = await stageCosts(uploads, tmp);

    const noop = results[0]!;
    const sqlite = results[1]!;
    const rate = (m: Measured) => m.run.ok / m.run.seconds;
    const figures = {
      batches_per_sec: Math.round(rate(sqlite)),
      events_per_sec: Math.round(sqlite.run.events / sqlite.run.seconds),
      noop_requests_per_sec: Math.round(rate(noop)),
      ratio_to_noop: Number((rate(sqlite) / rate(noop)).toFixed(3)),
      p50_ms: Number(percentile(sqlite.sorted, 0.5).toFixed(3)),
      p90_ms: Number(percentile(sqlite.sorted, 0.9).toFixed(3)),
      p99_ms: Number(percentile(sqlite.sorted, 0.99).toFixed(3)),
      p999_ms: Number(percentile(sqlite.sorted, 0.999).toFixed(3)),
      noop_p99_ms: Number(percentile(noop.sorted, 0.99).toFixed(3)),
      sqlite_normal_batches_per_sec: Math.round(rate(results[2]!)),
      ...(results[3] ? { postgres_batches_per_sec: Math.round(rate(results[3])), postgres_events_per_sec: Math.round(results[3].run.events / results[3].run.seconds), postgres_p99_ms: Number(percentile(results[3].sorted, 0.99).toFixed(3)) } : {}),
      server_cpu_us_per_request: Math.round((sqlite.cpuS * 1e6) / sqlite.served),
      noop_server_cpu_us_per_request: Math.round((noop.cpuS * 1e6) / noop.served),
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
      `Ingest on loopback: ${figures.requests_per_run.toLocaleString('en-US')} uploads (no-op: the same, three times) of ${figures.events_per_batch} events (${figures.body_bytes_per_batch} B brotli) per server, ${connections} keep-alive connections, closed loop`,
      ['server', 'batches/s', 'events/s', 'vs no-op', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'server CPU µs/req', 'non-200'],
      results.map((m) => [
        m.name, rate(m), m.run.events / m.run.seconds, rate(m) / rate(noop), percentile(m.sorted, 0.5), percentile(m.sorted, 0.9), percentile(m.sorted, 0.99),
        percentile(m.sorted, 0.999), (m.cpuS * 1e6) / m.served, m.run.requests - m.run.ok,
      ]),
    );
    printTable('Where a request\'s server time goes (µs per batch, single thread, same corpus)', ['stage', 'µs'], [
      ['node:http request + response (no-op server CPU per request)', figures.noop_server_cpu_us_per_request],
      ['HMAC-SHA256 signature check', stages.verify_signature_us],
      ['brotli inflate (bomb-safe)', stages.decompress_us],
      ['decode batch (wire)', stages.decode_us],
      ['SQLite insert in a group transaction', stages.sqlite_insert_us],
      ['ingest server CPU per request, all in', figures.server_cpu_us_per_request],
    ]);
    process.stdout.write(`\nGoal: ≥ 60 % of the no-op request rate with SQLite (reached ${(figures.ratio_to_noop * 100).toFixed(0)} %), ≥ 2,000,000 events/s (reached ${figures.events_per_sec.toLocaleString('en-US')}).\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
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
  const keys = sample.map((u) => deriveDeviceKey(FLEET_SECRET, u.deviceId));
  const signed = sample.map((u, i) => {
    const h = createRequestSigner({ deviceId: u.deviceId, key: keys[i]! }, () => 1e12)(u.body, {});
    const p = parseSignedHeaders(h['x-fleetsim-device'], h['x-fleetsim-timestamp'], h['x-fleetsim-signature'], 1e12, 1);
    if ('failure' in p) throw new Error(p.message);
    return p;
  });
  const raws = sample.map((u) => decompress('br', u.body, { maxOutputBytes: 8 << 20 }));
  const verify = time(() => sample.forEach((u, i) => verifySignature(keys[i]!, signed[i]!, u.body)));
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
if (childIndex >= 0) await runChild(process.argv[childIndex + 1]!, process.argv[childIndex + 2]);
else await main();
