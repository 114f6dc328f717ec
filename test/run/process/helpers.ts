/** Shared by the process-run tests: the CLI run asynchronously, the scenario, process checks. */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from '../../helpers/cli.js';

/** Runs the built CLI asynchronously (so a test can signal it), bounded in time. */
export function fleetsimAsync(
  args: readonly string[],
  o: { timeoutMs?: number; onSpawn?: (pid: number) => void; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { cwd: o.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    o.onSpawn?.(c.pid!);
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

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
