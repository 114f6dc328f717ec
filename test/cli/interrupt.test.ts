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
  ready: () => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; sentSignal: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let sentSignal = false;
  try {
    const deadline = Date.now() + 60_000;
    while (!ready() && child.exitCode === null && Date.now() < deadline) await sleep(100);
    if (child.exitCode === null && ready()) {
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
