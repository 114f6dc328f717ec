import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ON_SCHEDULE_LAG_MS,
  RESULTS_FORMAT,
  agentSettings,
  describeAgentSettings,
  type AgentSettings,
  type ConfigurationsTable,
  type LaptopRow,
  type RunFigures,
  type ScenarioRunResult,
} from '../run/index.js';
import type { OutputSettings, ThresholdOutcome } from '../scenario/index.js';
import { VERSION } from '../version.js';
import { writeCsv } from './csv.js';
import { barChart, esc, histogramChart, lineChart, page, table, type ReportSection } from './html.js';
import { writeJson } from './json.js';

/** Version of a run's summary.json: a reader can tell which layout it holds (2: agent, freshness, configurations). */
export const RUN_SUMMARY_FORMAT = 'fleetsim-run-summary/2';

export interface RunReportInput {
  readonly scenarioName: string;
  /** The resolved scenario, echoed into summary.json so a report says what produced it. */
  readonly scenario: unknown;
  readonly seed: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly figures: RunFigures;
  readonly thresholds: readonly ThresholdOutcome[];
  readonly measured: Readonly<Record<string, number | string | boolean>>;
  readonly laptops: readonly LaptopRow[];
  readonly startedAt: string;
  /** The agent settings measured (absent: the report cannot say, e.g. an old results file). */
  readonly agent?: AgentSettings;
  /** Agent configurations side by side (the rest of the report is the first one's). */
  readonly configurations?: ConfigurationsTable;
  /** Which presentations to write (the scenario's outputs); summary.json is always written. */
  readonly outputs: Pick<OutputSettings, 'csv' | 'html'>;
}

/**
 * Simulated columns only: the same scenario and seed give a byte-identical
 * laptops.csv. What this machine measured (agent CPU, and the battery figure
 * built on it) goes to laptops-measured.csv.
 */
export const LAPTOP_COLUMNS: readonly (keyof LaptopRow & string)[] = [
  'employee_id',
  'department',
  'role',
  'office',
  'exempt',
  'days_worked',
  'produced',
  'stored',
  'redacted',
  'dropped_paused',
  'dropped_exempt',
  'coalesced',
  'spooled',
  'lost',
  'batches',
  'uploads',
  'radio_bytes',
  'wakeups',
  'active_minutes',
  'work_hours',
  'pauses',
  'paused_minutes',
  'canaries_planted',
  'canaries_leaked',
  'freshness_p50_s',
  'freshness_p95_s',
  'freshness_max_s',
];
export const LAPTOP_MEASURED_COLUMNS: readonly (keyof LaptopRow & string)[] = ['employee_id', 'agent_cpu_seconds', 'battery_pct_per_day'];

interface GroupRow {
  group: string;
  name: string;
  laptops: number;
  produced: number;
  captured: number;
  yield: number;
  mb_per_laptop_day: number;
}

/** Yield and bandwidth by department and by role (sums over laptops, so shards merge exactly). */
function groups(laptops: readonly LaptopRow[]): GroupRow[] {
  const out: GroupRow[] = [];
  for (const [group, key] of [
    ['department', (l: LaptopRow) => l.department],
    ['role', (l: LaptopRow) => l.role],
  ] as const) {
    const acc = new Map<string, { n: number; produced: number; captured: number; bytes: number; days: number }>();
    for (const l of laptops) {
      const a = acc.get(key(l)) ?? { n: 0, produced: 0, captured: 0, bytes: 0, days: 0 };
      a.n++;
      a.produced += l.produced;
      a.captured += l.produced - l.dropped_paused - l.dropped_exempt - l.lost - l.spooled;
      a.bytes += l.radio_bytes;
      a.days += l.days_worked;
      acc.set(key(l), a);
    }
    for (const [name, a] of [...acc].sort(([x], [y]) => x.localeCompare(y))) {
      out.push({
        group,
        name,
        laptops: a.n,
        produced: a.produced,
        captured: a.captured,
        yield: a.produced ? a.captured / a.produced : 0,
        mb_per_laptop_day: a.days ? a.bytes / 1e6 / a.days : 0,
      });
    }
  }
  return out;
}

/**
 * Input events per hour: over the day (or the window) for a one-day run (hours as ticks);
 * by day and hour for longer ones (each tick names its date, every 6 or 12 hours).
 */
