/**
 * What compare reads of a report folder: results.json, which every run and
 * sweep writes whatever its outputs say; the CSVs only in reports written
 * before sweeps had a results.json; and a refusal that says what a report
 * folder holds. Real runs and sweeps of tiny fleets, a few seconds each.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports, readSide } from '../../src/compare/index.js';
import { writeSweepReport } from '../../src/report/sweep-report.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/sweep/index.js';
import { batchAgeScenario, runToReport, verdict } from './run-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (batchMaxAgeMs: number, csv: boolean) =>
  batchAgeScenario({ namePrefix: 'read', seed: 'compare-read', employees: 6, batchMaxAgeMs, csv });

const dirs = {
  fiveNoCsv: join(tmp, 'five-no-csv'),
  fifteenNoCsv: join(tmp, 'fifteen-no-csv'),
  fiveCsv: join(tmp, 'five-csv'),
  /** fiveCsv as an older fleetsim left it: the CSVs, no results.json. */
  fiveOld: join(tmp, 'five-old'),
};

describe('compare reads run reports from results.json', () => {
  beforeAll(async () => {
    await runToReport(dirs.fiveNoCsv, run(300_000, false));
    await runToReport(dirs.fifteenNoCsv, run(900_000, false));
    await runToReport(dirs.fiveCsv, run(300_000, true));
    cpSync(dirs.fiveCsv, dirs.fiveOld, { recursive: true });
    rmSync(join(dirs.fiveOld, 'results.json'));
  }, 120_000);

  it('compares run reports written with outputs.csv: false', () => {
    expect(existsSync(join(dirs.fiveNoCsv, 'laptops.csv'))).toBe(false);
    const r = compareReports({ baseline: [dirs.fiveNoCsv], candidate: [dirs.fifteenNoCsv] });
    expect(r.kind).toBe('run');
    expect(r.result.pairing).toEqual({ paired: true, common: 6, baseline_units: 6, candidate_units: 6 });
    expect(verdict(r, 'battery.wakeups_per_min')).toBe('better');
    expect(verdict(r, 'freshness.p50_s')).toBe('worse');
  });

  it('reads from results.json the same per-laptop figures, measured ones included, as an older report gives from its CSVs', () => {
    const fromJson = readSide([dirs.fiveCsv], 'candidate');
    const fromCsv = readSide([dirs.fiveOld], 'baseline');
    const units = (s: typeof fromJson) => [...s.replicas[0]!.units.values()];
    expect(units(fromJson)).toHaveLength(6);
    // The CSVs write 6 significant digits (report/csv.ts), and some figures are ratios of two columns: the same to 1e-4.
    const a = units(fromJson);
    const b = units(fromCsv);
    expect(a).toHaveLength(b.length);
    a.forEach((u, i) => {
      expect(Object.keys(u)).toEqual(Object.keys(b[i]!));
      for (const [k, v] of Object.entries(u)) {
        const w = b[i]![k];
        if (typeof v === 'number' && typeof w === 'number') expect(Math.abs(v - w), k).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
        else expect(w, k).toEqual(v);
      }
    });
    expect(fromJson.seeds).toEqual(fromCsv.seeds);
    for (const u of units(fromJson)) {
      expect(u['battery.cpu_s_per_hour']).toBeGreaterThan(0);
      expect(u['battery.wh_per_day']).toBeGreaterThan(0);
    }
    // An old report and a new one of the same seed and fleet still pair, laptop by laptop.
    const r = compareReports({ baseline: [dirs.fiveOld], candidate: [dirs.fiveNoCsv] });
    expect(r.result.pairing.paired).toBe(true);
    expect(verdict(r, 'battery.wakeups_per_min')).toBe('no change');
  });

  it('refuses a folder that is no report, saying what a report folder holds and what this one holds', () => {
    const notes = join(tmp, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'x');
    expect(() => compareReports({ baseline: [notes], candidate: [dirs.fiveNoCsv] })).toThrow(
      /notes is not a report folder of fleetsim run or sweep \(results\.json; laptops\.csv or replicas\.csv from versions before it\) or of fleetsim load \(summary\.json with latency and throughput\); it holds todo\.txt/,
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => compareReports({ baseline: [empty], candidate: [dirs.fiveNoCsv] })).toThrow(
      /empty is not a report folder .*; it is empty/,
    );
  });

  it('refuses a run report that lost its results.json and has no CSVs, naming what is missing', () => {
    const bare = join(tmp, 'bare');
    cpSync(dirs.fiveNoCsv, bare, { recursive: true });
    rmSync(join(bare, 'results.json'));
    expect(() => compareReports({ baseline: [bare], candidate: [dirs.fiveNoCsv] })).toThrow(
      /bare is a fleetsim run report without results\.json or laptops\.csv: compare reads each laptop's figures from one of them/,
    );
  });

  it('refuses a results.json of another layout or a damaged one, naming the file', () => {
    const foreign = join(tmp, 'foreign');
    cpSync(dirs.fiveNoCsv, foreign, { recursive: true });
    writeFileSync(join(foreign, 'results.json'), JSON.stringify({ format: 'fleetsim-results/9', seed: 'x', result: {} }));
    expect(() => compareReports({ baseline: [foreign], candidate: [dirs.fiveNoCsv] })).toThrow(
      /foreign\/results\.json is format "fleetsim-results\/9"; fleetsim compare reads fleetsim-results\/1 \(run\) and fleetsim-sweep-results\/1 \(sweep\)/,
    );
    writeFileSync(join(foreign, 'results.json'), JSON.stringify({ format: 'fleetsim-results/1', seed: 'x', result: { laptops: 3 } }));
    expect(() => compareReports({ baseline: [foreign], candidate: [dirs.fiveNoCsv] })).toThrow(
      /foreign\/results\.json is not a fleetsim results file: "result\.laptops" is not a list of laptops/,
    );
  });
});

