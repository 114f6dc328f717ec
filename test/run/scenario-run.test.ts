import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeScenarioReport } from '../../src/report/index.js';
import { mergeRuns, runScenario, type LaptopRow, type ScenarioRunResult } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

const scenario = resolveScenario({
  name: 'merge-test',
  seed: 'merge',
  fleet: { employees: 6 },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
  thresholds: ['ledger.lost == 0', 'leaks.canaries == 0', 'bandwidth.mb_per_laptop_day.p95 < 1'],
});
const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-run-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
/** runScenario returns the result; the report (and results.json, which merge reads) is written from it. */
const reported = async (r: Promise<ScenarioRunResult>): Promise<ScenarioRunResult> => {
  const x = await r;
  await writeScenarioReport(x.reportDir, x);
  return x;
};
const simulated = (rows: readonly LaptopRow[]) => rows.map(({ agent_cpu_seconds: _c, battery_pct_per_day: _b, ...rest }) => rest);

describe('fleetsim run and merge', () => {
  it('runs a scenario, passes its thresholds, and two merged shards equal the whole run', async () => {
    const whole = await reported(runScenario(scenario, { reportDir: tmp(), workers: 2 }));
    expect(whole.thresholdsPassed).toBe(true);
    const a = await reported(runScenario(scenario, { reportDir: tmp(), workers: 1, shard: { index: 0, count: 2 } }));
    const b = await reported(runScenario(scenario, { reportDir: tmp(), workers: 1, shard: { index: 1, count: 2 } }));
    const merged = await reported(mergeRuns([a.reportDir, b.reportDir], tmp()));
    expect(merged.figures.ledger).toEqual(whole.figures.ledger);
    expect(merged.figures.bandwidth).toEqual(whole.figures.bandwidth);
    expect(merged.figures.yield).toEqual(whole.figures.yield);
    expect(merged.figures.leaks).toEqual(whole.figures.leaks);
    expect(merged.figures.hourly).toEqual(whole.figures.hourly);
    const rows = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).result.laptops as LaptopRow[];
    expect(simulated(rows(merged.reportDir))).toEqual(simulated(rows(whole.reportDir)));
    // The same CSVs, byte for byte (measured CPU and battery live in laptops-measured.csv).
    for (const f of ['laptops.csv', 'groups.csv', 'hours.csv'])
      expect(readFileSync(join(merged.reportDir, f), 'utf8')).toBe(readFileSync(join(whole.reportDir, f), 'utf8'));
  });

  it('gives byte-identical CSVs and identical simulated figures for the same scenario and seed, whatever the workers', async () => {
    const a = await reported(runScenario(scenario, { reportDir: tmp(), workers: 0 }));
    const b = await reported(runScenario(scenario, { reportDir: tmp(), workers: 2 }));
    for (const f of ['laptops.csv', 'groups.csv', 'hours.csv'])
      expect(readFileSync(join(b.reportDir, f), 'utf8')).toBe(readFileSync(join(a.reportDir, f), 'utf8'));
    // Battery is built on measured CPU time; everything else is simulated.
    const simulated = (f: typeof a.figures) => {
      const { battery: _b, simulation: _s, histograms, ...rest } = f;
      return { ...rest, mb_per_laptop_day: histograms.mb_per_laptop_day };
    };
    expect(simulated(b.figures)).toEqual(simulated(a.figures));
  });

  it('refuses to merge a missing shard or shards of different runs', async () => {
    const a = await reported(runScenario(scenario, { reportDir: tmp(), workers: 0, shard: { index: 0, count: 2 } }));
    await expect(mergeRuns([a.reportDir], tmp())).rejects.toThrow(/every shard of the run exactly once/);
    const other = await reported(
      runScenario({ ...scenario, seed: 'other' }, { reportDir: tmp(), workers: 0, shard: { index: 1, count: 2 } }),
    );
    await expect(mergeRuns([a.reportDir, other.reportDir], tmp())).rejects.toThrow(
      /is a shard of another run than .*: seed is "merge" in .*, "other" in /,
    );
  });

  it('runScenario computes and judges but writes no report: report/ does', async () => {
    const dir = tmp();
    const r = await runScenario(scenario, { reportDir: dir, workers: 0 });
    expect(readdirSync(dir)).toEqual([]);
    const { files } = await writeScenarioReport(dir, r);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'groups.csv',
      'hours.csv',
      'laptops-measured.csv',
      'laptops.csv',
      'report.html',
      'results.json',
      'summary.json',
    ]);
    for (const f of ['summary.json', 'results.json']) expect(JSON.parse(readFileSync(join(dir, f), 'utf8')).format).toMatch(/^fleetsim-/);
  });

  it('reports failing thresholds as failures', async () => {
    const strict = resolveScenario({
      name: 'strict',
      seed: 'merge',
      fleet: { employees: 2 },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      thresholds: ['bandwidth.mb_per_laptop_day.max < 0.0001'],
    });
    const r = await runScenario(strict, { reportDir: tmp(), workers: 0 });
    expect(r.thresholdsPassed).toBe(false);
    expect(r.thresholds[0]!.pass).toBe(false);
  });

  it("over HTTP a laptop's second day is stored like its first: one batch numbering over the laptop's days", async () => {
    const s = resolveScenario({
      name: 'two-days',
      seed: 'two-days',
      fleet: { employees: 2, exemptionRequestShare: 0, pause: { neverPauseShare: 1, occasionalShare: 0 } },
      simulation: { days: 2, startDate: '2026-03-03' },
      transport: 'http',
    });
    const r = await runScenario(s, { reportDir: tmp(), workers: 0 });
    expect(r.figures.ledger.lost).toBe(0);
    expect(r.figures.ingest.by_status['409']).toBeUndefined();
    const day2 = r.figures.hourly.filter((h) => h.hour_utc >= '2026-03-04');
    expect(day2.reduce((a, h) => a + h.accepted, 0)).toBeGreaterThan(0);
  });
});
