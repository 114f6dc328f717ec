import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';
import { smallScenario, startSlowServer, writeCorpus } from './helpers.js';

// Ctrl-C during `fleetsim load`: nothing measured is lost. The run stops, its
// report is written from what it measured (marked interrupted), and it exits 130.
describe('fleetsim load stops cleanly on SIGINT', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
  });
  afterAll(() => corpus?.cleanup());

  it('writes the partial report, marked interrupted, and exits 130', async () => {
    const srv = await startSlowServer({ delayMs: 2 });
    const dir = join(corpus.dir, '..');
    const scenario = join(dir, 'interrupt.yaml');
    writeFileSync(
      scenario,
      'name: interrupt\nseed: interrupt\nfleet: { employees: 8 }\nsimulation: { days: 1, startDate: "2026-03-02" }\n',
    );
    const out = join(dir, 'report');
    // A minute of uploads: the signal comes long before the schedule ends.
    const args = ['load', '--target', srv.url, '--scenario', scenario, '--corpus', corpus.dir, '--fleet-secret', 'x'];
    args.push('--rate', '20', '--duration', '60s', '--laptops', '50', '--workers', '0', '--out', out);
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // Polled, not timed: the signal goes once the target has had some uploads (at most 60 s of waiting).
      for (let k = 0; k < 600 && srv.uploads() < 10 && child.exitCode === null; k++) await sleep(100);
      expect(srv.uploads()).toBeGreaterThanOrEqual(10);
      child.kill('SIGINT');
      const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
      expect(code, stderr).toBe(130);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await srv.stop();
    }
    expect(stderr).toContain('fleetsim load: interrupted by SIGINT');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      stopped_by: string;
      valid: boolean;
      invalid_reasons: string[];
      requests: { sent: number; accepted: number; failed: number };
    };
    expect(summary.stopped_by).toBe('interrupted');
    expect(summary.valid).toBe(false);
    expect(summary.invalid_reasons.join(' ')).toMatch(/interrupted after .* of the 60 s --duration/);
    expect(summary.requests.sent).toBeGreaterThanOrEqual(10);
    expect(summary.requests.accepted + summary.requests.failed).toBe(summary.requests.sent);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(stdout).toMatch(/INVALID +the run was interrupted/);
    const mark = JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8')) as Record<string, unknown>;
    expect(mark).toMatchObject({ interrupted: true, command: 'load', signal: 'SIGINT', phase: 'sending', scenario: 'interrupt' });
    // The mark's counts are the report's own final figures, not the last progress line before the stop.
    const wall = (summary as unknown as { wall_s: number }).wall_s;
    expect(mark).toMatchObject({
      sent: summary.requests.sent,
      accepted: summary.requests.accepted,
      failed: summary.requests.failed,
      elapsed_s: wall,
    });
  });
});
