import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { DEFAULT_BEHAVIOUR_PARAMS, createCalendar, simulateEmployeeDay, type DayEnvironment } from '../../src/behaviour/index.js';
import { EventWriter, allocateBlock, concatBlocks, copyBlock, type EventBlock } from '../../src/events/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, type Employee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { CLI } from '../helpers/cli.js';

const P = DEFAULT_POPULATION_PARAMS;

/**
 * The busiest `seconds` of one seeded employee's simulated day: events with
 * clock times (UTC epoch ms), and the window's start.
 */
export function busyStretch(seed: string, index: number, seconds: number): { employee: Employee; events: EventBlock; virtualStartMs: number; dayStartMs: number } {
  const calendar = createCalendar('2026-03-03', P.offices.map((o) => o.timezone));
  const env: DayEnvironment = { seed, calendar, behaviour: DEFAULT_BEHAVIOUR_PARAMS, pauseTraits: P.pause, rules: DEFAULT_POLICY_RULES };
  const employee = createEmployee(seed, index, P);
  const blocks: EventBlock[] = [];
  let dayStartMs = 0;
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)));
  simulateEmployeeDay(employee, 0, env, writer, ({ plan }) => (dayStartMs = plan.dayStartMs));
  writer.flush();
  const all = concatBlocks(blocks);
  const span = seconds * 1000;
  let best = 0;
  let bestCount = 0;
  for (let i = 0, j = 0; i < all.length; i++) {
    while (j < all.length && all.t_ms[j]! < all.t_ms[i]! + span) j++;
    if (j - i > bestCount) [best, bestCount] = [i, j - i];
  }
  const out = allocateBlock(bestCount);
  const epoch = calendar.epochUtcMs;
  for (let k = 0; k < bestCount; k++) {
    const i = best + k;
    out.t_ms[k] = all.t_ms[i]! + epoch;
    out.type[k] = all.type[i]!;
    out.key[k] = all.key[i]!;
    out.x[k] = all.x[i]!;
    out.y[k] = all.y[i]!;
    out.button[k] = all.button[i]!;
    out.context[k] = all.context[i]!;
  }
  return { employee, events: out, virtualStartMs: Math.floor(out.t_ms[0]!) - 1, dayStartMs: dayStartMs + epoch };
}

/** `fleetsim agent …` as a child; the caller must kill it (see killChild) on every path. */
export function spawnAgent(args: readonly string[], env: Record<string, string> = {}): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'agent', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

/** Waits up to ms for the child to exit; SIGKILLs it if it has not. */
export async function killChild(child: ChildProcess, exited: Promise<unknown>, ms = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/** CPU ns on-CPU and voluntary/involuntary context switches of every thread of a process, from /proc. */
export function procSample(pid: number): { cpuNs: number; voluntary: number; involuntary: number } {
  let cpuNs = 0;
  let voluntary = 0;
  let involuntary = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      cpuNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      /* a thread that ended between readdir and read */
    }
  }
  return { cpuNs, voluntary, involuntary };
}