function hourlySection(sparse: RunFigures['hourly'], period: RunFigures['period']): ReportSection {
  const days = new Set(sparse.map((h) => h.hour_utc.slice(0, 10))).size;
  // A window shorter than a day is hours long at most, even across midnight UTC.
  if (days <= 1 || period.window_minutes !== null) {
    const chart = lineChart(
      'input events per hour (UTC)',
      sparse.map((h) => h.hour_utc.slice(11, 16)),
      [
        { name: 'produced by employees', values: sparse.map((h) => h.produced) },
        { name: 'stored (moves merged by coalescing)', values: sparse.map((h) => h.accepted) },
      ],
      { unit: 'events/h' },
    );
    return { title: `Events over the ${period.label}`, html: chart };
  }
  // Every hour from the first to the last, nights and weekends as 0, so the x axis is time.
  const first = Date.parse(sparse[0]!.hour_utc);
  const hours = Math.round((Date.parse(sparse.at(-1)!.hour_utc) - first) / 3_600_000) + 1;
  const byHour = new Map(sparse.map((h) => [Math.round((Date.parse(h.hour_utc) - first) / 3_600_000), h]));
  const every = hours > 24 * 6 ? 24 : hours > 24 * 3 ? 12 : 6;
  const at = (i: number) => new Date(first + i * 3_600_000).toISOString();
  const labels = Array.from({ length: hours }, (_, i) => {
    const t = at(i);
    return Number(t.slice(11, 13)) % every === 0 ? `${t.slice(5, 10)} ${t.slice(11, 13)}h` : '';
  });
  const chart = lineChart(
    `input events per hour over ${days} days (UTC, month-day hour)`,
    labels,
    [
      { name: 'produced by employees', values: Array.from({ length: hours }, (_, i) => byHour.get(i)?.produced ?? 0) },
      { name: 'stored (moves merged by coalescing)', values: Array.from({ length: hours }, (_, i) => byHour.get(i)?.accepted ?? 0) },
    ],
    { unit: 'events/h', tickEvery: 1 },
  );
  return { title: `Events by day and hour (${days} days)`, html: chart };
}

/** The figures of a run of whole days. */
const DAY_PERIOD: RunFigures['period'] = { label: 'day', window_minutes: null };

/**
 * How the figures named per day read: per laptop-day, or, in a paced run over
 * a window shorter than a day, per that window (the figures cover it only).
 */
export function perDayWords(p: RunFigures['period']): {
  perLaptop: string;
  per: string;
  laptopShort: string;
  short: string;
  /** What simulation.employee_days_per_min counts. */
  simulated: 'employee-days' | 'laptop-windows';
} {
  if (p.window_minutes === null)
    return { perLaptop: 'per laptop-day', per: 'per day', laptopShort: 'laptop-day', short: 'day', simulated: 'employee-days' };
  return {
    perLaptop: `per laptop per ${p.label}`,
    per: `per ${p.label}`,
    laptopShort: `laptop/${p.label}`,
    short: p.label,
    simulated: 'laptop-windows',
  };
}

/**
 * What `fleetsim run --json` (and `merge --json` of run shards) prints: the
 * verdict and the headline figures, its keys snake_case as in every JSON
 * file fleetsim writes, so one reader serves summary.json and stdout.
 */
export function runJson(reportDir: string, r: ScenarioRunResult): Record<string, unknown> {
  const f = r.figures;
  return {
    report_dir: reportDir,
    thresholds_passed: r.thresholdsPassed,
    thresholds: r.thresholds,
    ...(r.configurations ? { thresholds_configuration: r.configurations.table.thresholds_configuration } : {}),
    period: f.period,
    ledger: f.ledger,
    bandwidth: f.bandwidth,
    battery: f.battery,
    freshness: f.freshness,
    yield: f.yield,
    leaks: f.leaks,
    simulation: f.simulation,
    paced: f.paced,
    process: f.process,
    ingest: f.ingest,
    ...(r.configurations ? { configurations: r.configurations.table } : {}),
  };
}

/**
 * The report of a run or a merge: results.json (what `fleetsim merge` reads)
 * and the presentation of writeRunReport.
 */
