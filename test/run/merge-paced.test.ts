import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScenarioReport } from '../../src/report/index.js';
import { mergeRuns, runScenario, type ScenarioRunResult } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

// An hour's window at 3600x: one wall second per shard, at an hour when the laptops of both shards are in use (in an
// hour when a shard's laptops produce nothing no timer fires, and the lateness threshold has nothing to judge).
const scenario = resolveScenario({
  name: 'merge-paced',
  seed: 'merge-paced',
  fleet: { employees: 4 },
  simulation: { speed: 3600, window: { day: 1, at: '15:00', durationMinutes: 60 } },
  transport: 'null',
  thresholds: ['paced.schedule_lag_p99_ms < 1000'],
});
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-paced-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dirs = [join(root, 's0'), join(root, 's1')];
const shards: ScenarioRunResult[] = [];
let merged: ScenarioRunResult;
beforeAll(async () => {
  for (const [index, dir] of dirs.entries()) {
    const r = await runScenario(scenario, { reportDir: dir, workers: 0, shard: { index, count: 2 } });
    await writeScenarioReport(dir, r);
    shards.push(r);
  }
  merged = await mergeRuns(dirs, join(root, 'merged'));
}, 60_000);

describe('merge of a paced window run keeps its pacing', () => {
  it('every shard ran paced over the window of an hour and passed its lateness threshold', () => {
    for (const s of shards) {
      expect(s.figures.period.label).toBe('60 min window');
      expect(s.figures.paced?.schedule_lag_p99_ms).not.toBeNull();
      expect(s.thresholdsPassed).toBe(true);
    }
  });

  it('reports the period of the window, not a day', () => {
    expect(merged.figures.period).toEqual(shards[0]!.figures.period);
  });

  it("combines the shards' lateness histograms: every timer of every shard, the worst of them as the max", () => {
    const p = merged.figures.paced;
    expect(p).not.toBeNull();
    expect(p!.speed).toBe(3600);
    expect(p!.from_utc).toBe(shards[0]!.figures.paced!.from_utc);
    expect(p!.until_utc).toBe(shards[0]!.figures.paced!.until_utc);
    expect(p!.timers).toBe(shards.reduce((a, s) => a + s.figures.paced!.timers, 0));
    expect(p!.schedule_lag_max_ms).toBe(Math.max(...shards.map((s) => s.figures.paced!.schedule_lag_max_ms!)));
  });

  it('judges the lateness threshold on the merged figures, as the shards did', () => {
    expect(merged.thresholds[0]!.actual).not.toBeNull();
    expect(merged.thresholdsPassed).toBe(true);
  });

  it('the merged summary.json carries the pacing too', async () => {
    const out = join(root, 'merged');
    await writeScenarioReport(out, merged);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { period: { label: string }; paced: unknown };
    expect(summary.period.label).toBe('60 min window');
    expect(summary.paced).not.toBeNull();
  });
});
