/**
 * Statistics of a comparison: mean, median and p95 of a sample, and seeded
 * percentile-bootstrap intervals of their difference (candidate − baseline),
 * paired (pairs resampled together, so what the two sides share cancels) or
 * unpaired (each side resampled on its own). Pure: the random stream is passed in.
 */
import { uniformInt, type RandomStream } from '../random/index.js';

export type Statistic = 'mean' | 'median' | 'p95';
export const STATISTICS: readonly Statistic[] = ['mean', 'median', 'p95'];

/** Linear-interpolation quantile (type 7, as numpy and R default) of a sorted sample. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

export function sampleSd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/** The three statistics of one sample (sorts a copy). */
export function statistics(xs: ArrayLike<number>): Record<Statistic, number> {
  const sorted = Float64Array.from(xs as ArrayLike<number>).sort();
  return { mean: mean(sorted), median: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95) };
}

/** A difference and its interval; relative ones are ÷ |baseline statistic| (null when the baseline is 0). */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface DifferenceEstimate {
  readonly baseline: number;
  readonly candidate: number;
  readonly diff: Interval;
  readonly rel: Interval | null;
}

export interface BootstrapOptions {
  /** Two-sided confidence, e.g. 0.9: the interval runs from the (1−c)/2 to the (1+c)/2 quantile. */
  readonly confidence: number;
  readonly resamples: number;
  readonly stream: RandomStream;
}

function resampleInto(out: Float64Array, from: ArrayLike<number>, idx: Int32Array | null, s: RandomStream): void {
  const n = from.length;
  if (idx) for (let i = 0; i < out.length; i++) out[i] = from[idx[i]!]!;
  else for (let i = 0; i < out.length; i++) out[i] = from[uniformInt(s, n)]!;
}

/**
 * Bootstrap intervals of candidate − baseline for mean, median and p95.
 * paired: a and b are aligned (a[i] and b[i] are the same laptop) and must have the same length.
 */
export function bootstrapDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  paired: boolean,
  o: BootstrapOptions,
): Record<Statistic, DifferenceEstimate> {
  if (paired && a.length !== b.length) throw new RangeError(`paired samples of different lengths (${a.length} and ${b.length})`);
  const sa = statistics(a);
  const sb = statistics(b);
  const diffs: Record<Statistic, Float64Array> = {
    mean: new Float64Array(o.resamples),
    median: new Float64Array(o.resamples),
    p95: new Float64Array(o.resamples),
  };
  const rels: Record<Statistic, Float64Array> = {
    mean: new Float64Array(o.resamples),
    median: new Float64Array(o.resamples),
    p95: new Float64Array(o.resamples),
  };
  const ra = new Float64Array(a.length);
  const rb = new Float64Array(b.length);
  const idx = paired ? new Int32Array(a.length) : null;
  for (let r = 0; r < o.resamples; r++) {
    if (idx) for (let i = 0; i < idx.length; i++) idx[i] = uniformInt(o.stream, a.length);
    resampleInto(ra, a, idx, o.stream);
    resampleInto(rb, b, idx, o.stream);
    const x = statistics(ra);
    const y = statistics(rb);
    for (const k of STATISTICS) {
      diffs[k][r] = y[k] - x[k];
      rels[k][r] = x[k] === 0 ? Number.NaN : (y[k] - x[k]) / Math.abs(x[k]);
    }
  }
  const lo = (1 - o.confidence) / 2;
  const hi = 1 - lo;
  const interval = (est: number, xs: Float64Array): Interval | null => {
    const finite = xs.filter((v) => Number.isFinite(v)).sort();
    // A ratio whose denominator is 0 in more than a sliver of resamples has no meaningful interval.
    if (!Number.isFinite(est) || finite.length < 0.99 * xs.length) return null;
    return { estimate: est, low: quantileSorted(finite, lo), high: quantileSorted(finite, hi) };
  };
  const out = {} as Record<Statistic, DifferenceEstimate>;
  for (const k of STATISTICS) {
    const d = sb[k] - sa[k];
    out[k] = {
      baseline: sa[k],
      candidate: sb[k],
      diff: interval(d, diffs[k])!,
      rel: sa[k] === 0 ? null : interval(d / Math.abs(sa[k]), rels[k]),
    };
  }
  return out;
}
