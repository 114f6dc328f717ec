/**
 * A bench server, one per child process (`node dist/bench/ingest.js --child
 * KIND STORE THREADS`): the ingest service on a store, or a no-op node:http or
 * fastify server answering the same bytes. It prints `URL …` once listening,
 * answers CPU marks over IPC ({cpu: true}), starts the stage profiler on
 * SIGUSR2 and prints its totals and CPU on SIGTERM before it exits.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { BATCHES_PATH } from '../../src/auth/index.js';
import { createIngestServer } from '../../src/ingest/index.js';
import { parseStat, type ProcStat } from '../../src/observe/proc-parse.js';
import { DEFAULT_CLOCK_TICKS_PER_SECOND } from '../../src/observe/tree-account.js';
import { FLEET_SECRET } from './ingest-corpus.js';
import type { CpuMark } from './service-launcher.js';
import { startStageProfile, type StageProfile } from './stage-profile.js';

/** Simulated days are dated 2026-03-03; the bench must not fail on the service's max-age check as the calendar moves on. */
const BENCH_MAX_AGE_MS = 20 * 365 * 86_400_000;
const BENCH_RATE_LIMIT = { perSecond: 1e6, burst: 1e6 };

export async function runChild(kind: string, storeUrl: string | undefined, decodeThreads: number): Promise<void> {
  // Threads that exist before the server starts are the main thread and V8's platform workers (GC and compiler
  // helpers); the ones started later are the server's (the SQLite writer, decode workers) and libuv's pool.
  const startTids = new Set(threadTimes().keys());
  const gc = { major: 0, minor: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const k = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (k === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      else if (k === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      gc.ms += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
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
      // One read of /proc/self/task per mark: the main thread's figure is the split's.
      const threads = threadSplit(startTids);
      process.send!({
        cpu_s: (u.user + u.system) / 1e6,
        system_s: u.system / 1e6,
        loop_busy_s: elu.active / 1000,
        main_thread_s: threads?.main_s ?? null,
        threads,
        gc: { ...gc },
        disk_written_bytes: diskWrittenBytes(),
      } satisfies CpuMark);
    }
  });
  const reply = Buffer.from(
    '{"status":"stored","batch_id":"00000000000000000000000000000000","sequence":0,"stored":0,"refused_paused":0,"refused_outside_hours":0,"refused_exempt":0}',
  );
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
    // A device's day of uploads arrives within seconds here (a fleet's spans hours): the per-device rate limit still
    // runs on every upload, it only never refuses one.
    limits: { maxAgeMs: BENCH_MAX_AGE_MS, rate: BENCH_RATE_LIMIT },
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

type FastifyFactory = (opts: Record<string, unknown>) => {
  addContentTypeParser(
    type: string,
    opts: { parseAs: 'buffer' },
    parser: (req: unknown, body: Buffer, done: (e: Error | null, v?: unknown) => void) => void,
  ): void;
  post(path: string, handler: (req: unknown, res: { header(k: string, v: string): { send(b: Buffer): unknown } }) => void): void;
  listen(o: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  server: http.Server;
};

/** fastify is a devDependency, only for the framework row; without it that row says how to add it. */
export async function importFastify(): Promise<FastifyFactory | null> {
  try {
    const name = 'fastify';
    return ((await import(name)) as { default: FastifyFactory }).default;
  } catch {
    return null;
  }
}

/** CPU seconds by thread id, from /proc/self/task (empty off Linux). */
function threadTimes(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = taskCpuSeconds(`/proc/self/task/${tid}/stat`);
    if (s !== null) out.set(Number(tid), s);
  }
  return out;
}

/** The process's CPU by kind of thread (see runChild); null off Linux. */
function threadSplit(startTids: ReadonlySet<number>): CpuMark['threads'] {
  const times = threadTimes();
  if (times.size === 0) return null;
  let startup = 0;
  let later = 0;
  for (const [tid, s] of times) {
    if (tid === process.pid) continue;
    if (startTids.has(tid)) startup += s;
    else later += s;
  }
  // Threads that ended are in neither: the process total minus these is left to the caller.
  return { main_s: times.get(process.pid) ?? 0, v8_helpers_s: startup, service_threads_s: later };
}

/**
 * Bytes this process has sent to storage (write_bytes of /proc/self/io: the page-cache pages it dirtied, so a
 * socket's bytes are not in it); null off Linux or without the kernel's I/O accounting.
 */
function diskWrittenBytes(): number | null {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'latin1'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** utime + stime of a /proc stat file, in seconds; null if it cannot be read. */
function taskCpuSeconds(path: string): number | null {
  let stat: ProcStat | null;
  try {
    stat = parseStat(readFileSync(path, 'latin1'));
  } catch {
    return null;
  }
  return stat === null ? null : (stat.utime_ticks + stat.stime_ticks) / DEFAULT_CLOCK_TICKS_PER_SECOND;
}
