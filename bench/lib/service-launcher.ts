/**
 * Bench servers in child processes: start one, enroll the corpus's devices,
 * warm it up, drive the measured run and read the server's CPU (all its
 * threads, over the measured run only) and the client's around it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { ENROLL_PATH } from '../../src/auth/index.js';
import { SERVER_HEAP_FLAGS } from '../../src/ingest/index.js';
import { supportedV8Flags } from '../../src/v8-flags.js';
import { drive, driveOpen, type RunResult } from './closed-loop.js';
import { FLEET_SECRET, serialize, type Upload } from './ingest-corpus.js';
import { cpuSeconds } from './output.js';
import type { StageProfile } from './stage-profile.js';

/** A server process's CPU so far: all threads, of it kernel time, and its event loop's busy time. */
export interface CpuMark {
  readonly cpu_s: number;
  readonly system_s: number;
  readonly loop_busy_s: number;
  /**
   * The main thread's CPU (user + system), from /proc/self/task on Linux (null elsewhere, and from builds
   * before this field): the rest of cpu_s is the other threads (the SQLite writer, decode workers, GC helpers).
   */
  readonly main_thread_s?: number | null;
  /**
   * CPU by kind of thread (Linux, this build on): the main thread; the threads that existed before the server
   * started (V8's platform workers: concurrent marking, parallel scavenges, compilers); the threads started since
   * (the SQLite writer, decode workers, libuv's pool).
   */
  readonly threads?: { readonly main_s: number; readonly v8_helpers_s: number; readonly service_threads_s: number } | null;
  /** The main isolate's garbage collections so far (perf_hooks 'gc' entries), and their pauses in ms. */
  readonly gc?: { readonly major: number; readonly minor: number; readonly ms: number };
  /** Bytes the process has sent to storage so far (/proc/self/io write_bytes; null where the kernel does not tell). */
  readonly disk_written_bytes?: number | null;
}

export interface Child {
  child: ChildProcess;
  port: number;
  /** Resolves when the child has printed a line matching re. */
  waitFor(re: RegExp): Promise<void>;
  cpu(): Promise<CpuMark>;
  /** SIGTERM; resolves with the child's CPU seconds and, when it was profiled, its stage profile. */
  stop(): Promise<{ cpuS: number; profile: StageProfile | null }>;
}

/**
 * Starts `script --child KIND STORE THREADS` (bench/ingest.js of this build, or of another build for a side-by-side
 * baseline: every build speaks the same protocol, see ingest-child.ts).
 */
export async function startChild(
  script: string,
  kind: string,
  storeUrl?: string,
  decodeThreads = 0,
  nodeFlags: readonly string[] = [],
): Promise<Child> {
  // FLEETSIM_BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server to DIR.
  const prof = process.env.FLEETSIM_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.FLEETSIM_BENCH_CPU_PROF] : [];
  // FLEETSIM_BENCH_NODE_FLAGS='--flag …' starts every server (this build's and a baseline's alike) with those node/V8 flags.
  const flags = (process.env.FLEETSIM_BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(
    process.execPath,
    [...flags, ...nodeFlags, ...prof, script, '--child', kind, storeUrl ?? '-', String(decodeThreads)],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
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

/** Enrolls each device and returns the key the service handed out for it. */
export async function enrollAll(port: number, deviceIds: Iterable<string>): Promise<Map<string, Buffer>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const ids = [...deviceIds];
  const keys = new Map<string, Buffer>();
  await Promise.all(
    ids.map(
      (id) =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ device_id: id });
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              path: ENROLL_PATH,
              method: 'POST',
              agent,
              headers: { authorization: `Fleet ${FLEET_SECRET}`, 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                if (res.statusCode !== 200) return reject(new Error(`enroll ${id}: ${res.statusCode}`));
                keys.set(id, Buffer.from((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string }).key, 'hex'));
                resolve();
              });
            },
          );
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  agent.destroy();
  return keys;
}

