/**
 * npm run bench:tap [-- --json] [--seconds N] [--employee I] [--typical]
 *
 * What delivering input one event at a time costs an agent process: a seeded
 * employee's busiest N seconds replayed on the real clock through a tap into
 * (a) `fleetsim agent` uploading to an in-process ingest service and (b) a
 * bare reader that only decodes; CPU (schedstat, all threads) and context
 * switches (voluntary = wake-ups) of each child per event, from /proc. Beside
 * them, the same events through CaptureAgent in this process: in one block,
 * as a simulation hands them, and one event per call. --typical replays the N
 * seconds from the day's median event instead (an ordinary rate, not the peak).
 */
import './lib/flag-errors.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sampleProcess, type AgentProcessStats } from '../src/agent-process/index.js';
import { CaptureAgent, DEFAULT_AGENT_CONFIG, ManualClock, type Transport, type UploadOutcome } from '../src/agent/index.js';
import { simulateEmployeeDay, defaultDayEnvironment } from '../src/behaviour/index.js';
import { EventWriter, concatBlocks, copyBlock, type EventBlock } from '../src/events/index.js';
import { createIngestServer } from '../src/ingest/index.js';
import { busiestStretch } from '../src/input/stretch.js';
import { TapDriver } from '../src/input/tap/index.js';
import type { InjectionLateness } from '../src/input/types.js';
import { cpuMicros } from '../src/metrics/cpu.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../src/policy/index.js';
import { createStream } from '../src/random/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

const SEED = 'bench-tap';
const SECRET = 'bench-tap-fleet-secret-0123';
const seconds = intFlag('seconds', 20);
const index = intFlag('employee', 2);
const CLI = resolve(import.meta.dirname, '../src/cli/main.js');
const LEAD_MS = 3000;
const READER = resolve(import.meta.dirname, 'lib/tap-reader.js');

const P = DEFAULT_POPULATION_PARAMS;
const env = defaultDayEnvironment(SEED);
const calendar = env.calendar;
const employee = createEmployee(SEED, index, P);
const blocks: EventBlock[] = [];
const writer = new EventWriter((b) => blocks.push(copyBlock(b)));
simulateEmployeeDay(employee, 0, env, writer);
writer.flush();
const day = concatBlocks(blocks);
const typical = process.argv.includes('--typical');
const events = typical
  ? stretchFrom(day, day.length >> 1, seconds * 1000, calendar.epochUtcMs)
  : busiestStretch(day, seconds * 1000, calendar.epochUtcMs);
const virtualStartMs = Math.floor(events.t_ms[0] as number) - 1;

interface ChildCost {
  cpu_us_per_event: number;
  voluntary_switches_per_event: number;
  involuntary_switches_per_event: number;
  deliveries_per_event: number;
  lateness: InjectionLateness;
}

/** Replays the stretch into a child started by `start(socket, offsetMs)`; samples it around the replay. */
async function measureChild(
  start: (socket: string, offsetMs: number) => string[],
  deliveries: (stdout: string, dir: string) => number,
): Promise<ChildCost> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-bench-tap-'));
  const driver = new TapDriver(join(dir, 'l.tap'));
  // Node start, imports and enrollment fit in the lead even on a loaded machine; the replay starts after it.
  const offsetMs = Math.round(virtualStartMs - (Date.now() + LEAD_MS));
  const child = spawn(process.execPath, start(driver.socketPath, offsetMs), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FLEETSIM_FLEET_SECRET: SECRET },
  });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  try {
    await driver.start();
    await driver.waitForAgent(15_000);
    const before = sampleProcess(child.pid!);
    // A child slower to start than the lead would get the first seconds in one burst: start later instead.
    const lateness = await driver.replay(events, { wallStartMs: Math.max(virtualStartMs - offsetMs, Date.now() + 200), virtualStartMs });
    await new Promise((r) => setTimeout(r, 200));
    const after = sampleProcess(child.pid!);
    await driver.close();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    const n = events.length;
    return {
      cpu_us_per_event: (after.cpuNs - before.cpuNs) / 1000 / n,
      voluntary_switches_per_event: (after.voluntarySwitches - before.voluntarySwitches) / n,
      involuntary_switches_per_event: (after.involuntarySwitches - before.involuntarySwitches) / n,
      deliveries_per_event: deliveries(stdout, dir) / n,
      lateness,
    };
  } finally {
    child.kill('SIGKILL');
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

class Ack implements Transport {
  async send(): Promise<UploadOutcome> {
    return { kind: 'response', status: 200, requestBytes: 0 };
  }
}

/** CaptureAgent in this process over the stretch: µs of CPU per event, fed in blocks of `per` events (views, built before timing). */
async function inProcess(per: number): Promise<number> {
  const clock = new ManualClock(virtualStartMs);
  const agent = new CaptureAgent(
    {
      clock,
      transport: new Ack(),
      rng: createStream(SEED, 'inproc'),
      deviceId: employee.id,
      rules: DEFAULT_POLICY_RULES,
      inputTimeOffsetMs: 0,
    },
    DEFAULT_AGENT_CONFIG,
  );
  const parts: EventBlock[] = [];
  for (let i = 0; i < events.length; i += per) parts.push(sliceBlock(events, i, Math.min(events.length, i + per)));
  const c0 = cpuMicros();
  for (const part of parts) {
    clock.advanceTo(part.t_ms[0] as number);
    agent.capture(part);
  }
  await agent.finish();
  await agent.close();
  return (cpuMicros() - c0) / events.length;
}

/** The spanMs of events from index `from`, times shifted by shiftMs. */
function stretchFrom(all: EventBlock, from: number, spanMs: number, shiftMs: number): EventBlock {
  let to = from;
  while (to < all.length && (all.t_ms[to] as number) < (all.t_ms[from] as number) + spanMs) to++;
  const part = sliceBlock(all, from, to);
  const t = new Float64Array(part.t_ms);
  for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) + shiftMs;
  return { ...part, t_ms: t };
}

