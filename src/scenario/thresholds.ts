/**
 * Thresholds: `<metric path> <comparator> <number>`, evaluated on the run's
 * summary figures. The grammar is deliberately tiny so CI gates stay readable:
 *
 *   threshold  := metric ws* comparator ws* number
 *   metric     := one of METRIC_PATHS (e.g. ingest.p99_ms, bandwidth.mb_per_laptop_day.p95)
 *   comparator := < | <= | > | >= | == | !=
 *   number     := a decimal number, optional sign and exponent (200, 0.1, 1e-3)
 */
import { didYouMean } from './suggest.js';
import type { Comparator, Threshold } from './types.js';

export const COMPARATORS: readonly Comparator[] = ['<', '<=', '>', '>=', '==', '!='];

/** The summary of a distribution across laptops (src/metrics/distribution.ts). */
const DISTRIBUTION = ['mean', 'sd', 'p10', 'p50', 'p90', 'p95', 'max'] as const;
const dist = (prefix: string): string[] => DISTRIBUTION.map((q) => `${prefix}.${q}`);

/**
 * Every figure a threshold may name: the paths into summary.json that the run
 * report fills (src/run/summary.ts RunFigures). Distributions across
 * laptops have mean, sd, p10, p50, p90, p95 and max.
 */
export const METRIC_PATHS: readonly string[] = Object.freeze([
  // The ledger (DESIGN.md): every produced event has one fate.
  'ledger.produced',
  'ledger.stored',
  'ledger.dropped_paused',
  'ledger.dropped_exempt',
  'ledger.redacted',
  'ledger.coalesced',
  'ledger.spooled',
  'ledger.lost',
  // Ingest service, HDR latency percentiles and rates.
  'ingest.p50_ms',
  'ingest.p90_ms',
  'ingest.p99_ms',
  'ingest.p999_ms',
  'ingest.max_ms',
  'ingest.events_per_s',
  'ingest.batches_per_s',
  'ingest.errors',
  'ingest.error_rate',
  'ingest.refused_paused',
  'ingest.refused_exempt',
  'ingest.stored_in_pause_windows',
  'ingest.stored_while_exempt',
  'ingest.acknowledged_missing',
  // Bandwidth per laptop: compressed bytes (bodies + headers).
  ...dist('bandwidth.mb_per_laptop_day'),
  ...dist('bandwidth.kb_per_active_hour'),
  // Battery proxy (energy model).
  ...dist('battery.pct_per_day'),
  ...dist('battery.wh_per_day'),
  ...dist('battery.cpu_s_per_hour'),
  ...dist('battery.wakeups_per_min'),
  // Freshness: seconds from an event's input to the acknowledgement of its batch, per event over the fleet, and per laptop.
  'freshness.p50_s',
  'freshness.p95_s',
  'freshness.max_s',
  ...dist('freshness.per_laptop_p50_s'),
  ...dist('freshness.per_laptop_p95_s'),
  // Data yield: stored ÷ produced while working.
  'yield.overall',
  'yield.stored_share',
  ...dist('yield.per_employee'),
  // Sensitive content: canaries that reached the store, and how many were planted.
  'leaks.canaries',
  'leaks.canaries_planted',
  // Fleet size and volume.
  'laptops',
  'events',
  // Faults: requests the faults altered, and how hard the fleet came back after an outage.
  'faults.injected_total',
  'faults.peak_to_steady',
  // Paced runs (simulation.speed a number): how late agent timers fired against the wall clock.
  'paced.schedule_lag_p50_ms',
  'paced.schedule_lag_p99_ms',
  'paced.schedule_lag_max_ms',
  // Process agents on the real clock: what the observer measured, and how late input was injected.
  ...dist('process.cpu_s_per_hour'),
  ...dist('process.wakeups_per_active_min'),
  ...dist('process.rss_peak_mb'),
  ...dist('process.bytes_per_hour'),
  ...dist('process.battery_pct_per_day'),
  'process.fleet.cpu_us_per_event',
  'process.fleet.wakeups_per_event',
  'process.injection.p99_ms',
  'process.injection.max_ms',
  // Simulation speed.
  'simulation.employee_days_per_min',
  'simulation.events_per_s',
  'simulation.wall_seconds',
]);

export type ThresholdParse =
  { readonly ok: true; readonly threshold: Threshold } | { readonly ok: false; readonly message: string; readonly allowed: string };