export async function writeScenarioReport(dir: string, r: ScenarioRunResult): Promise<{ files: string[] }> {
  const s = r.scenario;
  mkdirSync(dir, { recursive: true });
  // Each configuration's own full report, so any two can be put to fleetsim compare.
  const sub: string[] = [];
  for (const run of r.configurations?.runs ?? []) sub.push(...(await writeScenarioReport(run.reportDir, run)).files);
  await writeJson(join(dir, 'results.json'), {
    format: RESULTS_FORMAT,
    seed: s.seed,
    shard: r.shard,
    result: r.fleet,
    store: r.store,
    target: r.figures.target ?? null,
  });
  const { files } = await writeRunReport(dir, {
    scenarioName: s.name,
    scenario: s,
    seed: s.seed,
    versions: { fleetsim: VERSION, node: process.version },
    figures: r.figures,
    thresholds: r.thresholds,
    measured: {
      wall_seconds: r.figures.simulation.wall_seconds,
      cpu_seconds: Math.round(r.fleet.cpuMs) / 1000,
      workers: r.fleet.workers,
      employee_days_per_min: r.figures.simulation.employee_days_per_min,
      events_per_s: r.figures.simulation.events_per_s,
      ...(r.shard ? { shard: `${r.shard.index}/${r.shard.count}` } : {}),
      // Which device ids this run used on a shared service: E000001 was sent as <prefix>E000001.
      ...(r.devicePrefix ? { device_id_prefix: r.devicePrefix } : {}),
    },
    laptops: r.fleet.laptops,
    startedAt: r.startedAt,
    agent: agentSettings(s.agent, s.agentUnderTest),
    ...(r.configurations ? { configurations: r.configurations.table } : {}),
    outputs: s.outputs,
  });
  return { files: [...files, join(dir, 'results.json'), ...sub] };
}

export async function writeRunReport(dir: string, r: RunReportInput): Promise<{ files: string[] }> {
  mkdirSync(dir, { recursive: true });
  const f = r.figures;
  const summary = {
    format: RUN_SUMMARY_FORMAT,
    fleetsim: r.versions,
    scenario: r.scenarioName,
    seed: r.seed,
    started_at: r.startedAt,
    ...(r.configurations ? { configurations: r.configurations } : {}),
    ...(r.agent ? { agent: r.agent } : {}),
    period: f.period,
    ledger: f.ledger,
    ingest: f.ingest,
    faults: f.faults,
    bandwidth: f.bandwidth,
    battery: f.battery,
    freshness: f.freshness,
    yield: f.yield,
    leaks: f.leaks,
    ...(f.target ? { target: f.target } : {}),
    laptops: f.laptops,
    events: f.events,
    simulation: f.simulation,
    ...(f.paced ? { paced: f.paced } : {}),
    ...(f.process ? { process: f.process } : {}),
    thresholds: r.thresholds,
    ...(r.configurations ? { thresholds_configuration: r.configurations.thresholds_configuration } : {}),
    measured: r.measured,
    scenario_resolved: r.scenario,
  };
  await writeJson(join(dir, 'summary.json'), summary);
  const written = ['summary.json'];
  if (r.outputs.csv) {
    await writeCsv(join(dir, 'laptops.csv'), LAPTOP_COLUMNS, r.laptops);
    await writeCsv(join(dir, 'laptops-measured.csv'), LAPTOP_MEASURED_COLUMNS, r.laptops);
    await writeCsv(
      join(dir, 'groups.csv'),
      ['group', 'name', 'laptops', 'produced', 'captured', 'yield', 'mb_per_laptop_day'],
      groups(r.laptops),
    );
    await writeCsv(join(dir, 'hours.csv'), ['hour_utc', 'produced', 'accepted'], f.hourly);
    written.push('laptops.csv', 'laptops-measured.csv', 'groups.csv', 'hours.csv');
  }
  if (r.outputs.html) {
    await writeFile(join(dir, 'report.html'), runHtml(r));
    written.push('report.html');
  }
  return { files: written.map((x) => join(dir, x)) };
}

