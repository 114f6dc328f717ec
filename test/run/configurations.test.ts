import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRun } from '../../src/report/text.js';
import { runJson, writeScenarioReport } from '../../src/report/run-report.js';
import {
  configurationsTable,
  runScenario,
  type ConfigurationRow,
  type ConfigurationStep,
  type ScenarioRunResult,
} from '../../src/run/index.js';
import { parseScenario } from '../../src/scenario/index.js';
import { scenarioProblems } from '../scenario/problems.js';

// Three batchings of one small fleet (5 laptops, one day, transport null), and a freshness
// threshold only the shorter batches meet: the cheapest configuration (15-minute batches) fails it.
const SCENARIO = `name: side-by-side
seed: configurations-test
fleet: { employees: 5 }
simulation: { days: 1, startDate: "2026-03-03" }
transport: "null"
agents:
  - name: five-min
    agent: { batchMaxAgeMs: 300000 }
  - name: fifteen-min
    agent: { batchMaxAgeMs: 900000 }
  - name: two-min
    agent: { batchMaxAgeMs: 120000 }
thresholds:
  - freshness.p95_s < 400
  - leaks.canaries == 0
`;

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-configurations-'));
let result: ScenarioRunResult;
let files: string[];
/** What the run reported as it went: each configuration as it started, and the progress within it. */
const heard: ({ step: ConfigurationStep } | { laptopsDone: number })[] = [];
const row = (name: string) => result.configurations!.table.rows.find((r) => r.name === name)!;