const SHAPE = /^\s*([A-Za-z_][\w.]*)\s*([<>=!]+)\s*(\S.*?)?\s*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one threshold; on failure says what part is wrong and what is allowed. */
export function parseThreshold(source: string, metrics: readonly string[] = METRIC_PATHS): ThresholdParse {
  const m = SHAPE.exec(source);
  if (!m) {
    return {
      ok: false,
      message: 'must read "<metric> <comparator> <number>", e.g. "ingest.p99_ms < 200"',
      allowed: '<metric> <comparator> <number>',
    };
  }
  const [, metric = '', op = '', rawValue] = m;
  if (!metrics.includes(metric)) {
    const guess = didYouMean(metric, metrics);
    return {
      ok: false,
      message: `unknown metric ${JSON.stringify(metric)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''} (metrics: ${metricFamilies(metrics)})`,
      allowed: describePaths(metrics),
    };
  }
  if (!(COMPARATORS as readonly string[]).includes(op)) {
    return {
      ok: false,
      message: `comparator must be one of ${COMPARATORS.join(' ')}, got ${JSON.stringify(op)}`,
      allowed: COMPARATORS.join(' '),
    };
  }
  if (rawValue === undefined || !NUMBER.test(rawValue) || !Number.isFinite(Number(rawValue))) {
    return {
      ok: false,
      message: `must end with a number after ${op}, got ${rawValue === undefined ? 'nothing' : JSON.stringify(rawValue)}`,
      allowed: 'a number',
    };
  }
  return { ok: true, threshold: { metric, op: op as Comparator, value: Number(rawValue), source: source.trim() } };
}

function metricFamilies(metrics: readonly string[]): string {
  return [...new Set(metrics.map((p) => (p.includes('.') ? `${p.split('.')[0]}.*` : p)))].join(', ');
}

export function compare(actual: number, op: Comparator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/**
 * How one threshold came out: the one outcome shape for run, load and merge
 * (summary.json, --json and the reports all show it).
 */
export interface ThresholdOutcome {
  /** The threshold as written, e.g. "ingest.p99_ms < 200". */
  readonly expression: string;
  /** The figure found at the metric path; null when the run did not produce it (which fails the threshold). */
  readonly actual: number | null;
  readonly pass: boolean;
  /**
   * Why the threshold was not judged, when the run had nothing to judge it on
   * (a shard with no laptops): then actual is null and pass is true, since
   * nothing failed it; absent when it was judged.
   */
  readonly not_judged?: string;
}

/** Every threshold judged, and whether all hold. */
export interface ThresholdVerdict {
  readonly passed: boolean;
  readonly outcomes: readonly ThresholdOutcome[];
}

/** Reads a dotted path from a plain figures object (summary.json's shape). */
export function figureAt(figures: unknown, path: string): number | null {
  let cur: unknown = figures;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'number' && !Number.isNaN(cur) ? cur : null;
}

/** Evaluates every threshold; a missing figure fails its threshold rather than passing silently. */
export function evaluateThresholds(thresholds: readonly Threshold[], figures: unknown): ThresholdVerdict {
  const outcomes = thresholds.map((t) => {
    const actual = figureAt(figures, t.metric);
    return { expression: t.source, actual, pass: actual !== null && compare(actual, t.op, t.value) };
  });
  return { passed: outcomes.every((o) => o.pass), outcomes };
}

/** "2 of 3 thresholds failed: a < 1 (actual 2); …": what the CLI prints when it exits 1. */
export function describeFailedThresholds(v: ThresholdVerdict): string {
  const failed = v.outcomes.filter((t) => !t.pass);
  return `${failed.length} of ${v.outcomes.length} thresholds failed: ${failed.map((t) => `${t.expression} (actual ${t.actual ?? 'n/a'})`).join('; ')}`;
}

/** Metric paths, those that differ only in their last part brought together: "latency.all.{p50_ms, p90_ms}, errors.{total, rate}". */
export function describePaths(paths: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const cut = path.lastIndexOf('.');
    const head = path.slice(0, cut);
    groups.set(head, [...(groups.get(head) ?? []), path.slice(cut + 1)]);
  }
  return [...groups].map(([head, leaves]) => (leaves.length === 1 ? `${head}.${leaves[0]!}` : `${head}.{${leaves.join(', ')}}`)).join(', ');
}
