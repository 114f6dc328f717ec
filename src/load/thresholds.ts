/**
 * Thresholds for load runs, in the grammar of scenario thresholds
 * (`<metric> <comparator> <number>`): `--threshold` flags name paths into the
 * load result; a scenario's own `ingest.*` thresholds apply as well (the load
 * result carries them under the same names). Other scenario thresholds
 * (ledger, battery, …) describe `fleetsim run` and are listed as not applicable.
 */
import { UsageError } from '../errors.js';
import { evaluateThresholds, parseThreshold, type Threshold, type ThresholdVerdict } from '../scenario/index.js';
import type { LoadResult } from './results.js';

const LAT = ['p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms'];

export const LOAD_METRIC_PATHS: readonly string[] = Object.freeze([
  ...['all', 'upload', 'spool_drain'].flatMap((t) => LAT.map((q) => `latency.${t}.${q}`)),
  ...['requests_per_s', 'accepted_per_s', 'events_per_s', 'accepted_mb_per_s'].map((x) => `throughput.${x}`),
  'errors.total',
  'errors.rate',
  ...LAT.map((q) => `schedule_lag.${q}`),
  'generator.cpu_headroom',
  'generator.cpu_us_per_request',
  'drain.drain_s',
  'drain.left',
  'ramp.knee_rate_per_s',
  'requests.accepted',
  'requests.failed',
  'requests.unfinished',
  ...LAT.map((q) => `ingest.${q}`),
  'ingest.events_per_s',
  'ingest.batches_per_s',
  'ingest.errors',
  'ingest.error_rate',
]);

export function parseLoadThresholds(sources: readonly string[]): Threshold[] {
  return sources.map((src) => {
    const p = parseThreshold(src, LOAD_METRIC_PATHS);
    if (!p.ok) {
      throw new UsageError(`--threshold ${JSON.stringify(src)} ${p.message}; allowed: ${p.allowed}`);
    }
    return p.threshold;
  });
}

/** Load thresholds judged: the scenario's ingest.* ones and the flags', in one verdict; the rest listed as not applicable. */
export function evaluateLoadThresholds(
  result: LoadResult,
  flags: readonly Threshold[],
  scenario: readonly Threshold[],
): ThresholdVerdict & { readonly notApplicable: readonly string[] } {
  const applicable = scenario.filter((t) => LOAD_METRIC_PATHS.includes(t.metric));
  const notApplicable = scenario.filter((t) => !LOAD_METRIC_PATHS.includes(t.metric)).map((t) => t.source);
  const verdict = evaluateThresholds([...applicable, ...flags], result);
  // Figures of the part before Ctrl-C say nothing about the run asked for: neither a pass nor a failure.
  if (result.stopped_by === 'interrupted')
    return {
      passed: true,
      outcomes: verdict.outcomes.map((o) => ({
        ...o,
        pass: true,
        not_judged: 'the run was interrupted: its figures are of the part before it',
      })),
      notApplicable,
    };
  // A ramp that broke its SLO at its first step has no step below the knee: the gates' ingest.* figures are empty, which
  // says nothing about the target's latency below its capacity (the knee is below the ramp's start).
  if (result.ramp?.gates_below_step === 0) {
    const why = `the SLO broke at the ramp's first step, so no step below the knee gives ingest.* figures; start the ramp lower (--ramp-start)`;
    const outcomes = verdict.outcomes.map((o, i) =>
      o.actual === null && [...applicable, ...flags][i]!.metric.startsWith('ingest.') ? { ...o, pass: true, not_judged: why } : o,
    );
    return { passed: outcomes.every((o) => o.pass), outcomes, notApplicable };
  }
  return { ...verdict, notApplicable };
}