describe('compare reads sweep reports from results.json', () => {
  const sweep = (csv: boolean) =>
    resolveScenario({
      name: 'read-sweep',
      seed: 'compare-read-sweep',
      fleet: { employees: 12, exemptionRequestShare: 0.5 },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      sweep: { replicas: 2, policy: { pauseCapMinutes: [15, 30] } },
      outputs: { csv, html: false },
    });

  it(
    'compares sweeps written with outputs.csv: false, and an older one (replicas.csv only) against a new one',
    { timeout: 60_000 },
    async () => {
      const noCsv = join(tmp, 'sweep-no-csv');
      const withCsv = join(tmp, 'sweep-csv');
      for (const [dir, csv] of [
        [noCsv, false],
        [withCsv, true],
      ] as const) {
        const s = sweep(csv);
        await writeSweepReport(await runSweep(s, { mode: 'fast', workers: 0 }), dir, s.outputs);
      }
      expect(existsSync(join(noCsv, 'replicas.csv'))).toBe(false);
      const r = compareReports({ baseline: [noCsv], candidate: [withCsv] });
      expect(r.kind).toBe('sweep');
      expect(r.result.pairing.paired).toBe(true);
      expect(r.result.figures.map((f) => f.figure.key)).toContain('cell[policy.pauseCapMinutes=15].yield');
      for (const f of r.result.figures) for (const st of f.statistics) expect(st.verdict, f.figure.key).toBe('no change');

      const old = join(tmp, 'sweep-old');
      cpSync(withCsv, old, { recursive: true });
      rmSync(join(old, 'results.json'), { force: true });
      const fromCsv = readSide([old], 'baseline');
      const fromJson = readSide([withCsv], 'candidate');
      expect(fromCsv.figures).toEqual(fromJson.figures);
      // replicas.csv rounds to 6 decimals; results.json keeps every digit.
      const a = fromCsv.replicas[0]!.units;
      const b = fromJson.replicas[0]!.units;
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [id, figures] of a)
        for (const [key, v] of Object.entries(figures)) expect(b.get(id)![key], `${id} ${key}`).toBeCloseTo(v, 5);
      expect(JSON.parse(readFileSync(join(noCsv, 'results.json'), 'utf8')).format).toBe('fleetsim-sweep-results/1');
    },
  );
});
