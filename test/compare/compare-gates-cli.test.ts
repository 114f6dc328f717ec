/**
 * `fleetsim compare --fail-on` as CI meets it when a side has too few values
 * to judge (one load report per side): the gate is reported as not judged and
 * the command exits 2, never 0. Load reports are written by hand (only what
 * compare reads of a summary.json), so no load run is needed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { EXIT_CODES } from '../../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-gates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function loadReport(name: string, p99Ms: number, errorRate: number): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const summary = {
    format: 'fleetsim-load/1',
    latency: { all: { p50_ms: 10, p99_ms: p99Ms, p999_ms: null } },
    errors: { rate: errorRate },
    throughput: { accepted_per_s: 50 },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    const code = await runCli(args, { stderr: (x) => (stderr += x) });
    return { code, stdout, stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('fleetsim compare gates with one load report per side', () => {
  const a = loadReport('a', 812.4, 0.01);
  const b = loadReport('b', 901.2, 0.02);

  it('says the gate could not be judged and exits 2, not 0; the table shows each side its value', async () => {
    const r = await cli(['compare', a, b, '--fail-on', 'p99 worse']);
    expect(r.stderr).toContain('1 of 1 gates could not be judged: "p99 worse" (latency.all.p99_ms.mean: too few values to compare');
    expect(r.stderr).toContain('2 or more replica folders per side');
    expect(r.stdout).not.toMatch(/gate pass/);
    expect(r.stdout).toMatch(/gate NOT JUDGED {2}--fail-on "p99 worse": latency\.all\.p99_ms\.mean: too few values/);
    expect(r.stdout).toContain('baseline 812.4 ms, candidate 901.2 ms');
    expect(r.code).toBe(EXIT_CODES.badInput);
  });

  it('--json: the gate is neither passed nor tripped, and says which figure it could not judge', async () => {
    const r = await cli(['compare', a, b, '--fail-on', 'errors worse', '--json']);
    const out = JSON.parse(r.stdout) as {
      gates_passed: boolean;
      gates: { pass: boolean; judged: boolean; tripped: string[]; unjudged: string[] }[];
    };
    expect(out.gates_passed).toBe(false);
    expect(out.gates[0]).toMatchObject({ pass: false, judged: false, tripped: [] });
    expect(out.gates[0]!.unjudged[0]).toMatch(/^errors\.rate\.mean: .*baseline 0\.01, candidate 0\.02$/);
    expect(r.code).toBe(EXIT_CODES.badInput);
  });

  it('without gates there is nothing to judge: exit 0', async () => {
    expect((await cli(['compare', a, b])).code).toBe(EXIT_CODES.ok);
  });
});

describe('fleetsim compare gates on an erratic figure', () => {
  // Two replicas a side: the baseline's agree on p99, the candidate's do not (100 and 400 ms: sd ÷ mean about 0.85).
  const a = [loadReport('steady-1', 100, 0.01), loadReport('steady-2', 102, 0.01)];
  const b = [loadReport('noisy-1', 100, 0.01), loadReport('noisy-2', 400, 0.01)];
  const sides = ['--baseline', ...a, '--candidate', ...b];

  it('a worse gate on it is NOT JUDGED and exits 2, not 0, saying the replicas disagree and what to do', async () => {
    const r = await cli(['compare', ...sides, '--fail-on', 'p99 worse']);
    expect(r.stdout).toMatch(/latency\.all\.p99_ms +mean .* erratic/);
    expect(r.stdout).toMatch(/gate NOT JUDGED {2}--fail-on "p99 worse": latency\.all\.p99_ms\.mean: replicas vary too much/);
    expect(r.stderr).toContain('1 of 1 gates could not be judged: "p99 worse"');
    expect(r.stderr).toMatch(/replicas of a side disagree by more than --erratic-cv \(10 %\)/);
    expect(r.stderr).not.toContain('2 or more replica folders per side');
    expect(r.code).toBe(EXIT_CODES.badInput);
  });

  it('--json: neither passed nor tripped, with the reason', async () => {
    const r = await cli(['compare', ...sides, '--fail-on', 'p99 worse', '--json']);
    const out = JSON.parse(r.stdout) as { gates_passed: boolean; gates: { pass: boolean; judged: boolean; reasons: string[] }[] };
    expect(out.gates_passed).toBe(false);
    expect(out.gates[0]).toMatchObject({ pass: false, judged: false, reasons: ['erratic'] });
    expect(r.code).toBe(EXIT_CODES.badInput);
  });

  it('an erratic gate trips (exit 1); a wider --erratic-cv judges the figure: two values a side, no change', async () => {
    expect((await cli(['compare', ...sides, '--fail-on', 'p99 erratic'])).code).toBe(EXIT_CODES.thresholdsFailed);
    const wide = await cli(['compare', ...sides, '--fail-on', 'p99 worse', '--erratic-cv', '0.9']);
    expect(wide.stdout).toMatch(/gate pass {2}--fail-on "p99 worse"/);
    expect(wide.code, wide.stderr).toBe(EXIT_CODES.ok);
  });
});

describe('fleetsim compare --out', () => {
  const a = loadReport('out-a', 812.4, 0.01);
  const b = loadReport('out-b', 901.2, 0.02);

  it('does not replace another report without --overwrite, and with it never one this comparison reads', async () => {
    const run = join(tmp, 'a-run-report');
    mkdirSync(run);
    writeFileSync(join(run, 'report.html'), '<title>the run</title>');
    const refused = await cli(['compare', a, b, '--out', run]);
    expect(refused.code).toBe(EXIT_CODES.runFailed);
    expect(refused.stderr).toMatch(/--out .*a-run-report already holds files .* add --overwrite/);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toBe('<title>the run</title>');
    const written = await cli(['compare', a, b, '--out', run, '--overwrite']);
    expect(written.code).toBe(0);
    expect(readFileSync(join(run, 'compare.json'), 'utf8')).toMatch(/fleetsim-compare/);
  });

  it('refuses a file, and a folder that cannot be made, with exit 3 and no stack (it looped on /proc)', async () => {
    const file = join(tmp, 'afile');
    writeFileSync(file, 'x');
    const r = await cli(['compare', a, b, '--out', file]);
    expect(r.code).toBe(EXIT_CODES.runFailed);
    expect(r.stderr).toMatch(/--out .*afile is a file, not a folder/);
    const proc = await cli(['compare', a, b, '--out', '/proc/fleetsim-compare-out']);
    expect(proc.code).toBe(EXIT_CODES.runFailed);
    expect(proc.stderr).toMatch(/cannot create the folder/);
    // Its parent too: Node's recursive mkdir never returns under /proc, so every command's --out makes one folder at a time.
    const nested = await cli(['compare', a, b, '--out', '/proc/fleetsim-compare-out/inner']);
    expect(nested.code).toBe(EXIT_CODES.runFailed);
    expect(nested.stderr).toMatch(/its parent folder cannot be created: no such folder/);
  });
});

describe('fleetsim compare sides', () => {
  it('refuses a folder named twice on a side: it would count as two replicas that agree perfectly', async () => {
    const a = loadReport('twice-a', 812.4, 0.01);
    const b = loadReport('twice-b', 901.2, 0.02);
    const r = await cli(['compare', '--baseline', a, a, '--candidate', b, loadReport('twice-c', 900, 0.02)]);
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stderr).toMatch(/baseline: .*twice-a is named twice: name each replica folder once/);
    // The same folder written another way is the same folder.
    const other = await cli(['compare', '--baseline', a, loadReport('twice-d', 800, 0.01), '--candidate', b, `${b}/.`]);
    expect(other.code).toBe(EXIT_CODES.badInput);
    expect(other.stderr).toMatch(/candidate: .*twice-b is named twice/);
  });
});
