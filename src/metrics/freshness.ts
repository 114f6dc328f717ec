import * as hdr from 'hdr-histogram-js';

/**
 * Freshness: how long after it was typed or moved an event is acknowledged by
 * the service (the agent's 2xx for the batch holding it). Counted per event,
 * in ms, in an HDR histogram (3 significant digits, 1 ms to 60 days, packed:
 * a fleet keeps one per laptop), mergeable across days, laptops and workers
 * through its compressed encoding.
 */
export type FreshnessHistogram = hdr.Histogram;

const MAX_FRESHNESS_MS = 60 * 86_400_000;

export function createFreshnessHistogram(): FreshnessHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_FRESHNESS_MS,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 'packed',
  });
}

export function encodeFreshness(h: FreshnessHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeFreshness(s: string): FreshnessHistogram {
  const h = createFreshnessHistogram();
  if (s !== '') h.add(hdr.decodeFromCompressedBase64(s));
  return h;
}

/**
 * The input times of a batch's events, binned: what the agent keeps of them
 * until the batch is acknowledged (the events themselves are compressed into
 * the body). Bins are 1 s wide, wider for batches spanning more than ~68 min,
 * so a batch costs at most 16 kB of it however many events it holds.
 */
export interface InputTimes {
  readonly startMs: number;
  readonly stepMs: number;
  readonly counts: Uint32Array;
}

const MAX_BINS = 4096;

/** Bins event times (ms, ascending or not) of `t[0..n)`; null when n is 0. */
export function binInputTimes(t: ArrayLike<number>, n: number): InputTimes | null {
  if (n === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = t[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const stepMs = Math.max(1000, Math.ceil((hi - lo + 1) / MAX_BINS));
  const counts = new Uint32Array(Math.floor((hi - lo) / stepMs) + 1);
  for (let i = 0; i < n; i++) counts[Math.floor(((t[i] as number) - lo) / stepMs)]! += 1;
  return { startMs: lo, stepMs, counts };
}

/** Adds a batch acknowledged at ackMs: each event's freshness is ackMs − its input time (bin middle, at least 1 ms). */
export function recordAcknowledged(h: FreshnessHistogram, times: InputTimes, ackMs: number): void {
  const { startMs, stepMs, counts } = times;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] as number;
    if (c === 0) continue;
    const mid = Math.min(startMs + (k + 0.5) * stepMs, ackMs);
    h.recordValueWithCount(Math.min(MAX_FRESHNESS_MS, Math.max(1, Math.round(ackMs - mid))), c);
  }
}

/** Per-event percentiles in seconds (the histogram's 0.1 % precision; max as the top bucket reads, the same before and after encoding), or nulls when no event was acknowledged. */
export interface FreshnessFigures {
  readonly events: number;
  readonly p50_s: number | null;
  readonly p95_s: number | null;
  readonly max_s: number | null;
}

export function freshnessFigures(h: FreshnessHistogram): FreshnessFigures {
  if (h.totalCount === 0) return { events: 0, p50_s: null, p95_s: null, max_s: null };
  const s = (ms: number) => Math.round(ms) / 1000;
  return {
    events: h.totalCount,
    p50_s: s(h.getValueAtPercentile(50)),
    p95_s: s(h.getValueAtPercentile(95)),
    max_s: s(h.getValueAtPercentile(100)),
  };
}