function sliceBlock(b: EventBlock, from: number, to: number): EventBlock {
  return {
    length: to - from,
    t_ms: b.t_ms.subarray(from, to),
    type: b.type.subarray(from, to),
    key: b.key.subarray(from, to),
    x: b.x.subarray(from, to),
    y: b.y.subarray(from, to),
    button: b.button.subarray(from, to),
    context: b.context.subarray(from, to),
    flags: b.flags.subarray(from, to),
  };
}

const storeDir = mkdtempSync(join(tmpdir(), 'fleetsim-bench-tap-store-'));
let offsetForServer = 0;
const server = createIngestServer({
  store: `sqlite:${join(storeDir, 'ingest.db')}`,
  fleetSecret: SECRET,
  now: () => Date.now() + offsetForServer,
});
const { url } = await server.start();
try {
  // Warm the in-process path first (JIT), then measure.
  // Best of 7 after warming up: a shared machine's noise only ever adds.
  const best = async (per: number) => {
    await inProcess(per);
    let min = Infinity;
    for (let r = 0; r < 7; r++) min = Math.min(min, await inProcess(per));
    return min;
  };
  const inBlock = await best(events.length);
  const perCall = await best(1);
  const agent = await measureChild(
    (socket, offsetMs) => {
      offsetForServer = offsetMs;
      return [
        CLI,
        'agent',
        '--url',
        url,
        '--device-id',
        employee.id,
        '--input',
        'tap',
        '--tap-socket',
        socket,
        '--time-offset-ms',
        String(offsetMs),
        '--stats-file',
        join(socket, '..', 'stats.json'),
        '--read-interval-ms',
        '0',
      ];
    },
    (_out, dir) => (JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as AgentProcessStats).input_deliveries,
  );
  const reader = await measureChild(
    (socket) => [READER, socket],
    (out) => (JSON.parse(out) as { deliveries: number }).deliveries,
  );
  const result = {
    stretch: typical ? 'typical' : 'busiest',
    events: events.length,
    seconds,
    events_per_second: events.length / seconds,
    day_events: day.length,
    tap_agent: agent,
    tap_reader_only: reader,
    inprocess_block_cpu_us_per_event: inBlock,
    inprocess_one_event_per_call_cpu_us_per_event: perCall,
  };
  if (wantsJson()) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    printTable(
      `Input delivery over a tap: ${events.length} events in the ${typical ? 'typical' : 'busiest'} ${seconds} s of ${employee.id} (${(events.length / seconds).toFixed(0)}/s)`,
      ['path', 'CPU µs/event', 'wake-ups/event', 'invol./event', 'reads/event', 'late p99 ms'],
      [
        [
          'fleetsim agent (process)',
          agent.cpu_us_per_event,
          agent.voluntary_switches_per_event,
          agent.involuntary_switches_per_event,
          agent.deliveries_per_event,
          agent.lateness.p99_ms,
        ],
        [
          'bare tap reader (process)',
          reader.cpu_us_per_event,
          reader.voluntary_switches_per_event,
          reader.involuntary_switches_per_event,
          reader.deliveries_per_event,
          reader.lateness.p99_ms,
        ],
        ['CaptureAgent in-process, one block', inBlock, 0, 0, 0, 0],
        ['CaptureAgent in-process, 1 event/call', perCall, 0, 0, 0, 0],
      ],
    );
  }
} finally {
  await server.stop();
  rmSync(storeDir, { recursive: true, force: true });
}
