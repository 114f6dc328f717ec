/**
 * The results model of a load run: every figure the JSON, CSV and HTML
 * reports show and thresholds read, computed here (report writers only
 * present). Latency percentiles are in ms with microsecond precision.
 */
import { latencyFigures } from '../metrics/latency.js';
import { createLatencyHistogram, encodeLatency } from '../metrics/latency.js';
import { REQUEST_TYPES } from './recorder.js';
import type { LoadSchedule } from './schedule.js';
import type { SenderOutcome } from './sender.js';

/** The sender's reason for an answer that does not parse as HTTP/1.1 (src/load/http1.ts). */
export const UNREADABLE_ANSWER = 'PROTOCOL_ERROR';
export const LOAD_RESULTS_FORMAT = 'fleetsim-load/1';

export interface LatencySummary {
  readonly requests: number;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p99_ms: number | null;
  readonly p999_ms: number | null;
  readonly max_ms: number | null;
}

export interface ValidityBounds {
  /** The run is invalid when the generator's p99 schedule lag exceeds this. */
  readonly maxLagP99Ms: number;
  /** …or when its CPU headroom (1 − event-loop utilisation while dispatching) falls below this. */
  readonly minCpuHeadroom: number;
}

/**
 * Defaults of the validity bounds. Latency is measured from the intended send
 * time, so a lagging generator never makes latency look better; what lag
 * distorts is the arrival process itself (arrivals bunch up after a stall).
 * 20 ms is a tenth of a typical 200 ms p99 SLO. Headroom below 10 % means
 * the generator's event loop, not the target, set the pace.
 */
export const DEFAULT_VALIDITY_BOUNDS: ValidityBounds = { maxLagP99Ms: 20, minCpuHeadroom: 0.1 };

export interface RampStepResult {
  readonly step: number;
  readonly rate_per_s: number;
  readonly requests: number;
  readonly accepted: number;
  readonly failed: number;
  readonly p99_ms: number | null;
  readonly error_rate: number | null;
  readonly held: boolean | null;
  /** Whether the generator kept up in this step (its schedule lag and CPU headroom inside the bounds); null when the step was not run to its end. */
  readonly valid: boolean | null;
  readonly lag_p99_ms: number | null;
  readonly cpu_headroom: number | null;
}