export interface Measured {
  name: string;
  run: RunResult;
  /** Server CPU seconds (all its threads) over the measured run only. */
  cpuS: number;
  /** Of cpuS, kernel time. */
  systemS: number;
  /** The server's event loop busy over the measured run (its HTTP thread; the rest is decode workers, the writer, GC threads). */
  loopBusyS: number;
  /** Of cpuS, the main thread's (HTTP, auth, policy, decoding when no decode threads), when the platform tells it. */
  mainThreadS: number | null;
  /** Of cpuS by kind of thread (CpuMark.threads), when the platform and the build tell it. */
  threadsS: { main: number; v8Helpers: number; serviceThreads: number } | null;
  /** The main isolate's collections over the measured run, and their pauses (ms), when the build tells them. */
  gc: { major: number; minor: number; ms: number } | null;
  /** Bytes the server sent to storage over the measured run (WAL, checkpoints), when the platform and the build tell them. */
  diskWrittenBytes: number | null;
  /** This process's CPU seconds over the measured run: the client's share of the machine. */
  clientCpuS: number;
  sorted: Float64Array;
  profile: StageProfile | null;
}

export type Drive = { readonly kind: 'closed' } | { readonly kind: 'open'; readonly ratePerSec: number; readonly requests: number };

export interface MeasureOptions {
  /** The child entry: bench/ingest.js of the build being measured. */
  readonly script: string;
  readonly storeUrl?: string;
  readonly profile?: boolean;
  readonly drive?: Drive;
  readonly decodeThreads?: number;
  /**
   * Times the warm-up uploads are sent before the measured run (default 1). The first pass stores them, later ones
   * are duplicates (the same route, the store's duplicate answer): more passes let V8 finish optimizing, so the
   * measured CPU is the steady state's, without compilation on V8's background threads charged to the requests.
   */
  readonly warmupPasses?: number;
  /**
   * Node/V8 flags for this server's process (on top of FLEETSIM_BENCH_NODE_FLAGS); by default the heap flags
   * `fleetsim serve` restarts itself with (SERVER_HEAP_FLAGS), so every server runs as a deployed service does.
   */
  readonly nodeFlags?: readonly string[];
}

export async function measure(
  name: string,
  kind: string,
  uploads: Upload[],
  warmup: number,
  connections: number,
  o: MeasureOptions,
): Promise<Measured> {
  const srv = await startChild(o.script, kind, o.storeUrl, o.decodeThreads ?? 0, o.nodeFlags ?? supportedV8Flags(SERVER_HEAP_FLAGS));
  const isNoop = kind.endsWith('noop');
  const keys = isNoop ? new Map<string, Buffer>() : await enrollAll(srv.port, new Set(uploads.map((u) => u.deviceId)));
  serialize(uploads, `127.0.0.1:${srv.port}`, Date.now(), keys);
  for (let pass = 0; pass < (o.warmupPasses ?? 1); pass++) await drive(srv.port, uploads.slice(0, warmup), connections);
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
  const mainThreadS =
    serverCpu0.main_thread_s != null && serverCpu1.main_thread_s != null ? serverCpu1.main_thread_s - serverCpu0.main_thread_s : null;
  const t0 = serverCpu0.threads;
  const t1 = serverCpu1.threads;
  const threadsS =
    t0 && t1
      ? {
          main: t1.main_s - t0.main_s,
          v8Helpers: t1.v8_helpers_s - t0.v8_helpers_s,
          serviceThreads: t1.service_threads_s - t0.service_threads_s,
        }
      : null;
  const g0 = serverCpu0.gc;
  const g1 = serverCpu1.gc;
  const gc = g0 && g1 ? { major: g1.major - g0.major, minor: g1.minor - g0.minor, ms: g1.ms - g0.ms } : null;
  const w0 = serverCpu0.disk_written_bytes;
  const w1 = serverCpu1.disk_written_bytes;
  const diskWrittenBytes = w0 != null && w1 != null ? w1 - w0 : null;
  if (process.env.FLEETSIM_BENCH_DEBUG) process.stderr.write(`${name}: ${JSON.stringify(run.statuses)}\n`);
  const { profile } = await srv.stop();
  const sorted = Float64Array.from(run.latencyMs).sort();
  return { name, run, cpuS, systemS, loopBusyS, mainThreadS, threadsS, gc, diskWrittenBytes, clientCpuS, sorted, profile };
}
