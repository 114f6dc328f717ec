import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { compareReports } from '../../src/compare/index.js';
import { fleetsim } from '../helpers/cli.js';
import { batchAgeScenario, runToReport, verdict } from './run-fixtures.js';

// A tiny fleet, one day, transport null: a few seconds per run.
const scenario = (batchMaxAgeMs: number, compressionLevel?: number) =>
  batchAgeScenario({ namePrefix: 'batch', seed: 'compare-e2e', employees: 10, batchMaxAgeMs, compressionLevel });

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-'));
const dirs = {
  five: join(tmp, 'five'),
  fiveAgain: join(tmp, 'five-again'),
  fifteen: join(tmp, 'fifteen'),
  brotli11: join(tmp, 'brotli11'),
};
const SIMULATED = [
  'bandwidth.mb_per_laptop_day',
  'battery.wakeups_per_min',
  'freshness.p50_s',
  'freshness.p95_s',
  'yield.captured',
  'ledger.stored_share',
  'ledger.coalesced_share',
  'ledger.lost_share',
];

/** The CLI in-process (a spawned node pays seconds of start-up on a busy machine): exit code, stdout and stderr. */
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

describe('fleetsim compare over real run reports', () => {
  beforeAll(async () => {
    await runToReport(dirs.five, scenario(300_000));
    await runToReport(dirs.fiveAgain, scenario(300_000));
    await runToReport(dirs.fifteen, scenario(900_000));
    await runToReport(dirs.brotli11, scenario(300_000, 11));
  }, 120_000);

  it('finds 15-minute batches better on wake-ups and worse on freshness than 5-minute ones, paired per laptop', () => {
    const r = compareReports({ baseline: [dirs.five], candidate: [dirs.fifteen] });
    expect(r.kind).toBe('run');
    expect(r.result.pairing).toEqual({ paired: true, common: 10, baseline_units: 10, candidate_units: 10 });
    for (const stat of ['mean', 'median', 'p95']) expect(verdict(r, 'battery.wakeups_per_min', stat)).toBe('better');
    const wake = r.result.figures.find((f) => f.figure.key === 'battery.wakeups_per_min')!.statistics[0]!;
    expect(wake.rel!.estimate).toBeLessThan(-0.3);
    expect(wake.rel!.high).toBeLessThan(0);
    // Batching does not change which events are captured.
    expect(verdict(r, 'yield.captured')).toBe('no change');
    // The price of fewer wake-ups: events wait longer for their batch to be acknowledged.
    for (const key of ['freshness.p50_s', 'freshness.p95_s'])
      for (const stat of ['mean', 'median', 'p95']) expect(verdict(r, key, stat), `${key} ${stat}`).toBe('worse');
    const fresh = r.result.figures.find((f) => f.figure.key === 'freshness.p50_s')!.statistics[0]!;
    // Half a 5-minute batch is ~150 s, half a 15-minute one ~450 s: about 3x.
    expect(fresh.rel!.estimate).toBeGreaterThan(1);
    expect(fresh.rel!.low).toBeGreaterThan(0);
  });

  it('finds an agent that does more work per event (brotli-11 instead of brotli-5) worse on measured CPU', () => {
    const r = compareReports({ baseline: [dirs.five], candidate: [dirs.brotli11] });
    const cpu = r.result.figures.find((f) => f.figure.key === 'battery.cpu_s_per_hour')!.statistics[0]!;
    expect(cpu.verdict, JSON.stringify(cpu)).toBe('worse');
    expect(verdict(r, 'battery.pct_per_day')).toBe('worse');
    // Same events, same batches: the wake-ups do not move.
    expect(verdict(r, 'battery.wakeups_per_min')).toBe('no change');
  });

  it('A/A: the same scenario twice finds no change on every simulated figure', () => {
    const r = compareReports({ baseline: [dirs.five], candidate: [dirs.fiveAgain] });
    for (const key of SIMULATED) expect(verdict(r, key), key).toBe('no change');
  });

  it('CLI: gates set exit code 1, --out writes compare.csv, compare.json and report.html, --json prints the rows', () => {
    const out = join(tmp, 'cmp');
    const worse = fleetsim([
      'compare',
      dirs.five,
      dirs.fifteen,
      '--fail-on',
      'battery.wakeups_per_min.p95 better',
      '--fail-on',
      'bytes worse',
      '--out',
      out,
    ]);
    expect(worse.code, worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/gate FAIL {2}--fail-on "battery.wakeups_per_min.p95 better"/);
    expect(worse.stdout).toMatch(/gate pass {2}--fail-on "bytes worse"/);
    expect(worse.stderr).toMatch(/1 of 2 gates failed/);
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'figure,alias,statistic,better,paired,n_baseline,n_candidate,baseline,candidate,diff,diff_low,diff_high,rel_diff,rel_low,rel_high,tolerance,cv_baseline,cv_candidate,verdict,note',
    );
    expect(csv.some((l) => l.startsWith('battery.wakeups_per_min,wakeups,p95,lower,true,10,10,') && l.includes(',better,'))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.gates_passed).toBe(false);
    expect(json.format).toBe('fleetsim-compare/1');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('wake-ups per active minute');
    expect(html).toContain('<svg');
  });

  it('CLI in-process: --json prints one object; a gate that does not trip exits 0', async () => {
    const out = await cli(['compare', '--fail-on', 'wakeups changed', dirs.five, dirs.fiveAgain, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const printed = JSON.parse(out.stdout);
    expect(printed.pairing.paired).toBe(true);
    expect(
      printed.rows.find((x: { figure: string; statistic: string }) => x.figure === 'battery.wakeups_per_min' && x.statistic === 'mean')
        .verdict,
    ).toBe('no change');
  });

  it('replicas as globs: two folders per side, erratic figures are not judged', () => {
    const glob = join(tmp, 'reps');
    mkdirSync(glob);
    cpSync(dirs.five, join(glob, 'a-1'), { recursive: true });
    cpSync(dirs.fiveAgain, join(glob, 'a-2'), { recursive: true });
    cpSync(dirs.fifteen, join(glob, 'b-1'), { recursive: true });
    // A second candidate replica whose laptops all report twice the battery drain: the two candidate replicas disagree.
    cpSync(dirs.fifteen, join(glob, 'b-2'), { recursive: true });
    const results = join(glob, 'b-2', 'results.json');
    const data = JSON.parse(readFileSync(results, 'utf8')) as { result: { laptops: { battery_pct_per_day: number }[] } };
    for (const l of data.result.laptops) l.battery_pct_per_day *= 2;
    writeFileSync(results, JSON.stringify(data));
    const r = compareReports({ baseline: [join(glob, 'a-*')], candidate: [join(glob, 'b-?')] });
    expect(r.result.replicas).toEqual({ baseline: 2, candidate: 2 });
    expect(r.result.pairing.paired).toBe(true);
    expect(verdict(r, 'battery.pct_per_day')).toBe('erratic');
    expect(verdict(r, 'battery.wakeups_per_min')).toBe('better');
  });

  it('--history keeps candidate replicas with their git revision; history:last-N is a rolling baseline of the same scenario', async () => {
    const db = join(tmp, 'history.db');
    process.env.FLEETSIM_GIT_REV = 'abc123';
    try {
      const first = compareReports({ baseline: [dirs.five], candidate: [dirs.five, dirs.fiveAgain], history: db });
      expect(first.historyAppended).toEqual([1, 2]);
      // The next build of the same scenario against the last 2 stored runs: paired, no change on the simulated figures.
      const rolling = compareReports({ baseline: ['history:last-2'], candidate: [dirs.fiveAgain], history: db });
      expect(rolling.result.replicas).toEqual({ baseline: 2, candidate: 1 });
      expect(rolling.result.pairing.paired).toBe(true);
      for (const key of SIMULATED) expect(verdict(rolling, key), key).toBe('no change');
      expect(rolling.historyAppended).toEqual([3]);
      const Database = (await import('better-sqlite3')).default;
      const h = new Database(db, { readonly: true });
      expect(h.prepare('SELECT DISTINCT git_rev FROM runs').all()).toEqual([{ git_rev: 'abc123' }]);
      h.close();
    } finally {
      delete process.env.FLEETSIM_GIT_REV;
    }
    // Another scenario (15-minute batches) has no history of its own yet.
    expect(() => compareReports({ baseline: ['history:last-10'], candidate: [dirs.fifteen], history: db })).toThrow(
      /holds no run report of this scenario/,
    );
    expect(() => compareReports({ baseline: ['history:last-10'], candidate: [dirs.fifteen] })).toThrow(/give it with --history FILE/);
    expect(() => compareReports({ baseline: ['history:latest'], candidate: [dirs.fifteen], history: db })).toThrow(
      /expected history:last-N/,
    );
  });

  it('refuses what it cannot compare, with what is allowed', async () => {
    const fleetsim = cli;
    const none = await fleetsim(['compare', '--baseline', join(tmp, 'nowhere-*'), '--candidate', dirs.five]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/baseline: ".*nowhere-\*" matches no folder/);
    const notReport = await fleetsim(['compare', tmp, dirs.five]);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toMatch(/is not a report folder of fleetsim run or sweep \(results\.json; .*\) or of fleetsim load/);
    const badGate = await fleetsim(['compare', dirs.five, dirs.fifteen, '--fail-on', 'gpu worse']);
    expect(badGate.code).toBe(2);
    expect(badGate.stderr).toMatch(/unknown figure "gpu"; the figures of this comparison are bandwidth.mb_per_laptop_day \(bytes\)/);
    const badConf = await fleetsim(['compare', dirs.five, dirs.fifteen, '--confidence', '1.5']);
    expect(badConf.code).toBe(2);
    expect(badConf.stderr).toMatch(/--confidence takes a fraction between 0 and 1/);
    const oneSide = await fleetsim(['compare', dirs.five]);
    expect(oneSide.code).toBe(2);
    expect(oneSide.stderr).toMatch(/name both sides/);
  });
});