export interface LoadResult {
  readonly format: string;
  readonly mode: 'open' | 'capacity';
  readonly profile: string;
  readonly target: string;
  /** The target protocol, described (header names only, never values); absent in reports from before protocols. */
  readonly protocol?: string;
  /** Answers the protocol could not read (non-HTTP bytes, a 200 with garbage where the protocol parses answers), the first described. */
  readonly unreadable_answers?: { readonly count: number; readonly first: string | null };
  /** Accepted uploads whose answer said records were dropped for good (OTLP partial success): how many, the records, the target's first message. */
  readonly partially_rejected?: { readonly uploads: number; readonly records: number; readonly first_message: string | null };
  readonly seed: string;
  readonly laptops: number;
  readonly devices: number;
  readonly connections: number;
  readonly started_at: string;
  readonly duration_s: number;
  readonly wall_s: number;
  readonly valid: boolean;
  readonly invalid_reasons: readonly string[];
  /**
   * The run failed on the target's outcomes, not the generator's: its error rate exceeded the SLO, nothing sent was
   * answered, or answers could not be read. Such a run is invalid too (its reasons are among invalid_reasons), and
   * `fleetsim load` exits with its own code (5).
   */
  readonly target_failed: boolean;
  readonly validity_bounds: { readonly max_lag_p99_ms: number; readonly min_cpu_headroom: number };
  readonly fleet: {
    readonly instant_utc: string;
    readonly time_scale: number;
    readonly laptops_at_work: number;
    readonly uploads_per_laptop_hour_at_work: number;
    readonly planned_rate_per_s: number;
  };
  readonly corpus: {
    readonly source: string;
    readonly templates: number;
    readonly bodies: number;
    readonly body_bytes_p50: number;
    readonly body_bytes_p95: number;
    readonly body_bytes_max: number;
    readonly unique_bodies: boolean;
    /** Codec level each body codec was compressed at (the agent's), and what preparing the bodies cost. */
    readonly codec_levels?: Readonly<Record<string, number>>;
    readonly prepare_wall_s?: number;
    readonly prepare_ms_per_body?: number;
    readonly prepare_workers?: number;
  };
  /** `--shard K/N`: this run sent the arrivals of that slice of the laptops; null for a whole run. */
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly requests: {
    readonly planned: number;
    readonly sent: number;
    readonly completed: number;
    readonly accepted: number;
    readonly failed: number;
    readonly unfinished: number;
    readonly events_accepted: number;
    readonly bytes_accepted: number;
    readonly truncated_by_max_requests: boolean;
  };
  readonly throughput: {
    readonly requests_per_s: number;
    readonly accepted_per_s: number;
    readonly events_per_s: number;
    readonly accepted_mb_per_s: number;
  };
  readonly latency: { readonly all: LatencySummary } & Readonly<Record<string, LatencySummary>>;
  readonly errors: {
    readonly total: number;
    readonly rate: number;
    readonly by_status: Readonly<Record<string, number>>;
    readonly by_reason: Readonly<Record<string, number>>;
  };
  readonly schedule_lag: LatencySummary;
  readonly generator: {
    readonly cpu_s: number;
    readonly cpu_us_per_request: number | null;
    readonly event_loop_utilization: number;
    readonly cpu_headroom: number;
  };
  readonly drain: {
    /** Batches on the laptops when the target came back, and on how many laptops. */
    readonly backlog_batches: number;
    readonly laptops: number;
    readonly drained: boolean;
    /** From the recovery until the last backlog batch was stored. */
    readonly drain_s: number | null;
    readonly left: number;
    readonly lost_spool_full: number;
    readonly lost_rejected: number;
    /** The outage in fleet time, and the silence the run held for it. */
    readonly outage_s: number;
    readonly outage_run_s: number;
    readonly recovery_at_s: number;
    /** The busiest whole second after the recovery (uploads sent, open and spooled), against the open model's steady rate. */
    readonly peak_arrivals_per_s: number | null;
    readonly steady_arrivals_per_s: number;
    readonly peak_to_steady: number | null;
    /**
     * When the spools did not drain within the run: a --duration that would let them (drainDurationHint), null when
     * there is nothing to estimate it from. Absent in reports from before it.
     */
    readonly suggested_duration_s?: number | null;
  } | null;
  readonly ramp: {
    readonly steps: readonly RampStepResult[];
    /** The highest rate of a valid step that held the SLO, below the first valid step that broke it; null when no valid step broke it. */
    readonly knee_rate_per_s: number | null;
    readonly broke_at_rate_per_s: number | null;
    /** The highest rate of a valid step that held (a lower bound of the knee when none broke it). */
    readonly held_up_to_rate_per_s: number | null;
    /** The rate of the first step where the generator fell behind, if any. */
    readonly generator_limited_at_rate_per_s: number | null;
    /**
     * When a valid step broke the SLO: its index. The steps below it are the
     * ones the gates (ingest.*, the thresholds' names) are judged on; the
     * steps from it on were meant to overload the target. Null: every step.
     */
    readonly gates_below_step: number | null;
    readonly slo: { readonly p99_ms: number; readonly error_rate: number };
  } | null;
  /** The same figures under the names scenario thresholds use (ingest.p99_ms, …); for a ramp that found its knee, of the steps below it only. */
  readonly ingest: {
    readonly p50_ms: number | null;
    readonly p90_ms: number | null;
    readonly p99_ms: number | null;
    readonly p999_ms: number | null;
    readonly max_ms: number | null;
    readonly events_per_s: number;
    readonly batches_per_s: number;
    readonly errors: number;
    readonly error_rate: number;
  };
  readonly timeline: readonly {
    readonly second: number;
    readonly sent: number;
    readonly accepted: number;
    readonly failed: number;
    readonly mean_latency_ms: number | null;
    readonly max_latency_ms: number | null;
  }[];
  /**
   * What a reader must know to read the figures that is neither invalid nor an error: the run was cut by
   * --max-requests, a capacity run sent every body prepared for it, … Absent in reports from before notes.
   */
  readonly notes?: readonly string[];
  /** Encoded HDR histograms (µs) for merging. */
  readonly histograms: Readonly<Record<string, string>>;
  readonly stopped_by: string;
}