/** report.html of a run: every figure of summary.json that a reader looks at, with charts. */
function runHtml(r: RunReportInput): string {
  const f = r.figures;
  const ledgerRows = (['stored', 'redacted', 'coalesced', 'dropped_paused', 'dropped_exempt', 'spooled', 'lost'] as const).map((k) => [
    k,
    f.ledger[k],
    f.ledger.produced ? `${((100 * f.ledger[k]) / f.ledger.produced).toFixed(2)} %` : '—',
  ]);
  const fr = f.freshness;
  const per = perDayWords(f.period);
  const d = (x: { p10: number; p50: number; p90: number; max: number }) => [x.p10, x.p50, x.p90, x.max];
  return page(
    `fleetsim: ${r.scenarioName}`,
    `seed ${r.seed} · ${f.laptops.toLocaleString('en-US')} laptops · ${f.events.toLocaleString('en-US')} input events · started ${r.startedAt}${r.agent ? ` · agent: ${describeAgentSettings(r.agent)}` : ''}`,
    [
      ...(r.configurations ? [{ title: 'Agent configurations side by side', html: configurationsHtml(r.configurations, f.period) }] : []),
      ...(r.agent
        ? [
            {
              title: r.configurations
                ? `Agent settings measured (the rest of this report: ${r.configurations.rows[0]?.name ?? ''})`
                : 'Agent settings measured',
              html: table(
                ['setting', 'value'],
                Object.entries(r.agent).map(([k, v]) => [k, v ?? '—']),
              ),
            },
          ]
        : []),
      {
        title: r.configurations ? `Thresholds (of configuration ${r.configurations.thresholds_configuration})` : 'Thresholds',
        html: r.thresholds.length
          ? table(
              ['threshold', 'actual', 'result'],
              r.thresholds.map((t) =>
                t.not_judged !== undefined
                  ? [t.expression, t.not_judged, 'not judged']
                  : [t.expression, t.actual ?? '—', t.pass ? 'pass' : 'FAIL'],
              ),
              (_i, j) => (j === 2 && r.thresholds[_i]!.not_judged === undefined ? (r.thresholds[_i]!.pass ? 'pass' : 'fail') : undefined),
            )
          : '<p>No thresholds in this scenario.</p>',
      },
      {
        title: 'Ledger: the fate of every input event',
        html: table(['fate', 'events', 'share'], [['produced', f.ledger.produced, '100 %'], ...ledgerRows]),
      },
      hourlySection(f.hourly, f.period),
      {
        title: 'Ingest, as the laptops saw it',
        html:
          f.ingest.p50_ms === null
            ? '<p>No uploads went over the network in this run (transport null or corpus).</p>'
            : table(
                ['requests', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors', 'refused (paused)'],
                [
                  [
                    f.ingest.requests,
                    f.ingest.p50_ms ?? '—',
                    f.ingest.p90_ms ?? '—',
                    f.ingest.p99_ms ?? '—',
                    f.ingest.p999_ms ?? '—',
                    f.ingest.max_ms ?? '—',
                    f.ingest.errors,
                    f.ingest.refused_paused ?? 'unknown',
                  ],
                ],
              ),
      },
      {
        title: 'Bandwidth per laptop',
        html:
          table(['figure', 'p10', 'p50', 'p90', 'max'], [spread(`MB ${per.perLaptop}`, f.bandwidth.mb_per_laptop_day)]) +
          histogramChart(`MB uploaded ${per.perLaptop}`, f.histograms.mb_per_laptop_day, 'MB'),
      },
      {
        title: 'Battery proxy',
        html:
          table(
            ['figure', 'p10', 'p50', 'p90', 'max'],
            [
              spread(`% of battery ${per.per}`, f.battery.pct_per_day),
              spread('agent CPU s per laptop-hour', f.battery.cpu_s_per_hour),
              spread('wake-ups per active minute', f.battery.wakeups_per_min),
            ],
          ) + histogramChart(`% of battery ${per.per}`, f.histograms.battery_pct_per_day, '%'),
      },
      {
        title: 'Freshness: input to acknowledged upload',
        html:
          fr.events === 0
            ? '<p>No batch was acknowledged in this run.</p>'
            : `<p>Per acknowledged event (${fr.events.toLocaleString('en-US')} events): seconds from its input to the acknowledgement of its batch. Fleet p50 <b>${fr.p50_s} s</b>, p95 <b>${fr.p95_s} s</b>, max ${fr.max_s} s.</p>` +
              table(
                ['per laptop', 'p10', 'p50', 'p90', 'max'],
                [
                  ['p50 s', ...d(fr.per_laptop_p50_s)],
                  ['p95 s', ...d(fr.per_laptop_p95_s)],
                  ['max s', ...d(fr.per_laptop_max_s)],
                ],
              ),
      },
      {
        title: 'Data yield',
        html:
          `<p>Captured share of produced events: <b>${(100 * f.yield.overall).toFixed(2)} %</b> (stored one for one: ${(100 * f.yield.stored_share).toFixed(2)} %; the rest are mouse moves merged by coalescing).</p>` +
          barChart(
            'yield by department',
            Object.entries(f.yield.by_department).map(([label, value]) => ({ label, value })),
          ) +
          barChart(
            'yield by role',
            Object.entries(f.yield.by_role).map(([label, value]) => ({ label, value })),
          ),
      },
      ...(f.paced ? [pacedSection(f.paced)] : []),
      ...(f.faults.injected_total > 0 || f.faults.recoveries.length > 0
        ? [
            {
              title: 'Faults',
              html:
                table(
                  ['fault', 'requests altered'],
                  Object.entries(f.faults.injected).map(([k, v]) => [k, v]),
                ) +
                (f.faults.recoveries.length
                  ? table(
                      ['outage', 'batches sealed/min (hour after)', 'peak upload attempts/min (hour after)', 'peak ÷ sealed'],
                      f.faults.recoveries.map((x) => [x.outage, x.steady_per_min, x.peak_per_min, x.peak_to_steady ?? '—']),
                    )
                  : ''),
            },
          ]
        : []),
      {
        title: 'Privacy',
        html: table(
          ['canaries planted', 'canaries found in stored data', 'searched'],
          [[f.leaks.canaries_planted, f.leaks.canaries, f.leaks.scanned]],
        ),
      },
      ...(f.target && f.target.missing.length > 0
        ? [
            {
              title: 'Not measured at this target',
              html:
                table(['target', 'protocol'], [[f.target.kind, f.target.protocol]]) +
                '<p>These figures are missing, not zero:</p>' +
                table(
                  ['figure', 'why'],
                  f.target.missing.map((m) => [m.figure, m.why]),
                ),
            },
          ]
        : []),
      {
        title: 'Measured on this machine',
        html: table(
          ['figure', 'value'],
          Object.entries(r.measured).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]),
        ),
      },
    ],
  );
}

