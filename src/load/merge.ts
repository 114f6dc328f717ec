/**
 * Merging the results of `fleetsim load --shard K/N` runs into the result of
 * the whole run. Counters add up; latency percentiles come from the added HDR
 * histograms (never from averaging percentiles); rates add up because the
 * shards run side by side against one target. Each shard's validity stands:
 * the merged run is valid only when every shard was.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { createLatencyHistogram, decodeLatency, encodeLatency, type LatencyHistogram } from '../metrics/latency.js';
import { LOAD_RESULTS_FORMAT, rampInvalidReasons, rampKnee, summarize, type LoadResult, type RampStepResult } from './results.js';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The load result in a report folder's summary.json, or null when the folder holds another kind of report. */
export function readLoadResult(dir: string): (LoadResult & { readonly thresholds?: readonly { readonly expression: string }[] }) | null {
  const path = join(dir, 'summary.json');
  if (!existsSync(path)) throw new UsageError(`${dir} has no summary.json: is it a report folder of fleetsim run or fleetsim load?`);
  let data: { format?: unknown };
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown };
  } catch (err) {
    throw new UsageError(`${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof data.format !== 'string' || !data.format.startsWith('fleetsim-load/')) return null;
  if (data.format !== LOAD_RESULTS_FORMAT)
    throw new UsageError(`${path} is format ${JSON.stringify(data.format)}; this fleetsim merges ${LOAD_RESULTS_FORMAT}`);
  return data as LoadResult;
}

function addHistograms(results: readonly LoadResult[], key: string): LatencyHistogram | null {
  let h: LatencyHistogram | null = null;
  for (const r of results) {
    const enc = r.histograms[key];
    if (enc === undefined) continue;
    h ??= createLatencyHistogram();
    h.add(decodeLatency(enc));
  }
  return h;
}

function sumRecords(rs: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

/** Checks that `results` are every shard of one run, exactly once. `names` label them in errors. */
function checkShards(results: readonly LoadResult[], names: readonly string[]): void {
  const first = results[0]!;
  for (let i = 1; i < results.length; i++) {
    const r = results[i]!;
    if (
      r.seed !== first.seed ||
      r.profile !== first.profile ||
      r.mode !== first.mode ||
      r.laptops !== first.laptops ||
      r.devices !== first.devices ||
      r.duration_s !== first.duration_s
    ) {
      throw new UsageError(
        `${names[i]} is a load run with other settings (seed, profile, laptops, devices or duration) than ${names[0]}: only shards of one run can be merged`,
      );
    }
  }
  const counts = new Set(results.map((r) => r.shard?.count ?? 1));
  const indices = results.map((r) => r.shard?.index ?? 0);
  if (counts.size !== 1 || new Set(indices).size !== indices.length || indices.length !== [...counts][0]) {
    throw new UsageError(
      `merge needs every shard of the load run exactly once: got shards ${results.map((r) => (r.shard ? `${r.shard.index}/${r.shard.count}` : 'whole')).join(', ')}`,
    );
  }
}

/** The whole run's result from its shards' results. */
export function mergeLoadResults(
  results: readonly LoadResult[],
  names: readonly string[] = results.map((_, i) => `shard result ${i}`),
): LoadResult {
  if (results.length === 0) throw new UsageError('merge needs at least one report folder');
  checkShards(results, names);
  // Report-only fields of a summary.json (versions, threshold outcomes) are not part of the result.
  const {
    thresholds: _t,
    fleetsim: _v,
    ...first
  } = [...results].sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0))[0]! as LoadResult & {
    thresholds?: unknown;
    fleetsim?: unknown;
  };
  const histograms: Record<string, string> = {};
  const latency: Record<string, ReturnType<typeof summarize>> = {};
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.histograms)))].sort();
  for (const k of keys) {
    const h = addHistograms(results, k)!;
    histograms[k] = encodeLatency(h);
    if (k !== 'schedule_lag' && !k.startsWith('step_')) latency[k] = summarize(h);
  }
  latency.all ??= summarize(createLatencyHistogram());
  const lag = summarize(addHistograms(results, 'schedule_lag') ?? createLatencyHistogram());

  const req = (k: keyof LoadResult['requests']) => sum(results.map((r) => Number(r.requests[k] ?? 0)));
  const requests: LoadResult['requests'] = {
    planned: req('planned'),
    sent: req('sent'),
    completed: req('completed'),
    accepted: req('accepted'),
    failed: req('failed'),
    unfinished: req('unfinished'),
    events_accepted: req('events_accepted'),
    bytes_accepted: req('bytes_accepted'),
    truncated_by_max_requests: results.some((r) => r.requests.truncated_by_max_requests),
  };
  const byStatus = sumRecords(results.map((r) => r.errors.by_status));
  const byReason = sumRecords(results.map((r) => r.errors.by_reason));
  const answered = requests.accepted + requests.failed;
  const errors = {
    total: requests.failed,
    rate: answered === 0 ? 0 : r3(requests.failed / answered),
    by_status: byStatus,
    by_reason: byReason,
  };
  const thr = (k: keyof LoadResult['throughput']) => r3(sum(results.map((r) => r.throughput[k])));
  const throughput = {
    requests_per_s: thr('requests_per_s'),
    accepted_per_s: thr('accepted_per_s'),
    events_per_s: thr('events_per_s'),
    accepted_mb_per_s: thr('accepted_mb_per_s'),
  };
  const cpuS = sum(results.map((r) => r.generator.cpu_s));
  const generator = {
    cpu_s: r3(cpuS),
    cpu_us_per_request: requests.sent === 0 ? null : r3((cpuS * 1e6) / requests.sent),
    event_loop_utilization: Math.max(...results.map((r) => r.generator.event_loop_utilization)),
    cpu_headroom: Math.min(...results.map((r) => r.generator.cpu_headroom)),
  };
  const timeline = mergeTimeline(results);
  const ramp = first.ramp ? mergeRamp(results) : null;
  const shardReasons = results.flatMap((r) =>
    r.invalid_reasons.map((why) => `shard ${r.shard?.index ?? 0}/${r.shard?.count ?? 1}: ${why}`),
  );
  const invalid = ramp ? [...new Set([...rampInvalidReasons(ramp), ...shardReasons.filter((w) => !/step \d+ \(/.test(w))])] : shardReasons;
  const stoppedBy = results.some((r) => r.stopped_by === 'time')
    ? 'time'
    : results.some((r) => r.stopped_by === 'slo')
      ? 'slo'
      : first.stopped_by;
  const corpusBodies = sum(results.map((r) => r.corpus.bodies));
  const prepMs = sum(results.map((r) => (r.corpus.prepare_ms_per_body ?? 0) * r.corpus.bodies));
  return {
    ...first,
    connections: sum(results.map((r) => r.connections)),
    started_at: results.map((r) => r.started_at).sort()[0]!,
    wall_s: Math.max(...results.map((r) => r.wall_s)),
    valid: invalid.length === 0,
    invalid_reasons: invalid,
    target_failed: results.some((r) => r.target_failed),
    fleet: { ...first.fleet, planned_rate_per_s: r3(sum(results.map((r) => r.fleet.planned_rate_per_s))) },
    corpus: {
      ...first.corpus,
      bodies: corpusBodies,
      unique_bodies: results.every((r) => r.corpus.unique_bodies),
      prepare_wall_s: Math.max(...results.map((r) => r.corpus.prepare_wall_s ?? 0)),
      prepare_ms_per_body: corpusBodies === 0 ? 0 : r3(prepMs / corpusBodies),
      prepare_workers: sum(results.map((r) => r.corpus.prepare_workers ?? 0)),
    },
    shard: null,
    requests,
    throughput,
    latency: latency as LoadResult['latency'],
    errors,
    schedule_lag: lag,
    generator,
    drain: first.drain ? mergeDrain(results, timeline) : null,
    ramp,
    ingest:
      ramp?.gates_below_step != null
        ? mergedBelowKnee(results, ramp, throughput)
        : {
            p50_ms: latency.all!.p50_ms,
            p90_ms: latency.all!.p90_ms,
            p99_ms: latency.all!.p99_ms,
            p999_ms: latency.all!.p999_ms,
            max_ms: latency.all!.max_ms,
            events_per_s: throughput.events_per_s,
            batches_per_s: throughput.accepted_per_s,
            errors: errors.total,
            error_rate: errors.rate,
          },
    timeline,
    histograms,
    stopped_by: stoppedBy,
    unreadable_answers: {
      count: sum(results.map((r) => r.unreadable_answers?.count ?? 0)),
      first: results.map((r) => r.unreadable_answers?.first ?? null).find((x) => x !== null) ?? null,
    },
    partially_rejected: {
      uploads: sum(results.map((r) => r.partially_rejected?.uploads ?? 0)),
      records: sum(results.map((r) => r.partially_rejected?.records ?? 0)),
      first_message: results.map((r) => r.partially_rejected?.first_message ?? null).find((x) => x !== null) ?? null,
    },
  };
}

/** Per run second, summed over shards (each shard's seconds count from its own start; shards start together). */
function mergeTimeline(results: readonly LoadResult[]): LoadResult['timeline'] {
  const n = Math.max(...results.map((r) => r.timeline.length));
  return Array.from({ length: n }, (_, s) => {
    const rows = results.map((r) => r.timeline[s]).filter((x) => x !== undefined);
    const done = sum(rows.map((x) => x.accepted + x.failed));
    const latencySum = sum(rows.map((x) => (x.mean_latency_ms ?? 0) * (x.accepted + x.failed)));
    const maxes = rows.map((x) => x.max_latency_ms).filter((x): x is number => x !== null);
    return {
      second: s,
      sent: sum(rows.map((x) => x.sent)),
      accepted: sum(rows.map((x) => x.accepted)),
      failed: sum(rows.map((x) => x.failed)),
      mean_latency_ms: done === 0 ? null : r3(latencySum / done),
      max_latency_ms: maxes.length === 0 ? null : Math.max(...maxes),
    };
  });
}

function mergeDrain(results: readonly LoadResult[], timeline: LoadResult['timeline']): NonNullable<LoadResult['drain']> {
  const ds = results.map((r) => r.drain!);
  const d0 = ds[0]!;
  const steady = r3(sum(ds.map((d) => d.steady_arrivals_per_s)));
  const lastFull = Math.floor(Math.min(...results.map((r) => Math.min(r.wall_s, r.duration_s))));
  let peak: number | null = null;
  for (const t of timeline) if (t.second >= Math.ceil(d0.recovery_at_s) && t.second < lastFull) peak = Math.max(peak ?? 0, t.sent);
  const left = sum(ds.map((d) => d.left));
  const hints = ds.map((d) => d.suggested_duration_s).filter((h): h is number => typeof h === 'number');
  return {
    ...d0,
    backlog_batches: sum(ds.map((d) => d.backlog_batches)),
    laptops: sum(ds.map((d) => d.laptops)),
    drained: left === 0,
    drain_s: ds.every((d) => d.drain_s !== null) ? Math.max(...ds.map((d) => d.drain_s!)) : null,
    left,
    lost_spool_full: sum(ds.map((d) => d.lost_spool_full)),
    lost_rejected: sum(ds.map((d) => d.lost_rejected)),
    peak_arrivals_per_s: peak,
    steady_arrivals_per_s: steady,
    peak_to_steady: peak === null || steady <= 0 ? null : r3(peak / steady),
    // Each shard drained its own laptops: the whole fleet needs the longest of their suggestions.
    suggested_duration_s: left === 0 || hints.length === 0 ? null : Math.max(...hints),
  };
}

/**
 * Steps merged across shards: counts add, p99 from the added step histograms,
 * and a step held only if the merged figures are inside the SLO; the
 * generator kept up in a step only if it did in every shard.
 */
/** As one generator's result: a ramp that found its knee has its gates judged on the steps below it. */
function mergedBelowKnee(
  results: readonly LoadResult[],
  ramp: NonNullable<LoadResult['ramp']>,
  throughput: LoadResult['throughput'],
): LoadResult['ingest'] {
  const below = ramp.steps.filter((st) => st.step < ramp.gates_below_step!);
  const h = createLatencyHistogram();
  for (const st of below) {
    const x = addHistograms(results, `step_${st.step}`);
    if (x) h.add(x);
  }
  const l = summarize(h);
  const failed = sum(below.map((st) => st.failed));
  const finished = sum(below.map((st) => st.accepted + st.failed));
  return {
    p50_ms: l.p50_ms,
    p90_ms: l.p90_ms,
    p99_ms: l.p99_ms,
    p999_ms: l.p999_ms,
    max_ms: l.max_ms,
    events_per_s: throughput.events_per_s,
    batches_per_s: throughput.accepted_per_s,
    errors: failed,
    error_rate: finished === 0 ? 0 : r3(failed / finished),
  };
}

function mergeRamp(results: readonly LoadResult[]): NonNullable<LoadResult['ramp']> {
  const slo = results[0]!.ramp!.slo;
  const indices = [...new Set(results.flatMap((r) => r.ramp?.steps.map((s) => s.step) ?? []))].sort((a, b) => a - b);
  const steps: RampStepResult[] = indices.map((k) => {
    const per = results.map((r) => r.ramp?.steps.find((s) => s.step === k));
    const present = per.filter((s): s is RampStepResult => s !== undefined);
    const requests = sum(present.map((s) => s.requests));
    const failed = sum(present.map((s) => s.failed));
    const h = addHistograms(results, `step_${k}`);
    const p99 = h && h.totalCount > 0 ? r3(h.getValueAtPercentile(99) / 1000) : null;
    const judged = per.every((s) => s !== undefined && s.held !== null);
    const errorRate = requests === 0 ? 0 : r3(failed / requests);
    const lags = present.map((s) => s.lag_p99_ms).filter((x): x is number => x !== null);
    const heads = present.map((s) => s.cpu_headroom).filter((x): x is number => x !== null);
    return {
      step: k,
      rate_per_s: r3(sum(present.map((s) => s.rate_per_s))),
      requests,
      accepted: sum(present.map((s) => s.accepted)),
      failed,
      p99_ms: p99,
      error_rate: judged ? errorRate : null,
      // A shard that saw the break judged it with its requests still unanswered: a broken shard breaks the step.
      held: judged ? per.every((s) => s!.held === true) && (p99 === null || p99 <= slo.p99_ms) && errorRate <= slo.error_rate : null,
      valid: present.some((s) => s.valid === null) ? null : present.every((s) => s.valid === true),
      lag_p99_ms: lags.length ? Math.max(...lags) : null,
      cpu_headroom: heads.length ? Math.min(...heads) : null,
    };
  });
  return { ...rampKnee(steps), steps, slo };
}

/** Reads and merges shard report folders of one load run. */
export function mergeLoadDirs(dirs: readonly string[]): { result: LoadResult; thresholdExpressions: string[] } {
  const results = dirs.map((d) => {
    const r = readLoadResult(d);
    if (!r)
      throw new UsageError(
        `${d} is not a report of fleetsim load (its summary.json has another format): merge run reports and load reports separately`,
      );
    return r;
  });
  return { result: mergeLoadResults(results, dirs), thresholdExpressions: (results[0]!.thresholds ?? []).map((t) => t.expression) };
}