/** The fields of LoadResult that say which run it is: the runner fills them in, the result carries them unchanged. */
export type LoadRunIdentity = Pick<
  LoadResult,
  'mode' | 'profile' | 'target' | 'seed' | 'laptops' | 'devices' | 'connections' | 'started_at'
>;

/** What the runner hands over: which run it is, and what the result derives its other figures from. */
export interface LoadRunContext {
  readonly run: LoadRunIdentity;
  readonly durationMs: number;
  readonly uploadsPerLaptopHour: number;
  readonly corpus: LoadResult['corpus'];
  readonly bounds: ValidityBounds;
  readonly slo: { readonly p99Ms: number; readonly errorRate: number } | null;
  /**
   * Steady and burst runs: past this share of failed uploads the run is invalid, whatever its latency
   * (the latency of refusals and resets is not the target's service time, and a target that fails
   * every upload must never pass). Ramps judge errors step by step instead.
   */
  readonly maxErrorRate?: number;
  readonly shard?: LoadResult['shard'];
  /** The target protocol, described. */
  readonly protocol?: string;
  /** After the schedule, how long answers (and spool drains) could still come: --grace. */
  readonly graceMs?: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function summarize(h: Parameters<typeof latencyFigures>[0]): LatencySummary {
  const f = latencyFigures(h);
  return { requests: f.requests, p50_ms: f.p50_ms, p90_ms: f.p90_ms, p99_ms: f.p99_ms, p999_ms: f.p999_ms, max_ms: f.max_ms };
}

export function computeLoadResult(ctx: LoadRunContext, sch: LoadSchedule, out: SenderOutcome): LoadResult {
  const rec = out.recorder;
  const all = createLatencyHistogram();
  all.add(rec.latency.upload);
  all.add(rec.latency.spool_drain);
  const latency: Record<string, LatencySummary> = { all: summarize(all) };
  const histograms: Record<string, string> = { all: encodeLatency(all), schedule_lag: encodeLatency(rec.lag) };
  for (const t of REQUEST_TYPES) {
    if (rec.latency[t].totalCount === 0) continue;
    latency[t] = summarize(rec.latency[t]);
    histograms[t] = encodeLatency(rec.latency[t]);
  }
  const lag = summarize(rec.lag);
  const headroom = 1 - out.eventLoopUtilization;
  const ramp = ctx.slo && sch.steps.length > 1 ? rampResult(sch, out, ctx.slo, ctx.bounds) : null;
  // Per-step histograms travel with the result so shards' ramps can be merged step by step.
  if (ramp) for (const st of ramp.steps) histograms[`step_${st.step}`] = encodeLatency(rec.steps[st.step]!.latency);
  // A ramp is judged step by step: its last steps are meant to exceed what the target (or the generator) can take,
  // so whole-run figures would condemn a run whose knee was measured on valid steps.
  const invalid: string[] = ramp ? rampInvalidReasons(ramp) : generatorReasons(lag.p99_ms, headroom, ctx.bounds, '');
  if (ramp?.broke_at_rate_per_s != null && (rec.byReason.get(RATE_LIMITED) ?? 0) > 0) {
    invalid.push(
      `the SLO broke at ${ramp.broke_at_rate_per_s}/s while the target answered ${rec.byReason.get(RATE_LIMITED)} uploads with 429 ${RATE_LIMITED} (its per-device rate limit): ` +
        `with ${ctx.run.devices} devices each sent about ${r3(ramp.broke_at_rate_per_s / Math.max(1, ctx.run.devices))}/s, so the knee may be the limit's, not the service's capacity; raise --devices`,
    );
  }
  const measureS = Math.max(
    0.001,
    (out.dispatchMs > 0 ? Math.max(out.dispatchMs, Math.min(out.wallMs, sch.durationMs)) : out.wallMs) / 1000,
  );
  const total = rec.accepted + rec.failed;
  const errors = {
    total: rec.failed,
    rate: total === 0 ? 0 : r3(rec.failed / total),
    by_status: Object.fromEntries([...rec.statuses()].sort()),
    by_reason: Object.fromEntries([...rec.byReason].sort()),
  };
  const targetFailures: string[] = [];
  // A closed loop stops with a request in flight on each connection, and an interrupt (Ctrl-C) cuts what is in flight:
  // those were cut by the run, not failed by the target.
  const cut = ctx.run.mode === 'capacity' || out.stoppedBy === 'interrupted' ? rec.unfinished : 0;
  const judgedFailed = rec.failed - cut;
  const judgedTotal = total - cut;
  if (!ramp && ctx.maxErrorRate !== undefined && judgedTotal > 0 && judgedFailed / judgedTotal > ctx.maxErrorRate) {
    targetFailures.push(
      `${judgedFailed} of ${judgedTotal} uploads failed (error rate ${r3(judgedFailed / judgedTotal)} > ${ctx.maxErrorRate}, --slo-error-rate): the target did not hold, and the latency of failures is not its service time` +
        rateLimitHint(rec, sch, ctx.run.devices, ctx.run.laptops),
    );
  }
  const unreadable = out.unreadable ?? { count: 0, first: null };
  if (unreadable.count > 0)
    targetFailures.push(
      `${unreadable.count} answers could not be read as ${ctx.protocol ?? 'fleetsim'}; the first: ${unreadable.first ?? '?'}`,
    );
  if (!ramp && total === 0 && rec.sent > 0) targetFailures.push(`none of the ${rec.sent} uploads sent was answered: nothing was measured`);
  const unreadableHttp = rec.byReason.get(UNREADABLE_ANSWER) ?? 0;
  if (unreadableHttp > 0) {
    targetFailures.push(
      `${unreadableHttp} answer${unreadableHttp === 1 ? '' : 's'} could not be read (not an HTTP/1.x status line, or a Content-Length that is not a number): a target whose answers cannot be read has not shown it accepted anything`,
    );
  }
  invalid.push(...targetFailures);
  if (out.stoppedBy === 'interrupted')
    invalid.push(
      `the run was interrupted after ${r3(out.wallMs / 1000)} s of the ${ctx.durationMs / 1000} s --duration: its figures are of that part only`,
    );
  const throughput = {
    requests_per_s: r3(rec.sent / measureS),
    accepted_per_s: r3(rec.accepted / measureS),
    events_per_s: r3(rec.acceptedEvents / measureS),
    accepted_mb_per_s: r3(rec.acceptedBytes / measureS / 1e6),
  };
  const drain = sch.outage && out.drain ? drainResult(sch, out, rec) : null;
  const seconds = Math.ceil(out.wallMs / 1000);
  const timeline = Array.from({ length: Math.min(seconds, rec.perSecond.sent.length) }, (_, s) => {
    const done = rec.perSecond.accepted[s]! + rec.perSecond.failed[s]!;
    return {
      second: s,
      sent: rec.perSecond.sent[s]!,
      accepted: rec.perSecond.accepted[s]!,
      failed: rec.perSecond.failed[s]!,
      mean_latency_ms: done === 0 ? null : r3(rec.perSecond.latencySumMs[s]! / done),
      max_latency_ms: done === 0 ? null : r3(rec.perSecond.latencyMaxMs[s]!),
    };
  });
  return {
    format: LOAD_RESULTS_FORMAT,
    ...ctx.run,
    duration_s: ctx.durationMs / 1000,
    wall_s: r3(out.wallMs / 1000),
    valid: invalid.length === 0,
    invalid_reasons: invalid,
    target_failed: targetFailures.length > 0,
    notes: runNotes(ctx, sch, out, drain),
    validity_bounds: { max_lag_p99_ms: ctx.bounds.maxLagP99Ms, min_cpu_headroom: ctx.bounds.minCpuHeadroom },
    fleet: {
      instant_utc: new Date(sch.fleetStartUtcMs).toISOString(),
      time_scale: r3(sch.timeScale),
      laptops_at_work: sch.laptopsAtWork,
      uploads_per_laptop_hour_at_work: r3(ctx.uploadsPerLaptopHour),
      planned_rate_per_s: r3(sch.initialRatePerS),
    },
    corpus: ctx.corpus,
    shard: ctx.shard ?? null,
    requests: {
      planned: sch.count + (out.drain?.backlog ?? 0),
      sent: rec.sent,
      completed: rec.completed,
      accepted: rec.accepted,
      failed: rec.failed,
      unfinished: rec.unfinished,
      events_accepted: rec.acceptedEvents,
      bytes_accepted: rec.acceptedBytes,
      truncated_by_max_requests: sch.truncated,
    },
    throughput,
    latency: latency as LoadResult['latency'],
    errors,
    schedule_lag: lag,
    generator: {
      cpu_s: r3(out.cpuMs / 1000),
      cpu_us_per_request: rec.sent === 0 ? null : r3((out.cpuMs * 1000) / rec.sent),
      event_loop_utilization: r3(out.eventLoopUtilization),
      cpu_headroom: r3(headroom),
    },
    drain: drain,
    protocol: ctx.protocol ?? 'fleetsim',
    unreadable_answers: unreadable,
    partially_rejected: {
      uploads: out.partiallyRejected?.uploads ?? 0,
      records: out.partiallyRejected?.records ?? 0,
      first_message: out.partiallyRejected?.first ?? null,
    },
    ramp,
    ingest:
      ramp?.gates_below_step != null
        ? belowKnee(rec, ramp.gates_below_step, throughput)
        : {
            ...pick(latency.all!),
            events_per_s: throughput.events_per_s,
            batches_per_s: throughput.accepted_per_s,
            errors: errors.total,
            error_rate: errors.rate,
          },
    timeline,
    histograms,
    stopped_by: out.stoppedBy,
  };
}

/**
 * Refusals that are rate-limit answers (429) may be the run's own doing: the
 * load is spread over its devices, and a target limits each device, so too
 * few devices ask each for more than a laptop ever sends. Says so, with the
 * rate each device was asked for and the --devices that keeps it at
 * RAMP_UPLOADS_PER_DEVICE_S; empty when no answer was a 429.
 */
function rateLimitHint(rec: SenderOutcome['recorder'], sch: LoadSchedule, devices: number, laptops: number): string {
  const limited = rec.statuses().get('429') ?? 0;
  if (limited === 0) return '';
  const rate = Math.max(0, ...sch.steps.map((st) => st.ratePerS));
  const perDevice = rate / Math.max(1, devices);
  const enough = Math.ceil(rate / RAMP_UPLOADS_PER_DEVICE_S);
  return (
    `; but ${limited} of the failures were 429 rate-limit answers${rec.byReason.has(RATE_LIMITED) ? ` (${RATE_LIMITED}: a device over its limit)` : ''}: ` +
    `the run asked each of its ${devices} device${devices === 1 ? '' : 's'} for about ${r3(perDevice)} uploads/s, and a target that limits each device ` +
    `(fleetsim serve: --rate-per-device, 5/s by default) refuses that whatever its capacity; ` +
    (devices < enough
      ? `raise --devices (to ${enough} or more, ${RAMP_UPLOADS_PER_DEVICE_S}/s each${enough > laptops ? `, with --laptops at least as many: a laptop uploads as one device` : ''}) so that no device sends faster than a laptop would`
      : `the devices already send at most ${RAMP_UPLOADS_PER_DEVICE_S}/s each, so the target's per-device limit is below that`)
  );
}

/**
 * The most uploads per second one device sends at a default-sized ramp's
 * last step: well under the reference service's per-device limit (5/s,
 * `fleetsim serve --rate-per-device`), so a knee is the service's capacity.
 */
export const RAMP_UPLOADS_PER_DEVICE_S = 2;

/** The notes of a run (see LoadResult.notes). */
function runNotes(ctx: LoadRunContext, sch: LoadSchedule, out: SenderOutcome, drain: LoadResult['drain']): string[] {
  const notes: string[] = [];
  const n = sch.count.toLocaleString('en-US');
  const d = ctx.durationMs / 1000;
  if (ctx.run.mode === 'capacity' && out.stoppedBy === 'max_requests')
    notes.push(
      `the closed loop sent all ${n} batches prepared for it (one fresh batch per request, --max-requests) after ${r3(out.wallMs / 1000)} s of the ${d} s --duration: raise --max-requests for a longer run`,
    );
  else if (ctx.run.mode === 'open' && sch.truncated && sch.count > 0)
    notes.push(
      `--max-requests cut the schedule at ${n} uploads, the last due at ${r3(sch.intendedMs[sch.count - 1]! / 1000)} s of the ${d} s --duration: the profile planned more; raise --max-requests to send them all`,
    );
  // An interrupted run is cut short by the user: a longer --duration is not the remedy.
  if (drain && !drain.drained && out.stoppedBy !== 'interrupted') notes.push(undrainedNote(ctx, out, drain));
  return notes;
}

/** Why the drain time is missing from a run that ended with batches still spooled, and the --duration that would measure it. */
/** The longest --duration a load run takes: a bound on its memory and on a test left running by mistake. */
export const MAX_DURATION_MS = 6 * 3600_000;

export function undrainedNote(ctx: LoadRunContext, out: SenderOutcome, d: NonNullable<LoadResult['drain']>): string {
  const since = r3(Math.max(0, out.wallMs / 1000 - d.recovery_at_s));
  const lastRetryS = r3((out.drain?.lastFirstRetryMs ?? 0) / 1000);
  const bounds = `--duration ${ctx.durationMs / 1000} s${ctx.graceMs === undefined ? '' : `, then up to --grace ${ctx.graceMs / 1000} s for answers`}`;
  const why =
    lastRetryS > since
      ? `the last laptop's uploader was due to retry only ${lastRetryS} s after the recovery (the agent's backoff, up to agent.upload.retryMaxMs)`
      : `at the pace of the drain so far`;
  return (
    `the spools did not drain within the run: ${d.left} of ${d.backlog_batches} spooled batches were still on laptops when it stopped, ${since} s after the recovery at ${d.recovery_at_s} s (${bounds}), so the time to drain is not measured; ` +
    (d.suggested_duration_s != null && d.suggested_duration_s * 1000 > MAX_DURATION_MS
      ? `${why}, about ${d.suggested_duration_s} s, more than a run may last (--duration at most ${MAX_DURATION_MS / 3600_000} h): shorten the outage (--outage) or compress it (--outage-scale), or lower agent.upload.retryMaxMs`
      : d.suggested_duration_s != null
        ? `${why}: rerun with --duration ${d.suggested_duration_s}s or more`
        : `none was stored yet, so there is no pace to estimate from: rerun with a longer --duration`)
  );
}

/**
 * A --duration (s) that would let every spool drain: the recovery, then the longer of the last laptop's first retry
 * (no drain ends before it) and the whole backlog at the pace drained so far, a quarter more for the backoff's
 * jitter and the last spools' sending, rounded up to 10 s (to a minute past 10 minutes). Null when neither says
 * anything (nothing drained yet, and every uploader was due to retry at once).
 */
export function drainDurationHint(x: {
  readonly recoveryAtMs: number;
  readonly lastFirstRetryMs: number;
  readonly sinceRecoveryMs: number;
  readonly backlog: number;
  readonly left: number;
}): number | null {
  const drained = x.backlog - x.left;
  const atPaceMs = drained > 0 ? (x.sinceRecoveryMs * x.backlog) / drained : 0;
  const drainMs = Math.max(x.lastFirstRetryMs, atPaceMs);
  if (drainMs <= 0) return null;
  const s = (x.recoveryAtMs + drainMs * 1.25) / 1000;
  const unit = s > 600 ? 60 : 10;
  return Math.ceil(s / unit) * unit;
}

function drainResult(sch: LoadSchedule, out: SenderOutcome, rec: SenderOutcome['recorder']): NonNullable<LoadResult['drain']> {
  const d = out.drain!;
  const w = sch.outage!;
  const lastFull = Math.floor(Math.min(out.wallMs, sch.durationMs) / 1000);
  let peak: number | null = null;
  for (let sec = Math.ceil(w.endMs / 1000); sec < lastFull && sec < rec.perSecond.sent.length; sec++)
    peak = Math.max(peak ?? 0, rec.perSecond.sent[sec]!);
  return {
    backlog_batches: d.backlog,
    laptops: d.laptops,
    drained: d.left === 0,
    drain_s: d.drainMs === null ? null : r3(d.drainMs / 1000),
    left: d.left,
    lost_spool_full: d.lostSpoolFull,
    lost_rejected: d.lostRejected,
    outage_s: r3(w.fleetMs / 1000),
    outage_run_s: r3((w.endMs - w.startMs) / 1000),
    recovery_at_s: r3(w.endMs / 1000),
    peak_arrivals_per_s: peak,
    steady_arrivals_per_s: r3(sch.initialRatePerS),
    peak_to_steady: peak === null || sch.initialRatePerS <= 0 ? null : r3(peak / sch.initialRatePerS),
    suggested_duration_s:
      d.left === 0
        ? null
        : drainDurationHint({
            recoveryAtMs: w.endMs,
            lastFirstRetryMs: d.lastFirstRetryMs,
            sinceRecoveryMs: Math.max(0, out.wallMs - w.endMs),
            backlog: d.backlog,
            left: d.left,
          }),
  };
}

/** The reference service's answer to a device over its rate limit (src/ingest/errors.ts). */
const RATE_LIMITED = 'INGEST_RATE_LIMITED';

/** The gates' figures of a ramp that found its knee: latency and errors of the steps below the breaking one. */
function belowKnee(rec: SenderOutcome['recorder'], breakStep: number, throughput: LoadResult['throughput']): LoadResult['ingest'] {
  const h = createLatencyHistogram();
  let failed = 0;
  let finished = 0;
  for (let i = 0; i < breakStep; i++) {
    const st = rec.steps[i]!;
    h.add(st.latency);
    failed += st.failed;
    finished += st.accepted + st.failed;
  }
  return {
    ...pick(summarize(h)),
    events_per_s: throughput.events_per_s,
    batches_per_s: throughput.accepted_per_s,
    errors: failed,
    error_rate: finished === 0 ? 0 : r3(failed / finished),
  };
}

function pick(l: LatencySummary) {
  return { p50_ms: l.p50_ms, p90_ms: l.p90_ms, p99_ms: l.p99_ms, p999_ms: l.p999_ms, max_ms: l.max_ms };
}

/** Why the generator's figures are outside the validity bounds (empty when inside). */
export function generatorReasons(lagP99Ms: number | null, headroom: number | null, b: ValidityBounds, where: string): string[] {
  const out: string[] = [];
  if (lagP99Ms !== null && lagP99Ms > b.maxLagP99Ms)
    out.push(`the generator fell behind its schedule${where}: p99 schedule lag ${lagP99Ms} ms > ${b.maxLagP99Ms} ms`);
  if (headroom !== null && headroom < b.minCpuHeadroom)
    out.push(
      `the generator ran out of CPU${where}: headroom ${r3(headroom)} < ${b.minCpuHeadroom} (event loop ${Math.round((1 - headroom) * 100)} % busy)`,
    );
  return out;
}

function rampResult(
  sch: LoadSchedule,
  out: SenderOutcome,
  slo: { p99Ms: number; errorRate: number },
  bounds: ValidityBounds,
): NonNullable<LoadResult['ramp']> {
  const steps: RampStepResult[] = [];
  for (const st of sch.steps) {
    const r = out.recorder.steps[st.index]!;
    const j = out.judgements.find((x) => x.step === st.index);
    if (r.requests === 0 && !j) continue;
    const lagP99 = r.lag.totalCount === 0 ? null : r3(r.lag.getValueAtPercentile(99) / 1000);
    const headroom = out.stepCpuHeadroom[st.index] ?? null;
    steps.push({
      step: st.index,
      rate_per_s: r3(st.ratePerS),
      requests: r.requests,
      accepted: r.accepted,
      failed: r.failed,
      p99_ms: j ? (j.p99Ms === null ? null : r3(j.p99Ms)) : r.requests === 0 ? null : r3(r.latency.getValueAtPercentile(99) / 1000),
      error_rate: j ? r3(j.errorRate) : null,
      held: j ? !j.broken : null,
      valid: headroom === null ? null : generatorReasons(lagP99, headroom, bounds, '').length === 0,
      lag_p99_ms: lagP99,
      cpu_headroom: headroom === null ? null : r3(headroom),
    });
  }
  return { ...rampKnee(steps), steps, slo: { p99_ms: slo.p99Ms, error_rate: slo.errorRate } };
}

/**
 * The knee from judged steps, taking only those where the generator kept up:
 * a step where it fell behind measured the generator as much as the target
 * (latency counts from the intended send, so its lag is in the figures).
 */
export function rampKnee(
  steps: readonly RampStepResult[],
): Pick<
  NonNullable<LoadResult['ramp']>,
  'knee_rate_per_s' | 'broke_at_rate_per_s' | 'held_up_to_rate_per_s' | 'generator_limited_at_rate_per_s' | 'gates_below_step'
> {
  const judged = steps.filter((s) => s.held !== null);
  const firstBreak = judged.find((s) => s.held === false);
  const validBreak = firstBreak && firstBreak.valid === true ? firstBreak : undefined;
  const validHeld = judged.filter((s) => s.held === true && s.valid === true && (!firstBreak || s.step < firstBreak.step));
  const limited = steps.find((s) => s.valid === false);
  const heldUpTo = validHeld.at(-1)?.rate_per_s ?? null;
  return {
    knee_rate_per_s: validBreak ? heldUpTo : null,
    broke_at_rate_per_s: validBreak?.rate_per_s ?? null,
    held_up_to_rate_per_s: heldUpTo,
    generator_limited_at_rate_per_s: limited?.rate_per_s ?? null,
    gates_below_step: validBreak?.step ?? null,
  };
}

/**
 * A ramp is valid when the steps its answer rests on are: the step that broke
 * the SLO, or, when none broke, every step (a generator that gave out first
 * leaves the knee unmeasured). A held step where the generator fell behind is
 * only left out of the knee.
 */
export function rampInvalidReasons(ramp: NonNullable<LoadResult['ramp']>): string[] {
  const firstBreak = ramp.steps.find((s) => s.held === false);
  const what = (s: RampStepResult) =>
    `step ${s.step} (${s.rate_per_s}/s: p99 schedule lag ${s.lag_p99_ms} ms, CPU headroom ${s.cpu_headroom})`;
  if (firstBreak)
    return firstBreak.valid === false
      ? [
          `the SLO broke at ${what(firstBreak)} while the generator fell behind: the break may be the generator's, so the knee is not measured`,
        ]
      : [];
  const limited = ramp.steps.find((s) => s.held !== null && s.valid === false);
  return limited
    ? [
        `the generator fell behind at ${what(limited)} before the target broke the SLO: the knee is above ${ramp.held_up_to_rate_per_s ?? '—'}/s, not measured`,
      ]
    : [];
}