describe('agent configurations side by side (scenario agents)', () => {
  beforeAll(async () => {
    result = await runScenario(parseScenario(SCENARIO, 'side-by-side.yaml'), {
      reportDir: tmp,
      workers: 0,
      onConfiguration: (step) => heard.push({ step }),
      onProgress: (p) => heard.push({ laptopsDone: p.laptopsDone }),
    });
    files = (await writeScenarioReport(tmp, result)).files;
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs the same people under each configuration and gives each its own, distinct figures', () => {
    const t = result.configurations!.table;
    expect(t.rows.map((r) => r.name)).toEqual(['five-min', 'fifteen-min', 'two-min']);
    // Same people, same input: the same yield; batching changes wake-ups, battery and freshness.
    expect(new Set(t.rows.map((r) => r.yield)).size).toBe(1);
    expect(new Set(t.rows.map((r) => r.wakeups_per_min_mean)).size).toBe(3);
    expect(new Set(t.rows.map((r) => r.battery_mwh_per_day_mean)).size).toBe(3);
    expect(row('two-min').wakeups_per_min_mean).toBeGreaterThan(row('five-min').wakeups_per_min_mean!);
    expect(row('five-min').wakeups_per_min_mean).toBeGreaterThan(row('fifteen-min').wakeups_per_min_mean!);
    expect(row('fifteen-min').freshness_p50_s!).toBeGreaterThan(row('five-min').freshness_p50_s!);
    expect(row('five-min').freshness_p50_s!).toBeGreaterThan(row('two-min').freshness_p50_s!);
    for (const r of t.rows) expect(r.agent).toMatchObject({ codec: 'br', compression_level: 5 });
    expect(t.rows.map((r) => r.agent.batch_max_age_s)).toEqual([300, 900, 120]);
  });

  it('says which configuration it is on as each starts, before that configuration’s progress', () => {
    const steps = heard.flatMap((h) => ('step' in h ? [h.step] : []));
    expect(steps).toEqual([
      { index: 0, count: 3, name: 'five-min', completed: [] },
      { index: 1, count: 3, name: 'fifteen-min', completed: ['five-min'] },
      { index: 2, count: 3, name: 'two-min', completed: ['five-min', 'fifteen-min'] },
    ]);
    // Between one configuration's start and the next, its own laptops' progress, up to the whole fleet.
    const starts = heard.flatMap((h, i) => ('step' in h ? [i] : []));
    starts.forEach((from, k) => {
      const within = heard.slice(from + 1, starts[k + 1] ?? heard.length).map((h) => ('laptopsDone' in h ? h.laptopsDone : -1));
      expect(within.length).toBeGreaterThan(0);
      expect(within.at(-1)).toBe(5);
    });
  });

  it('recommends the cheapest configuration that meets the thresholds, not the cheapest overall', () => {
    const t = result.configurations!.table;
    expect(row('fifteen-min').thresholds_passed).toBe(false);
    expect(row('fifteen-min').thresholds_failed).toEqual(['freshness.p95_s < 400']);
    const passing = t.rows.filter((r) => r.thresholds_passed);
    expect(passing.map((r) => r.name).sort()).toEqual(['five-min', 'two-min']);
    const cheapest = passing.reduce((a, b) => (b.battery_pct_per_day_mean! < a.battery_pct_per_day_mean! ? b : a));
    expect(t.recommended).toBe(cheapest.name);
    expect(t.recommended).toBe('five-min');
    expect(t.recommendation).toMatch(
      /^Recommended: five-min, the cheapest of the 2 configurations that meet the thresholds .*; 1 fails them\.$/,
    );
    expect(result.thresholdsPassed).toBe(true);
  });

  it('says so when no configuration meets the thresholds', () => {
    const rows = result.configurations!.table.rows.map((r): ConfigurationRow => ({
      ...r,
      thresholds_passed: false,
      thresholds_failed: ['x < 1'],
    }));
    const t = configurationsTable(rows);
    expect(t.recommended).toBeNull();
    expect(t.recommendation).toMatch(/^No configuration meets the thresholds/);
  });

  it('reports one table in summary.json, the text and report.html, and each configuration in its own folder', () => {
    const s = JSON.parse(readFileSync(join(tmp, 'summary.json'), 'utf8'));
    expect(s.format).toBe('fleetsim-run-summary/2');
    expect(s.configurations.recommended).toBe('five-min');
    expect(s.configurations.rows).toHaveLength(3);
    expect(Object.keys(s.configurations.rows[0])).toEqual(
      expect.arrayContaining([
        'mb_per_laptop_day_mean',
        'cpu_s_per_hour_mean',
        'wakeups_per_min_mean',
        'battery_mwh_per_day_mean',
        'freshness_p95_s',
        'yield',
        'agent',
      ]),
    );
    // The rest of the report is the first configuration's, and names its settings.
    expect(s.agent.batch_max_age_s).toBe(300);
    const text = formatRun(result, files);
    // The header's time is the first configuration's, said so, beside the time of all three.
    const all = result.configurations!.runs.reduce((a, x) => a + x.figures.simulation.wall_seconds, 0);
    expect(all).toBeGreaterThan(result.figures.simulation.wall_seconds);
    expect(text.split('\n')[0]).toBe(
      `fleetsim run side-by-side: 5 laptops, ${result.figures.events.toLocaleString('en-US')} input events in ${result.figures.simulation.wall_seconds} s for configuration five-min (all 3 configurations: ${Math.round(all * 1000) / 1000} s) (${result.figures.simulation.employee_days_per_min.toLocaleString('en-US')} employee-days/min)`,
    );
    for (const name of ['five-min', 'fifteen-min', 'two-min']) expect(text).toContain(name);
    expect(text).toContain('Recommended: five-min');
    expect(text).toMatch(/agent +br level 5, batches of up to 5 min/);
    const html = readFileSync(join(tmp, 'report.html'), 'utf8');
    expect(html).toContain('Agent configurations side by side');
    expect(html).toContain('five-min (recommended)');
    const sub = JSON.parse(readFileSync(join(tmp, 'configurations', 'fifteen-min', 'summary.json'), 'utf8'));
    expect(sub.agent.batch_max_age_s).toBe(900);
    expect(sub.freshness.p95_s).toBe(row('fifteen-min').freshness_p95_s);
  });
});

describe('bad agent configuration entries', () => {
  const problems = (text: string) => scenarioProblems(text);

  it('are refused with file:line, what is wrong and what is allowed', () => {
    expect(problems('name: x\nagents:\n  - name: a\n    agent: { batchMaxAgeMs: 300000 }\n  - name: a\n    agent: {}\n')).toEqual([
      expect.stringMatching(/^x\.yaml:5:\d+ agents\[1\]\.name: must be unique: another agent configuration is named "a"/),
    ]);
    expect(problems('name: x\nagents:\n  - name: a\n    agent: { batchMaxAgeMS: 300000 }\n  - name: b\n    agent: {}\n')[0]).toMatch(
      /^x\.yaml:4:\d+ agents\[0\]\.agent\.batchMaxAgeMS: unknown field "batchMaxAgeMS"; did you mean "batchMaxAgeMs"\?/,
    );
    expect(problems('name: x\nagents:\n  - name: a\n    agent: { kind: process }\n  - name: b\n    agent: {}\n')[0]).toMatch(
      /^x\.yaml:4:\d+ agents\[0\]\.agent\.kind: cannot be set per configuration/,
    );
    expect(
      problems('name: x\nagents:\n  - name: a\n    agent: { codec: gzip, compressionLevel: 11 }\n  - name: b\n    agent: {}\n')[0],
    ).toMatch(/^x\.yaml:4:\d+ agents\[0\]\.agent\.compressionLevel: must be a whole number from 0 to 9 for codec gzip/);
    expect(problems('name: x\nagents:\n  - name: only\n    agent: {}\n')[0]).toMatch(
      /^x\.yaml:2:1 agents: must be a list of 2 to 20 agent configurations, got a list of 1/,
    );
    expect(problems('name: x\nagents:\n  - name: "a b"\n    agent: {}\n  - name: c\n    agent: {}\n')[0]).toMatch(
      /^x\.yaml:3:\d+ agents\[0\]\.name: must be 1 to 60 letters/,
    );
  });
});

