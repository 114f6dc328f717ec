import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, fleetsim } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
function fresh(): string {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-size-'));
  made.push(d);
  return d;
}

describe('run --employees/--days/--set size and shape the run', () => {
  it('runs the fleet and the days the flags give, and the summary says so', () => {
    const dir = fresh();
    const out = join(dir, 'out');
    const r = fleetsim(
      [
        'run',
        QUICKSTART,
        '--employees',
        '3',
        '--days',
        '2',
        '--set',
        'seed=flags',
        '--set',
        'thresholds=[]',
        '--workers',
        '1',
        '--quiet',
        '--out',
        out,
      ],
      { timeoutMs: 110_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.laptops).toBe(3);
    expect(summary.seed).toBe('flags');
    expect(summary.scenario_resolved.simulation.days).toBe(2);
    expect(summary.ledger.produced).toBeGreaterThan(0);
  }, 120_000);
});

describe('progress without a terminal', () => {
  /**
   * One laptop over many days is one shard: no laptop finishes until the end,
   * so only the heartbeat can print. FLEETSIM_PROGRESS_EVERY_MS shortens the
   * 10 s heartbeat so that a few seconds of run need two lines.
   */
  it('prints a line at least every interval while nothing finishes, in a child process with no terminal', async () => {
    const dir = fresh();
    const everyMs = 300;
    const started = Date.now();
    const lines: { atMs: number; text: string }[] = [];
    const child = spawn(
      process.execPath,
      [CLI, 'run', QUICKSTART, '--employees', '1', '--days', '12', '--set', 'thresholds=[]', '--workers', '1', '--out', join(dir, 'out')],
      {
        env: { ...process.env, FLEETSIM_PROGRESS_EVERY_MS: String(everyMs) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    let buf = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push({ atMs: Date.now() - started, text: buf.slice(0, i) });
        buf = buf.slice(i + 1);
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    clearTimeout(killer);
    const elapsedMs = Date.now() - started;
    expect(code).toBe(0);
    const progress = lines.filter((l) => l.text.startsWith('run quickstart: '));
    // The run lasted several intervals: each needed its line.
    expect(elapsedMs).toBeGreaterThan(3 * everyMs);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]!.text).toMatch(/^run quickstart: 0\/1 \(0%\) after \d+ s, estimating time left, /);
    const times = [0, ...progress.map((l) => l.atMs)];
    // Start-up (loading modules, enrolling) comes before the first line can; after it, no gap beyond the interval and its timer tick.
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(everyMs + 1_500);
    expect(progress.at(-1)!.text).toMatch(/^run quickstart: 1\/1 \(100%\)/);
  }, 120_000);
});
