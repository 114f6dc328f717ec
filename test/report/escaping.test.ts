import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/compare/index.js';
import { writeCompareReport } from '../../src/report/compare-report.js';
import { writeLoadReport } from '../../src/report/load-report.js';
import { writeRunReport, writeScenarioReport } from '../../src/report/run-report.js';
import { writeSweepReport } from '../../src/report/sweep-report.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import type { LoadResult } from '../../src/load/results.js';
import { fixtureSweep } from '../sweep/fixture.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-escape-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Markup a hostile or careless text field could carry: a script, an attribute break-out, an entity. */
const MARK = `<script>alert("x")</script><img src=x onerror='y'> & "q" &amp;`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt; &amp; &quot;q&quot; &amp;amp;';

function expectEscaped(html: string, times: number): void {
  expect(html).not.toContain('<script');
  expect(html).not.toContain('<img');
  expect(html).not.toContain(`onerror='y'`);
  // Every injected field is there, escaped (text loses nothing, e.g. the load report's reasons kept their < and >).
  expect(html.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(times);
}

describe('HTML reports escape every text they print', () => {
  it('run report: scenario name, description, office names (group labels), threshold expressions, chart labels', async () => {
    const s = resolveScenario({
      name: 'escape',
      seed: 'escape',
      transport: 'null',
      description: MARK,
      fleet: { employees: 2, offices: [{ name: MARK, timezone: 'Europe/Berlin' }] },
      thresholds: ['ledger.lost == 0'],
    });
    const r = await runScenario(s, { reportDir: tmp(), workers: 0 });
    const dir = tmp();
    await writeScenarioReport(dir, r);
    // The presenter may be handed any text (a merge of hand-edited results): the name and the threshold expressions too.
    await writeRunReport(dir, {
      scenarioName: MARK,
      scenario: s,
      seed: MARK,
      versions: { fleetsim: MARK },
      figures: { ...r.figures, yield: { ...r.figures.yield, by_department: { [MARK]: 0.5 }, by_role: { [MARK]: 0.5 } } },
      thresholds: [{ expression: MARK, actual: 1, pass: false }],
      measured: { note: MARK },
      laptops: r.fleet.laptops,
      outputs: { csv: true, html: true },
      startedAt: MARK,
    });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expectEscaped(html, 5);
  }, 60_000);

  it('load report: target, seed, invalid reasons (once stripped of < and >), error reasons, step labels', async () => {
    const dir = tmp();
    const result = {
      format: 'fleetsim-load-results/1',
      mode: 'open',
      profile: MARK,
      target: MARK,
      seed: MARK,
      laptops: 1,
      devices: 1,
      connections: 1,
      started_at: MARK,
      duration_s: 1,
      wall_s: 1,
      valid: false,
      invalid_reasons: [MARK, `a < b > c`],
      validity_bounds: { max_lag_p99_ms: 20, min_cpu_headroom: 0.1 },
      fleet: { instant_utc: MARK, time_scale: 1, laptops_at_work: 1, uploads_per_laptop_hour_at_work: 1, planned_rate_per_s: 1 },
      corpus: { source: MARK, templates: 1, bodies: 1, body_bytes_p50: 1, body_bytes_p95: 1, body_bytes_max: 1, unique_bodies: true },
      shard: null,
      requests: {
        planned: 2,
        sent: 2,
        completed: 2,
        accepted: 1,
        failed: 1,
        unfinished: 0,
        events_accepted: 1,
        bytes_accepted: 1,
        truncated_by_max_requests: false,
      },
      throughput: { requests_per_s: 2, accepted_per_s: 1, events_per_s: 1, accepted_mb_per_s: 0 },
      latency: { all: { requests: 2, p50_ms: 1, p90_ms: 1, p99_ms: 1, p999_ms: 1, max_ms: 1 } },
      errors: { total: 1, rate: 0.5, by_status: { [MARK]: 1 }, by_reason: { [MARK]: 1 } },
      schedule_lag: { requests: 2, p50_ms: 1, p90_ms: 1, p99_ms: 1, p999_ms: 1, max_ms: 1 },
      generator: { cpu_s: 1, cpu_us_per_request: 1, event_loop_utilization: 0.1, cpu_headroom: 0.9 },
      drain: null,
      ramp: null,
      ingest: { p50_ms: 1, p90_ms: 1, p99_ms: 1, p999_ms: 1, max_ms: 1, events_per_s: 1, batches_per_s: 1, errors: 1, error_rate: 0.5 },
      timeline: [{ second: 0, sent: 2, accepted: 1, failed: 1, mean_latency_ms: 1, max_latency_ms: 1 }],
      histograms: {},
      stopped_by: MARK,
    } as unknown as LoadResult;
    await writeLoadReport(dir, { result, thresholds: [{ expression: MARK, actual: 1, pass: false }], versions: { fleetsim: MARK } });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expectEscaped(html, 4);
    expect(html).toContain('a &lt; b &gt; c');
  });

  it('sweep report: name, seed, axis path and value labels, group names; the embedded figures cannot close their script', async () => {
    const dir = tmp();
    const r = {
      ...fixtureSweep({ name: MARK, capPath: `policy.${MARK}`, capLabels: [`${MARK}15`, '60'], departments: [MARK, 'Sales'] }),
      seed: MARK,
    };
    await writeSweepReport(r, dir, { csv: true, html: true });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // The page's own two scripts: the figures as JSON and the comparison's code. Nothing else is a script or an image.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1])).toEqual([' type="application/json" id="sweep-data"', '']);
    const json = scripts[0]![2]!;
    expect(json).not.toMatch(/[<>&]/);
    // The text itself survives the escaping.
    expect((JSON.parse(json) as { cells: { groups: { department: object } }[] }).cells[0]!.groups.department).toHaveProperty([MARK]);
    const rest = html.replace(scripts[0]![0], '').replace(scripts[1]![0], '');
    expectEscaped(rest, 10);
    // Title, subtitle (name and seed), axis header and tooltip, the rule's heading, every cell's title, group names.
    expect(rest).toContain(`<title>fleetsim sweep ${ESCAPED}</title>`);
    expect(rest).toContain(`title="policy.${ESCAPED}"`);
  });

  it('compare report: folders, what is compared, figure labels, keys and units, notes, gates', async () => {
    const dir = tmp();
    const stat = {
      statistic: 'mean' as const,
      verdict: 'worse' as const,
      baseline: 1,
      candidate: 2,
      diff: { estimate: 1, low: 0.5, high: 1.5 },
      rel: { estimate: 1, low: 0.5, high: 1.5 },
    };
    const figure = {
      figure: { key: MARK, alias: MARK, label: MARK, unit: MARK, better: 'lower' as const },
      paired: true,
      n_baseline: 3,
      n_candidate: 3,
      tolerance: 0.02,
      replica_cv: { baseline: 0.01, candidate: 0.01 },
      erratic: false,
      note: MARK,
      baseline_values: [1, 1.1, 0.9],
      candidate_values: [2, 2.1, 1.9],
      statistics: [stat],
    };
    const r: CompareReport = {
      kind: 'sweep',
      baseline: { folders: [MARK], seeds: [MARK] },
      candidate: { folders: [MARK], seeds: [MARK] },
      compared: MARK,
      result: {
        confidence: 0.95,
        resamples: 100,
        seed: MARK,
        erratic_cv: 0.5,
        pairing: { paired: true, common: 3, baseline_units: 3, candidate_units: 3 },
        replicas: { baseline: 3, candidate: 3 },
        figures: [figure],
      },
      gates: [{ expression: MARK, pass: false, judged: true, tripped: [MARK], unjudged: [], reasons: [] }],
      gatesPassed: false,
      historyAppended: [],
    };
    await writeCompareReport(dir, r);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expectEscaped(html, 8);
  });
});
