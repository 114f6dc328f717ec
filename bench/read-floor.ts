/**
 * npm run bench:read-floor [-- --json] [--seconds N] [--rate R] [--interval MS]
 *
 * The floor under any agent's delivery cost: how much CPU and how many
 * wake-ups it takes just to be handed input events by the OS and read them,
 * with no agent work at all, in three readers of the same tap socket: the
 * bare Node reader (TapSource, bench/lib/tap-reader.ts), a C reader
 * (bench/lib/tap-reader.c, compiled here with cc when there is one) and the
 * Python reader of docs/tap-protocol.md. Each reads one event per read (a
 * wake-up per event, as an OS hook delivers it) and in batches (after a read
 * it sleeps `interval` ms, then takes what queued). `seconds` of key events
 * at `rate` per second, one record per write; CPU (schedstat, all threads)
 * and voluntary context switches from /proc, per event. Readers run one
 * after another, interleaved over `rounds` rounds.
 */
import './lib/flag-errors.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleProcess } from '../src/agent-process/index.js';
import { EventType, allocateBlock } from '../src/events/index.js';
import { TapDriver } from '../src/input/tap/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

const json = wantsJson();
const seconds = intFlag('seconds', 10);
const rate = intFlag('rate', 50);
const intervalMs = intFlag('interval', 1000);
const rounds = Math.max(1, intFlag('rounds', 1));
const here = import.meta.dirname;
const SRC_LIB = resolve(here, '../../bench/lib');

interface Reader {
  readonly name: string;
  readonly argv: (socket: string, intervalMs: number) => string[];
}

const dir = mkdtempSync(join(tmpdir(), 'bench-read-floor-'));
const readers: Reader[] = [
  { name: 'node (TapSource)', argv: (s, i) => [process.execPath, resolve(here, 'lib/tap-reader.js'), s, String(i)] },
];
const cc = spawnSync('cc', ['-O2', '-o', join(dir, 'tap-reader'), join(SRC_LIB, 'tap-reader.c')], { encoding: 'utf8' });
if (cc.status === 0) readers.push({ name: 'C (read(2))', argv: (s, i) => [join(dir, 'tap-reader'), s, String(i)] });
else process.stderr.write(`no C reader: cc failed or is missing (${(cc.error?.message ?? cc.stderr).trim().slice(0, 200)})\n`);
if (spawnSync('python3', ['--version']).status === 0)
  readers.push({ name: 'python3 (docs/tap-protocol.md)', argv: (s, i) => ['python3', join(SRC_LIB, 'tap-reader.py'), s, String(i)] });

/** Key presses and releases at `rate` per second from `fromMs`. */
function keyEvents(fromMs: number): ReturnType<typeof allocateBlock> {
  const n = seconds * rate;
  const b = allocateBlock(n);
  for (let i = 0; i < n; i++) {
    b.t_ms[i] = fromMs + (i * 1000) / rate;
    b.type[i] = i % 2 === 0 ? EventType.keydown : EventType.keyup;
    b.key[i] = 30;
  }
  b.length = n;
  return b;
}

interface Row {
  readonly reader: string;
  readonly read_interval_ms: number;
  readonly events: number;
  readonly cpu_us_per_event: number;
  readonly wakeups_per_event: number;
  readonly cpu_us_per_wakeup: number;
}

async function measure(r: Reader, interval: number, k: number): Promise<{ events: number; cpuNs: number; wakeups: number }> {
  const socket = join(dir, `tap-${k}.sock`);
  const driver = new TapDriver(socket);
  await driver.start();
  const child = spawn(r.argv(socket, interval)[0]!, r.argv(socket, interval).slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  try {
    await driver.waitForAgent(15_000);
    // Let the reader settle (interpreter start-up is not delivery).
    await new Promise((ok) => setTimeout(ok, 1500));
    const before = sampleProcess(child.pid!);
    const now = performance.timeOrigin + performance.now();
    const lateness = await driver.replay(keyEvents(now + 100), { wallStartMs: now, virtualStartMs: now });
    // The last batch: a batched reader takes it after its interval.
    await new Promise((ok) => setTimeout(ok, interval + 200));
    const after = sampleProcess(child.pid!);
    await driver.close();
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
    const got = out.trim() ? (JSON.parse(out.trim()) as { events: number }).events : -1;
    if (got !== lateness.injected) process.stderr.write(`${r.name}: read ${got} of ${lateness.injected} events\n`);
    return { events: lateness.injected, cpuNs: after.cpuNs - before.cpuNs, wakeups: after.voluntarySwitches - before.voluntarySwitches };
  } finally {
    child.kill('SIGKILL');
    await driver.close();
  }
}

const sums = new Map<string, { reader: string; interval: number; events: number; cpuNs: number; wakeups: number }>();
try {
  let k = 0;
  for (let round = 0; round < rounds; round++) {
    for (const r of readers) {
      for (const interval of [0, intervalMs]) {
        const m = await measure(r, interval, k++);
        const key = `${r.name}/${interval}`;
        const s = sums.get(key) ?? { reader: r.name, interval, events: 0, cpuNs: 0, wakeups: 0 };
        s.events += m.events;
        s.cpuNs += m.cpuNs;
        s.wakeups += m.wakeups;
        sums.set(key, s);
      }
    }
  }
} finally {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

const r2 = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const rows: Row[] = [...sums.values()].map((s) => ({
  reader: s.reader,
  read_interval_ms: s.interval,
  events: s.events / rounds,
  cpu_us_per_event: r2(s.cpuNs / 1000 / Math.max(1, s.events)),
  wakeups_per_event: r2(s.wakeups / Math.max(1, s.events), 4),
  cpu_us_per_wakeup: r2(s.cpuNs / 1000 / Math.max(1, s.wakeups)),
}));

if (json) process.stdout.write(`${JSON.stringify({ seconds, rate_events_per_s: rate, rounds, readers: rows })}\n`);
else {
  printTable(
    `reading a tap, nothing else: ${seconds} s of key events at ${rate}/s, one record per write (batched: sleep ${intervalMs} ms after each read)`,
    ['reader', 'read interval ms', 'events', 'CPU µs/event', 'wake-ups/event', 'CPU µs/wake-up'],
    rows.map((r) => [r.reader, r.read_interval_ms, r.events, r.cpu_us_per_event, r.wakeups_per_event, r.cpu_us_per_wakeup]),
  );
}
