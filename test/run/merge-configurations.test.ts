import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { writeScenarioReport } from '../../src/report/run-report.js';
import { mergeRuns, runScenario, type ConfigurationRow, type ScenarioRunResult } from '../../src/run/index.js';
import { parseScenario } from '../../src/scenario/index.js';

// Two batchings of one small fleet and a freshness threshold only the shorter batches meet. The first configuration
// (whose figures are the top of the report) fails it, the second meets it: the run passes on the second alone.
const SCENARIO = `name: merge-side-by-side
seed: merge-configurations
fleet: { employees: 4 }
simulation: { days: 1, startDate: "2026-03-03" }
transport: "null"
agents:
  - name: fifteen-min
    agent: { batchMaxAgeMs: 900000 }
  - name: two-min
    agent: { batchMaxAgeMs: 120000 }
thresholds:
  - freshness.p95_s < 400
`;

const scenario = parseScenario(SCENARIO, 'merge-side-by-side.yaml');
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-configurations-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dirs = [join(root, 's0'), join(root, 's1')];
const out = join(root, 'merged');
let whole: ScenarioRunResult;
let merged: ScenarioRunResult;
beforeAll(async () => {
  whole = await runScenario(scenario, { reportDir: join(root, 'whole'), workers: 0 });
  for (const [index, dir] of dirs.entries()) {
    const r = await runScenario(scenario, { reportDir: dir, workers: 0, shard: { index, count: 2 } });
    await writeScenarioReport(dir, r);
  }
  merged = await mergeRuns(dirs, out);
  await writeScenarioReport(out, merged);
}, 120_000);

/** A row without what this machine measures (agent CPU and the battery figures built on it). */
const simulated = ({
  cpu_s_per_hour_mean: _c,
  battery_pct_per_day_mean: _b,
  battery_pct_per_day_p95: _b95,
  battery_mwh_per_day_mean: _mwh,
  ...rest
}: ConfigurationRow) => rest;

const table = (r: ScenarioRunResult) => r.configurations!.table;

describe('merge of a run with several agent configurations', () => {
  it('the unsharded run passes on its second configuration alone', () => {
    expect(whole.configurations?.table.rows.map((r) => [r.name, r.thresholds_passed])).toEqual([
      ['fifteen-min', false],
      ['two-min', true],
    ]);
    expect(whole.thresholdsPassed).toBe(true);
  });

  it('merges every configuration: the same side-by-side table and recommendation as the unsharded run', () => {
    const table = merged.configurations?.table;
    expect(table?.rows.map(simulated)).toEqual(whole.configurations!.table.rows.map(simulated));
    expect(table?.recommended).toBe('two-min');
  });

  it('passes when a configuration meets the thresholds, as the unsharded run does', () => {
    expect(merged.thresholdsPassed).toBe(true);
    expect(merged.figures.ledger).toEqual(whole.figures.ledger);
    // The thresholds shown are the recommended configuration's, as in the unsharded run, so they agree with the verdict.
    expect(table(merged).thresholds_configuration).toBe('two-min');
    expect(merged.thresholds).toEqual(whole.thresholds);
    expect(merged.thresholds.every((t) => t.pass)).toBe(true);
  });

  it("writes each configuration's merged report in configurations/<name>/", () => {
    for (const name of ['fifteen-min', 'two-min']) {
      expect(existsSync(join(out, 'configurations', name, 'summary.json')), name).toBe(true);
      expect(existsSync(join(out, 'configurations', name, 'results.json')), name).toBe(true);
    }
  });

  it('exits 0 from the command line, as the unsharded run does', async () => {
    let stderr = '';
    const code = await runCli(['merge', ...dirs, '--out', join(root, 'cli'), '--json'], { stderr: (s) => (stderr += s) });
    expect(code, stderr).toBe(0);
  });

  it("names a shard missing a configuration's folder (exit 2)", async () => {
    const partial = join(root, 'partial');
    cpSync(dirs[1]!, partial, { recursive: true });
    rmSync(join(partial, 'configurations', 'two-min'), { recursive: true });
    let stderr = '';
    const code = await runCli(['merge', dirs[0]!, partial, '--out', join(root, 'partial-merged')], { stderr: (s) => (stderr += s) });
    expect(stderr).toContain(`${partial} has no configurations/two-min/`);
    expect(code).toBe(2);
  });
});
