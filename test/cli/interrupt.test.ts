import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'fleetsim-interrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Starts the built CLI, waits until `ready` holds (polled, at most 60 s),
 * sends the signal, and returns the exit code and stderr. The child is
 * killed on every path.
 */
async function interrupt(
  args: readonly string[],
  ready: (stderr: string) => boolean,
  signal: NodeJS.Signals,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string; sentSignal: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let sentSignal = false;
  try {
    const deadline = Date.now() + 60_000;
    while (!ready(stderr) && child.exitCode === null && Date.now() < deadline) await sleep(100);
    if (child.exitCode === null && ready(stderr)) {
      sentSignal = true;
      child.kill(signal);
    }
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') throw new Error(`fleetsim did not exit within 30 s of ${signal}; stderr: ${stderr}`);
    return { code, stderr, sentSignal };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('SIGINT and SIGTERM stop a run cleanly', () => {
  it('run: SIGTERM exits 143, marks the partial report interrupted and removes the database', async () => {
    const scenario = join(root, 'long.yaml');
    writeFileSync(
      scenario,
      'name: long\nseed: long\nfleet: { employees: 3000 }\nsimulation: { days: 1, startDate: "2026-03-03" }\ntransport: http\n',
    );
    const out = join(root, 'run');
    const r = await interrupt(['run', scenario, '--workers', '1', '--out', out], () => existsSync(join(out, 'ingest.sqlite')), 'SIGTERM');
    expect(r.sentSignal).toBe(true);
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('interrupted by SIGTERM');
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'));
    expect(mark).toMatchObject({
      format: 'fleetsim-interrupted/1',
      interrupted: true,
      command: 'run',
      signal: 'SIGTERM',
      scenario: 'long',
      laptops: 3000,
    });
    expect(readdirSync(out).filter((f) => f.startsWith('ingest'))).toEqual([]);
  });

  it('run over agent configurations: one progress display over all of them, and interrupted.json names the completed ones and the one cut short', async () => {
    const scenario = join(root, 'configurations.yaml');
    writeFileSync(
      scenario,
      'name: configs\nseed: configs\nfleet: { employees: 40 }\nsimulation: { days: 1, startDate: "2026-03-03" }\ntransport: "null"\n' +
        'agents:\n  - name: first\n    agent: { batchMaxAgeMs: 300000 }\n  - name: second\n    agent: { batchMaxAgeMs: 120000 }\n',
    );
    const out = join(root, 'configurations');
    // The display says so as soon as the second configuration starts, before any of its laptops is done.
    const r = await interrupt(
      ['run', scenario, '--workers', '1', '--out', out],
      (stderr) => stderr.includes('config 2/2 second, starting'),
      'SIGINT',
      { FLEETSIM_PROGRESS_EVERY_MS: '100' },
    );
    expect(r.sentSignal).toBe(true);
    expect(r.code).toBe(130);
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'));
    expect(mark).toMatchObject({
      command: 'run',
      signal: 'SIGINT',
      scenario: 'configs',
      laptops: 80,
      configurations: { count: 2, completed: ['first'], cut_short: { name: 'second', laptops: 40 } },
    });
    expect(mark.configurations.cut_short.laptops_done).toBeLessThan(40);
    // One display: its total is both configurations' laptops, it never goes back, and it says which configuration runs.
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('run configs: '));
    const counts = lines.map((l) => /: (\d+)\/(\d+) /.exec(l)!.slice(1).map(Number));
    expect(counts.length).toBeGreaterThan(1);
    expect(new Set(counts.map(([, total]) => total))).toEqual(new Set([80]));
    expect(counts.map(([done]) => done)).toEqual([...counts.map(([done]) => done!)].sort((a, b) => a - b));
    expect(lines.some((l) => l.includes('config 1/2 first'))).toBe(true);
    expect(counts.at(-1)![0]).toBeGreaterThanOrEqual(40);
  });

  it('run over agent configurations: Ctrl-C keeps the completed configurations’ reports, leaves no empty folder and says what is there', async () => {
    const scenario = join(root, 'configurations-kept.yaml');
    writeFileSync(
      scenario,
      'name: kept\nseed: kept\nfleet: { employees: 40 }\nsimulation: { days: 1, startDate: "2026-03-03" }\ntransport: "null"\n' +
        'agents:\n  - name: first\n    agent: { batchMaxAgeMs: 300000 }\n  - name: second\n    agent: { batchMaxAgeMs: 120000 }\n',
    );
    const out = join(root, 'configurations-kept');
    const r = await interrupt(
      ['run', scenario, '--workers', '1', '--out', out],
      (stderr) => /config 2\/2 second, (?!starting)/.test(stderr),
      'SIGINT',
      { FLEETSIM_PROGRESS_EVERY_MS: '100' },
    );
    expect(r.sentSignal).toBe(true);
    expect(r.code).toBe(130);
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'));
    const cut = mark.configurations.cut_short.laptops_done as number;
    // The run's totals: both configurations' laptops, the first's 40 done and the second's cut part.
    expect(mark).toMatchObject({ laptops: 80, laptops_done: 40 + cut, configurations: { completed: ['first'], laptops_each: 40 } });
    // The completed configuration is complete: its whole report stays.
    const first = JSON.parse(readFileSync(join(out, 'configurations', 'first', 'summary.json'), 'utf8'));
    expect(first.laptops).toBe(40);
    expect(existsSync(join(out, 'configurations', 'first', 'results.json'))).toBe(true);
    // The cut one has no report: no empty folder is left for it, and no top-level report is claimed.
    expect(readdirSync(join(out, 'configurations'))).toEqual(['first']);
    expect(readdirSync(out).sort()).toEqual(['configurations', 'interrupted.json']);
    expect(r.stderr).not.toContain('partial report');
    expect(r.stderr).toContain(`the report of the completed configuration first is in ${join(out, 'configurations', 'first')}`);
  });

  it('run --shard: interrupted.json records the shard and its own laptops, not the fleet’s', async () => {
    const out = join(root, 'shard');
    const r = await interrupt(
      ['run', resolve(ROOT, 'scenarios/quickstart.yaml'), '-n', '40', '--shard', '3/4', '-q', '--workers', '1', '--out', out],
      () => existsSync(join(out, 'ingest.sqlite')),
      'SIGINT',
    );
    expect(r.sentSignal).toBe(true);
    expect(r.code).toBe(130);
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'));
    expect(mark).toMatchObject({ command: 'run', scenario: 'quickstart', shard: '3/4', laptops: 10 });
    expect(mark.laptops_done).toBeLessThanOrEqual(10);
  });

  it('sweep: SIGINT (Ctrl-C) exits 130 and marks the report folder interrupted', async () => {
    const out = join(root, 'sweep');
    let seen = 0;
    // Once the folder exists the sweep has started its work; give it a moment more.
    const r = await interrupt(
      ['sweep', resolve(ROOT, 'scenarios/policy-comparison.yaml'), '-n', '20000', '--replicas', '10', '--workers', '1', '--out', out],
      () => existsSync(out) && ++seen > 10,
      'SIGINT',
    );
    expect(r.sentSignal).toBe(true);
    expect(r.code).toBe(130);
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'));
    expect(mark).toMatchObject({ interrupted: true, command: 'sweep', signal: 'SIGINT', mode: 'fast' });
  });
});