// The first configuration (15-minute batches) fails the freshness threshold, the second meets it:
// the run's verdict rests on the second, and what it reports at top level must be that one's.
const FIRST_FAILS = SCENARIO.replace(
  /agents:[\s\S]*?thresholds:/,
  'agents:\n  - name: fifteen-min\n    agent: { batchMaxAgeMs: 900000 }\n  - name: five-min\n    agent: { batchMaxAgeMs: 300000 }\nthresholds:',
).replace('name: side-by-side', 'name: first-fails');

describe('the verdict of a run of several configurations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-configurations-verdict-'));
  let r: ScenarioRunResult;
  beforeAll(async () => {
    r = await runScenario(parseScenario(FIRST_FAILS, 'first-fails.yaml'), { reportDir: dir, workers: 0 });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the thresholds of the configuration it rests on, named, and passes only when they pass', async () => {
    const t = r.configurations!.table;
    expect(t.recommended).toBe('five-min');
    expect(t.thresholds_configuration).toBe('five-min');
    // thresholds_passed never contradicts the outcomes printed next to it.
    expect(r.thresholdsPassed).toBe(true);
    expect(r.thresholds.every((o) => o.pass)).toBe(true);
    expect(r.thresholds).toEqual(r.configurations!.runs[1]!.thresholds);
    const printed = runJson(dir, r);
    expect(printed).toMatchObject({ thresholds_passed: true, thresholds_configuration: 'five-min' });
    const files = (await writeScenarioReport(dir, r)).files;
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.thresholds_configuration).toBe('five-min');
    expect(summary.thresholds.every((o: { pass: boolean }) => o.pass)).toBe(true);
    const text = formatRun(r, files);
    expect(text).toContain('thresholds  of configuration five-min (recommended)');
    expect(text).not.toMatch(/threshold +FAIL/);
  });

  it('reports the first configuration’s failures, and fails, when no configuration meets the thresholds', () => {
    const rows = r.configurations!.table.rows.map((x): ConfigurationRow => ({
      ...x,
      thresholds_passed: false,
      thresholds_failed: ['x < 1'],
    }));
    const t = configurationsTable(rows);
    expect(t.recommended).toBeNull();
    expect(t.thresholds_configuration).toBe('fifteen-min');
  });
});

describe('configurations with no data (an empty shard)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-configurations-empty-'));
  let r: ScenarioRunResult;
  let files: string[];
  beforeAll(async () => {
    // One employee over two shards: shard 0 gets none, so no configuration has a laptop.
    const one = SCENARIO.replace('fleet: { employees: 5 }', 'fleet: { employees: 1 }');
    r = await runScenario(parseScenario(one, 'empty.yaml'), { reportDir: dir, workers: 0, shard: { index: 0, count: 2 } });
    files = (await writeScenarioReport(dir, r)).files;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows n/a, not zeros, judges nothing and recommends nothing', () => {
    const t = r.configurations!.table;
    for (const row of t.rows) {
      expect(row).toMatchObject({
        mb_per_laptop_day_mean: null,
        battery_mwh_per_day_mean: null,
        yield: null,
        thresholds_passed: null,
        not_judged: expect.stringMatching(/^shard 0\/2 has no laptops/),
      });
    }
    expect(t.recommended).toBeNull();
    expect(t.recommendation).toMatch(/^No recommendation: no configuration has data to compare \(shard 0\/2 has no laptops/);
    // Nothing judged fails nothing: the shard exits 0, as an empty shard of one configuration does.
    expect(r.thresholdsPassed).toBe(true);
    expect(r.thresholds.every((o) => o.not_judged !== undefined)).toBe(true);
    const text = formatRun(r, files);
    const table = text.slice(text.indexOf('agent configurations side by side'));
    expect(table).not.toMatch(/0\.00 %| pass\b|\(0 mWh|Recommended/);
    expect(table).toMatch(/five-min +n\/a +n\/a/);
    expect(table).toContain('not judged');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.configurations.rows[0].yield).toBeNull();
    expect(summary.configurations.recommended).toBeNull();
  });
});
