/**
 * Text presenters: what each command prints on a terminal, from the result
 * its library call returned. Nothing is computed here beyond formatting.
 */
import { dirname, join, resolve } from 'node:path';
import type { GenerateSummary } from '../generate/index.js';
import type { LoadResult } from '../load/index.js';
import type { LatencyFigures } from '../metrics/latency.js';
import { agentSettings, describeAgentSettings, type ConfigurationsTable, type RunFigures, type ScenarioRunResult } from '../run/index.js';
import { configurationColumns, perDayWords } from './run-report.js';
import { cellTitle, withInterval } from './sweep-report.js';
import type { ThresholdOutcome } from '../scenario/index.js';
import { fewReplicasNote, ruleEffects, type Estimate, type SweepResult } from '../sweep/index.js';
import { axisName, axisValue, dimensionName } from './sweep-labels.js';

export function formatRun(r: ScenarioRunResult, files: readonly string[]): string {
  const name = r.scenario.name;
  const f = r.figures;
  const pct100 = (x: number) => `${(100 * x).toFixed(2)} %`;
  const per = perDayWords(f.period);
  // With configurations the figures are the first one's: its time is labelled as such, next to all of theirs.
  const runs = r.configurations?.runs ?? [];
  const wall = runs.length
    ? `${f.simulation.wall_seconds} s for configuration ${r.configurations!.table.rows[0]?.name ?? ''} (all ${runs.length} configurations: ${Math.round(runs.reduce((a, x) => a + x.figures.simulation.wall_seconds, 0) * 1000) / 1000} s)`
    : `${f.simulation.wall_seconds} s`;
  const lines = [
    `fleetsim run ${name}: ${count(f.laptops, 'laptop')}, ${f.events.toLocaleString('en-US')} input events in ${wall} (${f.simulation.employee_days_per_min.toLocaleString('en-US')} ${per.simulated}/min)`,
    ...(r.shard ? [`  shard       ${r.shard.index}/${r.shard.count} of the laptops (merge the shards with \`fleetsim merge\`)`] : []),
    `  ledger      stored ${f.ledger.stored.toLocaleString('en-US')}, redacted ${f.ledger.redacted.toLocaleString('en-US')}, coalesced ${f.ledger.coalesced.toLocaleString('en-US')}, paused ${f.ledger.dropped_paused.toLocaleString('en-US')}, exempt ${f.ledger.dropped_exempt.toLocaleString('en-US')}, spooled ${f.ledger.spooled}, lost ${f.ledger.lost}`,
    `  agent       ${describeAgentSettings(agentSettings(r.scenario.agent, r.scenario.agentUnderTest))}`,
    ...(r.noData !== undefined
      ? [`  figures     n/a: ${r.noData}`]
      : [
          `  bandwidth   MB ${per.perLaptop} p50 ${f.bandwidth.mb_per_laptop_day.p50}, p95 ${f.bandwidth.mb_per_laptop_day.p95}, max ${f.bandwidth.mb_per_laptop_day.max}`,
          `  battery     % ${per.per} p50 ${f.battery.pct_per_day.p50}, p95 ${f.battery.pct_per_day.p95}; agent CPU s/hour p50 ${f.battery.cpu_s_per_hour.p50}; wake-ups/min p50 ${f.battery.wakeups_per_min.p50}`,
          `  freshness   s from input to acknowledged upload, per event: ${f.freshness.events === 0 ? 'no batch acknowledged' : `p50 ${f.freshness.p50_s}, p95 ${f.freshness.p95_s}, max ${f.freshness.max_s} (worst laptop p95 ${f.freshness.per_laptop_p95_s.max})`}`,
          `  yield       captured ${pct100(f.yield.overall)} of produced events (stored one for one ${pct100(f.yield.stored_share)})`,
        ]),
    ...(f.ingest.p50_ms !== null
      ? [
          `  ingest      ${f.ingest.requests.toLocaleString('en-US')} uploads, latency p50 ${f.ingest.p50_ms} ms, p99 ${f.ingest.p99_ms} ms, max ${f.ingest.max_ms} ms; ${f.ingest.errors} errors; ${f.ingest.refused_paused ?? 'unknown'} events refused as paused`,
        ]
      : []),
    ...(f.target
      ? [
          `  target      ${f.target.kind}, protocol ${f.target.protocol}`,
          ...f.target.missing.map((m) => `  not measured ${m.figure}: ${m.why}`),
        ]
      : []),
    ...(f.paced
      ? [
          `  paced       ${f.paced.speed}x real time from ${f.paced.from_utc}${f.paced.until_utc ? ` to ${f.paced.until_utc}` : ''}; timers late by p50 ${f.paced.schedule_lag_p50_ms} ms, p99 ${f.paced.schedule_lag_p99_ms} ms, max ${f.paced.schedule_lag_max_ms} ms (${f.paced.on_schedule ? 'on schedule' : 'BEHIND SCHEDULE: the machine could not keep up'})`,
        ]
      : []),
    ...(f.process ? formatProcess(f.process) : []),
    ...(f.faults.injected_total > 0
      ? [
          `  faults      ${Object.entries(f.faults.injected)
            .map(([k, v]) => `${k} ${v}`)
            .join(
              ', ',
            )}${f.faults.peak_to_steady !== null ? `; after the outage uploads peaked at ${f.faults.peak_to_steady.toFixed(1)}x the rate the fleet seals batches at` : ''}`,
        ]
      : []),
    `  privacy     ${f.leaks.canaries} of ${f.leaks.canaries_planted} planted canaries found in ${f.leaks.scanned}`,
    ...(r.configurations && r.thresholds.length ? [thresholdsOf(r.configurations.table)] : []),
    ...r.thresholds.map((t) =>
      t.not_judged !== undefined
        ? `  threshold   not judged  ${t.expression}  (${t.not_judged})`
        : `  threshold   ${t.pass ? 'pass' : 'FAIL'}  ${t.expression}  (actual ${t.actual ?? 'n/a'})`,
    ),
    ...(r.configurations ? formatConfigurations(r.configurations.table, f.period) : []),
    reportLine(files),
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/** Which configuration's thresholds stand for a run of several: its figures above may be another's. */
function thresholdsOf(t: ConfigurationsTable): string {
  const why =
    t.recommended !== null
      ? 'recommended'
      : t.rows[0]?.not_judged !== undefined
        ? 'not judged: it has no data'
        : 'no configuration meets them; the first shown';
  return `  thresholds  of configuration ${t.thresholds_configuration} (${why})`;
}

/** The side-by-side table as aligned text, then the recommendation. */
function formatConfigurations(t: ConfigurationsTable, period: RunFigures['period']): string[] {
  const { head, rows } = configurationColumns(t, period);
  // The settings column is long: it goes on its own line under each row.
  const cols = head.map((_, j) => j).filter((j) => j !== 1);
  const cells = [head, ...rows].map((r) => cols.map((j) => String(r[j])));
  const widths = cols.map((_, k) => Math.max(...cells.map((c) => (c[k] as string).length)));
  const line = (c: string[]) => `  ${c.map((x, k) => (k === 0 ? x.padEnd(widths[k]!) : x.padStart(widths[k]!))).join('  ')}`.trimEnd();
  return [
    `agent configurations side by side (the figures above are ${t.rows[0]?.name ?? ''}'s; means across laptops):`,
    line(cells[0]!),
    ...rows.flatMap((r, i) => [line(cells[i + 1]!), `      ${String(r[1])}`]),
    t.recommendation,
  ];
}

export function formatSweep(r: SweepResult, files: readonly string[]): string {
  const axes = r.axes.map((a) => a.path);
  const lines = [
    `fleetsim sweep ${r.name} (${r.mode}): ${r.cells.length} cells × ${r.replicas} replicas × ${r.employees.toLocaleString('en-US')} employees × ${r.days} day${r.days === 1 ? '' : 's'} in ${(r.wallMs / 1000).toFixed(1)} s`,
    `  yield % (mean ± 95 % CI over replicas; mean (low–high) where 0 or 100 % cuts it)   ${axes.join(' · ')}`,
    ...r.cells.map((c) => {
      const tvd = c.tvd.department ? `  TVD dept ${c.tvd.department.mean.toFixed(4)} hour ${c.tvd.local_hour?.mean.toFixed(4)}` : '';
      return `  #${String(c.index).padEnd(3)} ${withInterval(c.yield, 100).padStart(6).padEnd(20)}  ${axes.map((a) => c.labels[a]).join(' · ')}${tvd}`;
    }),
    ...(fewReplicasNote(r.replicas) === null ? [] : [`  note: ${fewReplicasNote(r.replicas)}`]),
    ...sweepRuleLines(r),
    ...sweepThresholdLines(r),
    reportLine(files),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Where to look: report.html, or summary.json when the scenario turned HTML off
 * (outputs.html: false). files[0] is the report's own summary.json; the files
 * of its configurations' reports sit in subfolders and come later.
 */
function reportLine(files: readonly string[]): string {
  const summary = files[0]!;
  const html = join(dirname(summary), 'report.html');
  return files.includes(html) ? `report: ${html}` : `report: ${summary} (outputs.html is false: no report.html)`;
}

function sweepThresholdLines(r: SweepResult): string[] {
  const t = r.thresholds;
  if (t.expressions.length === 0) return [];
  if (!t.judged) return [`  thresholds  NOT JUDGED in ${r.mode} mode: ${t.expressions.join('; ')} (${t.not_judged_why ?? ''})`];
  if (t.passed) return [`  thresholds  pass in every cell and replica: ${t.expressions.join('; ')}`];
  return [`  thresholds  FAIL in ${t.failed_cells.length} of ${r.cells.length} cells:`, ...failedCells(r).map((x) => `    ${x}`)];
}

/** Each failing cell in words, with its failing thresholds and in which replicas. */
function failedCells(r: SweepResult): string[] {
  return r.cells
    .filter((c) => r.thresholds.failed_cells.includes(c.index))
    .map((c) => {
      const byExpression = new Map<string, string[]>();
      for (const o of c.thresholds.filter((x) => !x.pass))
        byExpression.set(o.expression, [...(byExpression.get(o.expression) ?? []), `replica ${o.replica} actual ${o.actual ?? 'n/a'}`]);
      return `${cellTitle(r, c)}: ${[...byExpression].map(([e, where]) => `${e} (${where.join(', ')})`).join('; ')}`;
    });
}

/** What `fleetsim sweep` says when it exits 1: the failing cells, named. */
export function describeSweepThresholdFailures(r: SweepResult): string {
  return `thresholds failed in ${r.thresholds.failed_cells.length} of ${r.cells.length} cells: ${failedCells(r).join('; ')}`;
}

/** What each rule costs, and who loses most: the opening of report.html, in a few lines. */
function sweepRuleLines(r: SweepResult): string[] {
  const effects = ruleEffects(r).filter((e) => e.values.length > 1);
  if (effects.length === 0) return [];
  const pts = (e: Estimate) => withInterval(e, 100, 1);
  return [
    '  what each rule costs: yield points lost by its lowest-yield value against its highest (95 % CI), and who loses most',
    ...effects.map((e) => {
      const who = e.groups
        .filter((g) => g.loss.mean > 0)
        .slice(0, 3)
        .map((g) => `${g.group} (${dimensionName(g.dimension).toLowerCase()}) ${pts(g.loss)}`)
        .join(', ');
      return `  ${axisName(e.path)}: ${axisValue(e.path, e.lowest_yield_value)} costs ${pts(e.cost)} against ${axisValue(e.path, e.highest_yield_value)}${who ? `; most: ${who}` : ''}`;
    }),
  ];
}

/** "on 1 worker", "on 2 workers", "in the main thread" (0). */
const onWorkers = (n: number): string => (n === 0 ? 'in the main thread' : `on ${n} worker${n === 1 ? '' : 's'}`);

export function formatLoad(
  r: LoadResult,
  thresholds: readonly ThresholdOutcome[],
  notApplicable: readonly string[],
  files: readonly string[],
): string {
  const l = (x: LatencyFigures) =>
    `p50 ${x.p50_ms ?? '—'}, p90 ${x.p90_ms ?? '—'}, p99 ${x.p99_ms ?? '—'}, p99.9 ${x.p999_ms ?? '—'}, max ${x.max_ms ?? '—'} ms (${x.requests.toLocaleString('en-US')})`;
  const lines = [
    `fleetsim load ${r.profile} (${r.mode}) against ${r.target}: ${r.valid ? 'valid' : 'INVALID'}`,
    ...r.invalid_reasons.map((s) => `  INVALID     ${s}`),
    ...(r.notes ?? []).map((s) => `  NOTE        ${s}`),
    ...(r.protocol && r.protocol !== 'fleetsim' ? [`  protocol    ${r.protocol}`] : []),
    ...(r.shard ? [`  shard       ${r.shard.index}/${r.shard.count} of the laptops (merge the shards with \`fleetsim merge\`)`] : []),
    `  bodies      ${r.corpus.bodies.toLocaleString('en-US')} prepared at ${Object.entries(r.corpus.codec_levels ?? {})
      .map(([c, l]) => `${c} ${l}`)
      .join(
        ', ',
      )} (p50 ${r.corpus.body_bytes_p50} B) in ${r.corpus.prepare_wall_s ?? '—'} s, ${r.corpus.prepare_ms_per_body ?? '—'} ms per body ${onWorkers(r.corpus.prepare_workers ?? 0)}`,
    `  requests    ${r.requests.sent.toLocaleString('en-US')} sent of ${r.requests.planned.toLocaleString('en-US')} planned; ${r.requests.accepted.toLocaleString('en-US')} accepted, ${r.requests.failed.toLocaleString('en-US')} failed (${r.requests.unfinished} unanswered at the end)`,
    `  throughput  ${r.throughput.requests_per_s} requests/s, ${r.throughput.accepted_per_s} accepted/s, ${r.throughput.events_per_s.toLocaleString('en-US')} events/s`,
    ...Object.entries(r.latency).map(([k, v]) => `  latency     ${k.padEnd(12)} ${l(v)}`),
    ...(r.errors.total > 0
      ? [
          `  errors      ${Object.entries(r.errors.by_reason)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        ]
      : []),
    ...(r.partially_rejected && r.partially_rejected.uploads > 0
      ? [
          `  rejected    ${r.partially_rejected.records} records in ${r.partially_rejected.uploads} accepted uploads were dropped by the target (partial success)${r.partially_rejected.first_message ? `: "${r.partially_rejected.first_message}"` : ''}`,
        ]
      : []),
    `  generator   schedule lag p50 ${r.schedule_lag.p50_ms ?? '—'} ms, p99 ${r.schedule_lag.p99_ms ?? '—'} ms; CPU headroom ${r.generator.cpu_headroom}; ${r.generator.cpu_us_per_request ?? '—'} µs CPU per request`,
    ...(r.drain
      ? [
          `  outage      ${r.drain.outage_s} s of fleet time held as ${r.drain.outage_run_s} s of silence; target back at ${r.drain.recovery_at_s} s`,
          `  drain       ${r.drain.backlog_batches} spooled batches on ${count(r.drain.laptops, 'laptop')}: ${r.drain.drained ? `drained in ${r.drain.drain_s} s after the recovery` : `${r.drain.left} left at the end, not drained within the run (NOTE above)`}${r.drain.lost_spool_full + r.drain.lost_rejected > 0 ? `; lost ${r.drain.lost_spool_full} to full spools, ${r.drain.lost_rejected} refused` : ''}`,
          `  herd        peak ${r.drain.peak_arrivals_per_s ?? '—'} uploads/s after the recovery vs steady ${r.drain.steady_arrivals_per_s}/s: ${r.drain.peak_to_steady ?? '—'}x`,
        ]
      : []),
    ...(r.ramp
      ? [
          `  ramp        knee ${r.ramp.knee_rate_per_s ?? '—'} uploads/s; ${r.ramp.broke_at_rate_per_s !== null ? `SLO broken at ${r.ramp.broke_at_rate_per_s}/s` : `no valid step broke the SLO (held up to ${r.ramp.held_up_to_rate_per_s ?? '—'}/s)`}${r.ramp.generator_limited_at_rate_per_s !== null ? `; generator fell behind at ${r.ramp.generator_limited_at_rate_per_s}/s` : ''}${r.ramp.gates_below_step !== null && r.ramp.gates_below_step > 0 ? `; thresholds on ingest.* judged on steps 0–${r.ramp.gates_below_step - 1}, below the knee` : ''}`,
          ...r.ramp.steps.map(
            (s) =>
              `    step ${String(s.step).padStart(2)}  ${String(s.rate_per_s).padStart(10)}/s  p99 ${s.p99_ms ?? '—'} ms  errors ${s.error_rate ?? '—'}  ${s.held === null ? (r.stopped_by === 'interrupted' ? 'interrupted, not judged' : 'not judged') : s.held ? 'held' : 'BROKE'}  generator ${s.valid === null ? '—' : s.valid ? 'kept up' : 'FELL BEHIND'} (lag p99 ${s.lag_p99_ms ?? '—'} ms, headroom ${s.cpu_headroom ?? '—'})`,
          ),
        ]
      : []),
    ...thresholds.map((t) =>
      t.not_judged !== undefined
        ? `  threshold   not judged  ${t.expression}  (${t.not_judged})`
        : `  threshold   ${t.pass ? 'pass' : 'FAIL'}  ${t.expression}  (actual ${t.actual ?? 'n/a'})`,
    ),
    ...(notApplicable.length ? [`  (scenario thresholds not about ingest, not evaluated: ${notApplicable.join('; ')})`] : []),
    `report: ${files.find((f) => f.endsWith('report.html'))}`,
  ];
  return `${lines.join('\n')}\n`;
}

const pct1 = (x: number) => `${(x * 100).toFixed(1)} %`;

export function formatGenerate(s: GenerateSummary, outDir: string, trace: string | undefined): string {
  const d = s.perEmployeeDay;
  const row = (name: string, x: { p10: number; p50: number; p90: number }) =>
    `  ${name.padEnd(26)} ${String(x.p10).padStart(10)} ${String(x.p50).padStart(10)} ${String(x.p90).padStart(10)}\n`;
  return (
    `fleetsim generate: ${s.employees} employees × ${s.days} day(s), seed ${s.seed}: ${s.events.toLocaleString('en-US')} events\n` +
    `  per worked employee-day         p10        p50        p90\n` +
    row('keystrokes', d.keystrokes) +
    row('clicks', d.clicks) +
    row('mouse moves', d.mouseMoves) +
    row('scroll events', d.scrolls) +
    row('active minutes', d.activeMinutes) +
    row('pauses', d.pauses) +
    row('typing speed (WPM)', s.wpm) +
    `  exempt: ${pct1(s.exemptShareAtEnrolment)} at enrolment, ${pct1(s.exemptShareAtEnd)} by the end of day ${s.days} ` +
    `(${s.exemptionAsks} exemption ask(s))   canaries planted: ${s.canariesPlanted}\n` +
    `  ${s.measured.wallSeconds} s wall on ${s.measured.workers} worker(s): ${s.measured.eventsPerSecond.toLocaleString('en-US')} events/s, ` +
    `${s.measured.employeeDaysPerMinute.toLocaleString('en-US')} employee-days/min\n` +
    `wrote ${join(outDir, 'employees.csv')}, ${join(outDir, 'summary.json')}${trace ? `, ${resolve(trace)}` : ''}\n`
  );
}

export function formatRunMerge(shards: number, r: ScenarioRunResult, reportDir: string): string {
  return `merged ${shards} shard report${shards === 1 ? '' : 's'}: ${count(r.figures.laptops, 'laptop')}, ${r.figures.events.toLocaleString('en-US')} events → ${reportDir}\n`;
}

export function formatLoadMerge(shards: number, r: LoadResult, files: readonly string[]): string {
  return `merged ${shards} load shards: ${r.requests.sent.toLocaleString('en-US')} sent, ${r.requests.accepted.toLocaleString('en-US')} accepted, p99 ${r.latency.all.p99_ms ?? '—'} ms, ${r.valid ? 'valid' : 'INVALID'} → ${files.find((f) => f.endsWith('report.html'))}\n`;
}

/** A real-time run of process agents: what the observer measured, and whether injection kept time. */
function formatProcess(p: NonNullable<ScenarioRunResult['figures']['process']>): string[] {
  const rapl =
    p.fleet.rapl.kind === 'rapl'
      ? `${p.fleet.rapl.joules.toFixed(1)} J package (RAPL ${p.fleet.rapl.zone})`
      : `RAPL unavailable (${p.fleet.rapl.reason})`;
  return [
    `  process     ${p.agent} agent over ${p.input}, ${p.laptops.length} processes${p.settle_seconds > 0 ? ` (observed after ${p.settle_seconds} s of settling)` : ''}: CPU s/hour p50 ${p.cpu_s_per_hour.p50}, max ${p.cpu_s_per_hour.max}; wake-ups/active min p50 ${p.wakeups_per_active_min.p50}; peak RSS p50 ${p.rss_peak_mb.p50} MB; bytes/hour p50 ${p.bytes_per_hour.p50}; battery % per day p50 ${p.battery_pct_per_day.p50}`,
    `              ${p.fleet.cpu_us_per_event ?? 'n/a'} CPU µs and ${p.fleet.wakeups_per_event ?? 'n/a'} wake-ups per injected event; page faults ${p.fleet.minor_faults} (major ${p.fleet.major_faults}); ${rapl}; ledger ${p.ledger_balanced === null ? 'not kept by this agent' : p.ledger_balanced ? 'balanced' : 'DOES NOT BALANCE'}`,
    `  injection   ${p.injection.injected.toLocaleString('en-US')} events late by p50 ${p.injection.p50_ms} ms, p99 ${p.injection.p99_ms} ms, max ${p.injection.max_ms} ms (${p.injection.on_time ? 'on time' : 'BEHIND: the machine could not replay input on time; figures are not valid'})`,
    ...(p.source_move_rate_hz > 0
      ? [
          `  source      moves capped at ${p.source_move_rate_hz} Hz: ${p.fleet.source_moves_coalesced.toLocaleString('en-US')} merged before the agent (${((p.fleet.source_moves_coalesced_share ?? 0) * 100).toFixed(1)} % of the moves; coalesced in the ledger)`,
        ]
      : []),
  ];
}

/** "1 laptop", "1,000 laptops": a count and its noun, singular for one. */
function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
