/** Shared by the process-run tests: the CLI run asynchronously, the scenario, process checks. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetsimAsync as fleetsimAsyncUntil } from '../../helpers/cli.js';

/** The CLI run asynchronously, resolved when it exits: the agents it starts may hold its output streams a moment longer. */
export const fleetsimAsync = (args: readonly string[], o: Omit<Parameters<typeof fleetsimAsyncUntil>[1] & object, 'until'> = {}) =>
  fleetsimAsyncUntil(args, { ...o, until: 'exit' });

/** Whether a process is still running (a zombie waiting for init to reap it is not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pids still running after up to 2 s (a SIGKILLed process takes a moment to go). */
export async function survivors(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + 2_000;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 50));
    left = left.filter(alive);
  }
  return left;
}

/** Two Berlin laptops, 20 s at 11:00 local: both have input then (seed 1). */
export function scenario(dir: string, agent: string, extra = ''): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    `name: proc\nseed: 1\nfleet: { employees: 2, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\n${agent}\nsimulation:\n  speed: 1\n  window: { day: 1, at: "10:00", durationMinutes: 0.3333 }\noutputs: { dir: ${JSON.stringify(join(dir, 'reports'))}, html: false, csv: false }\n${extra}`,
  );
  return file;
}

export function readPids(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('pids-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
}
