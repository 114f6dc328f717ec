/**
 * What a load run measures, as it happens: microsecond HDR histograms of
 * latency per request type measured from each request's intended send time,
 * the schedule lag (actual − intended send) of the generator, outcomes by
 * status and reason, and a per-second timeline. Plain counters and typed
 * arrays; results.ts turns them into figures.
 */
import { createLatencyHistogram, type LatencyHistogram } from '../metrics/latency.js';

export const REQUEST_TYPES = ['upload', 'spool_drain'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export interface StepRecord {
  readonly latency: LatencyHistogram;
  /** Schedule lag (actual − intended send, µs) of the step's scheduled sends: whether the generator kept up in this step. */
  readonly lag: LatencyHistogram;
  requests: number;
  accepted: number;
  failed: number;
  /** Requests of the step still unanswered when it was judged. */
  unfinishedAtJudgement: number;
}

export class LoadRecorder {
  readonly latency: Record<RequestType, LatencyHistogram> = { upload: createLatencyHistogram(), spool_drain: createLatencyHistogram() };
  readonly lag = createLatencyHistogram();
  /** Outcomes by status; answered HTTP statuses are counted in `statusCounts` (no string per request) and folded in by `statuses()`. */
  readonly byStatus = new Map<string, number>();
  private readonly statusCounts = new Uint32Array(600);
  readonly byReason = new Map<string, number>();
  readonly steps: StepRecord[];
  sent = 0;
  completed = 0;
  accepted = 0;
  acceptedEvents = 0;
  acceptedBytes = 0;
  failed = 0;
  unfinished = 0;
  /** Per run second: requests sent, accepted, failed, summed and max latency (ms). */
  readonly perSecond: {
    sent: Uint32Array;
    accepted: Uint32Array;
    failed: Uint32Array;
    latencySumMs: Float64Array;
    latencyMaxMs: Float64Array;
  };

  constructor(seconds: number, steps: number) {
    const n = Math.max(1, Math.ceil(seconds) + 1);
    this.perSecond = {
      sent: new Uint32Array(n),
      accepted: new Uint32Array(n),
      failed: new Uint32Array(n),
      latencySumMs: new Float64Array(n),
      latencyMaxMs: new Float64Array(n),
    };
    this.steps = Array.from({ length: Math.max(1, steps) }, () => ({
      latency: createLatencyHistogram(),
      lag: createLatencyHistogram(),
      requests: 0,
      accepted: 0,
      failed: 0,
      unfinishedAtJudgement: 0,
    }));
  }

  recordSent(atMs: number, intendedMs: number, scheduled: boolean, step = 0): void {
    this.sent++;
    const sec = Math.min(this.perSecond.sent.length - 1, Math.floor(atMs / 1000));
    this.perSecond.sent[sec]!++;
    if (scheduled) {
      const us = Math.max(1, Math.round((atMs - intendedMs) * 1000));
      this.lag.recordValue(us);
      if (this.steps.length > 1) this.steps[step]!.lag.recordValue(us);
    }
  }

  /** A 2xx answer (the hot path): as recordDone with accepted = true and no reason. */
  recordOk(type: RequestType, step: number, intendedMs: number, endMs: number, status: number, events: number, bytes: number): void {
    const latencyMs = endMs - intendedMs;
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.latency[type].recordValue(us);
    const st = this.steps[step]!;
    if (this.steps.length > 1) st.latency.recordValue(us);
    st.requests++;
    st.accepted++;
    this.statusCounts[status]!++;
    const sec = Math.min(this.perSecond.sent.length - 1, Math.floor(endMs / 1000));
    this.perSecond.latencySumMs[sec]! += latencyMs;
    if (latencyMs > this.perSecond.latencyMaxMs[sec]!) this.perSecond.latencyMaxMs[sec] = latencyMs;
    this.perSecond.accepted[sec]!++;
    this.completed++;
    this.accepted++;
    this.acceptedEvents += events;
    this.acceptedBytes += bytes;
  }

  /** Outcomes by status, the counted HTTP statuses included. */
  statuses(): Map<string, number> {
    const out = new Map(this.byStatus);
    for (let s = 0; s < this.statusCounts.length; s++)
      if (this.statusCounts[s]! > 0) out.set(String(s), (out.get(String(s)) ?? 0) + this.statusCounts[s]!);
    return out;
  }

  /** One exchange ended at `endMs` (run clock); latency counts from the intended send. */
  recordDone(
    type: RequestType,
    step: number,
    intendedMs: number,
    endMs: number,
    status: string,
    reason: string | null,
    accepted: boolean,
    events: number,
    bytes: number,
  ): void {
    const latencyMs = endMs - intendedMs;
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.latency[type].recordValue(us);
    const st = this.steps[step]!;
    // With one step its histogram would repeat the type's.
    if (this.steps.length > 1) st.latency.recordValue(us);
    st.requests++;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    const sec = Math.min(this.perSecond.sent.length - 1, Math.floor(endMs / 1000));
    this.perSecond.latencySumMs[sec]! += latencyMs;
    if (latencyMs > this.perSecond.latencyMaxMs[sec]!) this.perSecond.latencyMaxMs[sec] = latencyMs;
    if (reason === 'unfinished') this.unfinished++;
    else this.completed++;
    if (accepted) {
      this.accepted++;
      this.acceptedEvents += events;
      this.acceptedBytes += bytes;
      st.accepted++;
      this.perSecond.accepted[sec]!++;
    } else {
      this.failed++;
      st.failed++;
      this.perSecond.failed[sec]!++;
      const r = reason ?? status;
      this.byReason.set(r, (this.byReason.get(r) ?? 0) + 1);
    }
  }
}
