import { spawn, type ChildProcess } from 'node:child_process';
import { simulateEmployeeDay, defaultDayEnvironment } from '../../src/behaviour/index.js';
import { EventWriter, concatBlocks, copyBlock, type EventBlock } from '../../src/events/index.js';
import { busiestStretch } from '../../src/input/stretch.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, type Employee } from '../../src/population/index.js';
import { CLI } from '../helpers/cli.js';

const P = DEFAULT_POPULATION_PARAMS;

/**
 * The busiest `seconds` of one seeded employee's simulated day: events with
 * clock times (UTC epoch ms), and the window's start.
 */
export function busyStretch(
  seed: string,
  index: number,
  seconds: number,
): { employee: Employee; events: EventBlock; virtualStartMs: number; dayStartMs: number } {
  const env = defaultDayEnvironment(seed);
  const calendar = env.calendar;
  const employee = createEmployee(seed, index, P);
  const blocks: EventBlock[] = [];
  let dayStartMs = 0;
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)));
  simulateEmployeeDay(employee, 0, env, writer, ({ plan }) => (dayStartMs = plan.dayStartMs));
  writer.flush();
  const events = busiestStretch(concatBlocks(blocks), seconds * 1000, calendar.epochUtcMs);
  return { employee, events, virtualStartMs: Math.floor(events.t_ms[0]!) - 1, dayStartMs: dayStartMs + calendar.epochUtcMs };
}

/** `fleetsim agent …` as a child; the caller must kill it (see killChild) on every path. */
export function spawnAgent(
  args: readonly string[],
  env: Record<string, string> = {},
): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'agent', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Waits up to ms for the child to exit; SIGKILLs it if it has not. */
export async function killChild(child: ChildProcess, exited: Promise<unknown>, ms = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}
