/** Summary statistics of a sample, for reports. */
export interface Distribution {
  readonly mean: number;
  readonly sd: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly max: number;
}

/**
 * Rounded to 3 decimals by default; pass `sig(4)` for figures so small that
 * 3 decimals would leave one significant digit (battery % per day is ~0.005).
 */
export function distribution(values: readonly number[], round: (x: number) => number = r3): Distribution {
  const r3 = round;
  if (values.length === 0) return { mean: 0, sd: 0, p10: 0, p50: 0, p90: 0, p95: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))] as number;
  return {
    mean: r3(mean),
    sd: r3(n > 1 ? Math.sqrt(ss / (n - 1)) : 0),
    p10: r3(q(0.1)),
    p50: r3(q(0.5)),
    p90: r3(q(0.9)),
    p95: r3(q(0.95)),
    max: r3(sorted[n - 1] as number),
  };
}

export function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Rounds to `digits` significant digits. */
export const sig =
  (digits: number) =>
  (x: number): number =>
    x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits));

/** Equal-width bins over [min, max] of the sample: what a histogram chart draws. */
export interface Histogram {
  readonly lower: number;
  readonly width: number;
  readonly counts: readonly number[];
}

export function histogram(values: readonly number[], bins = 20): Histogram {
  if (values.length === 0) return { lower: 0, width: 1, counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]! += 1;
  return { lower: lo, width, counts };
}
