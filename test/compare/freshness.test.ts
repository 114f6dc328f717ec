import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports } from '../../src/compare/index.js';
import { batchAgeScenario, runToReport, verdict } from './run-fixtures.js';

// Known effect, kept small: 6 laptops, one day, transport null (every batch acknowledged when sent).
const scenario = (batchMaxAgeMs: number) =>
  batchAgeScenario({ namePrefix: 'fresh', seed: 'freshness-effect', employees: 6, batchMaxAgeMs });

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-freshness-'));
const five = join(tmp, 'five');
const fifteen = join(tmp, 'fifteen');

describe('freshness: time from input to acknowledged upload', () => {
  beforeAll(async () => {
    await runToReport(five, scenario(300_000));
    await runToReport(fifteen, scenario(900_000));
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is per event and bounded by the batch age when nothing fails: half a batch at the median, about a whole one at the max', () => {
    for (const [dir, ageS] of [
      [five, 300],
      [fifteen, 900],
    ] as const) {
      const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(s.freshness.events).toBe(s.ledger.stored + s.ledger.redacted);
      expect(s.freshness.p50_s).toBeGreaterThan(ageS * 0.2);
      expect(s.freshness.p50_s).toBeLessThan(ageS * 0.8);
      // A batch is sealed by its timer batchMaxAge after its first event (or when full, sooner); transport null acknowledges at once.
      expect(s.freshness.max_s).toBeLessThanOrEqual(ageS + 1);
      expect(s.freshness.per_laptop_p95_s.max).toBeLessThanOrEqual(ageS + 1);
      expect(s.agent).toMatchObject({ codec: 'br', compression_level: 5, batch_max_age_s: ageS });
      const [head, ...rows] = readFileSync(join(dir, 'laptops.csv'), 'utf8').trim().split('\n');
      const col = head!.split(',').indexOf('freshness_p50_s');
      expect(col).toBeGreaterThan(0);
      expect(rows.filter((l) => l.split(',')[col] !== '').length).toBeGreaterThan(0);
    }
  });

  it('finds 15-minute batches better on wake-ups and worse on freshness than 5-minute ones, paired per laptop', () => {
    const r = compareReports({ baseline: [five], candidate: [fifteen] });
    expect(r.result.pairing.paired).toBe(true);
    expect(verdict(r, 'battery.wakeups_per_min')).toBe('better');
    for (const key of ['freshness.p50_s', 'freshness.p95_s']) expect(verdict(r, key), key).toBe('worse');
    const fresh = r.result.figures.find((f) => f.figure.key === 'freshness.p50_s')!.statistics[0]!;
    expect(fresh.rel!.estimate).toBeGreaterThan(1);
    expect(fresh.rel!.low).toBeGreaterThan(0);
  });

  it('A/A: the same batches find no change in freshness', () => {
    const r = compareReports({ baseline: [five], candidate: [five] });
    expect(verdict(r, 'freshness.p50_s')).toBe('no change');
  });
});