/** A paced run: its clock, and how late the agents' timers and input feeds fired against the wall clock. */
function pacedSection(p: NonNullable<RunFigures['paced']>): ReportSection {
  const ms = (x: number | null) => x ?? '—';
  return {
    title: 'Pacing: timers against the wall clock',
    html:
      `<p>${p.speed}x real time, simulated from ${esc(p.from_utc)}${p.until_utc ? ` to ${esc(p.until_utc)}` : ''} UTC. ` +
      `<span class="${p.on_schedule ? 'pass' : 'fail'}">${p.on_schedule ? 'On schedule' : 'BEHIND SCHEDULE: the machine could not keep up, so uploads left later than the laptops would have sent them'}</span> ` +
      `(on schedule while the p99 lateness stays within ${ON_SCHEDULE_LAG_MS.toLocaleString('en-US')} ms).</p>` +
      table(
        ['timers and input feeds', 'late by p50 ms', 'p99 ms', 'max ms'],
        [[p.timers, ms(p.schedule_lag_p50_ms), ms(p.schedule_lag_p99_ms), ms(p.schedule_lag_max_ms)]],
      ),
  };
}

/** Column heads and cells of the side-by-side table (text and HTML alike). */
export function configurationColumns(
  t: ConfigurationsTable,
  period: RunFigures['period'] = DAY_PERIOD,
): { head: string[]; rows: (string | number)[][] } {
  const v = (x: number | null) => (x === null ? '—' : x);
  const per = perDayWords(period);
  return {
    head: [
      'configuration',
      'settings',
      `MB/${per.laptopShort}`,
      'CPU s/hour',
      'wake-ups/min',
      `battery mWh/${per.short}`,
      `battery %/${per.short}`,
      'freshness p50 s',
      'freshness p95 s',
      'yield',
      'thresholds',
    ],
    rows: t.rows.map((r) =>
      r.not_judged !== undefined
        ? // No data: n/a, not zeros that read as a free agent.
          [r.name, describeAgentSettings(r.agent), ...Array<string>(8).fill('n/a'), 'not judged (no data)']
        : [
            `${r.name}${r.name === t.recommended ? ' (recommended)' : ''}`,
            describeAgentSettings(r.agent),
            v(r.mb_per_laptop_day_mean),
            v(r.cpu_s_per_hour_mean),
            v(r.wakeups_per_min_mean),
            v(r.battery_mwh_per_day_mean),
            v(r.battery_pct_per_day_mean),
            v(r.freshness_p50_s),
            v(r.freshness_p95_s),
            r.yield === null ? 'n/a' : `${(100 * r.yield).toFixed(2)} %`,
            r.thresholds_passed ? 'pass' : `FAIL: ${r.thresholds_failed.join(', ')}`,
          ],
    ),
  };
}

function configurationsHtml(t: ConfigurationsTable, period: RunFigures['period']): string {
  const { head, rows } = configurationColumns(t, period);
  return (
    `<p><b>${escapeText(t.recommendation)}</b></p>` +
    table(head, rows, (i) => (t.rows[i]!.name === t.recommended ? 'pass' : t.rows[i]!.thresholds_passed === false ? 'fail' : undefined)) +
    `<p>Means across laptops, the same people and input under each configuration. Battery is the energy model’s proxy ${period.window_minutes === null ? 'per worked day' : perDayWords(period).per}; freshness is per acknowledged event. Each configuration’s full report is in configurations/&lt;name&gt;/.</p>`
  );
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A table row of a distribution: its label, then p10, p50, p90 and max. */
function spread(
  label: string,
  d: { readonly p10: number; readonly p50: number; readonly p90: number; readonly max: number },
): (string | number)[] {
  return [label, d.p10, d.p50, d.p90, d.max];
}
