/** Statistics over replicas: mean and a Student-t 95 % confidence interval within the figure's bounds; total variation distance. */

/** t(0.975, df) for df = 1…30 (standard tables); beyond 30 the normal 1.96 is within 2 %. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[df - 1]!;
  // Cornish–Fisher style correction of the normal quantile: exact to 3 decimals for df > 30.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** The values a figure can take: its interval is kept within them. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
}

/** A share of events or people, and a total variation distance: 0 to 1. */
export const SHARE: Bounds = { min: 0, max: 1 };
/** A difference of two shares (yield points one rule costs against another): −1 to 1. */
export const SHARE_DIFFERENCE: Bounds = { min: -1, max: 1 };
/** A count per person or per day: never below 0. */
export const NON_NEGATIVE: Bounds = { min: 0, max: Number.POSITIVE_INFINITY };
const ANY: Bounds = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };

/**
 * A figure over replicas: mean, and a 95 % interval with its bounds. ci95 is
 * the half-width of the Student-t interval, t(0.975, n−1)·sd/√n (sd with n−1);
 * low and high are that interval kept within the figure's bounds (see
 * estimate). All three are null with fewer than 2 replicas.
 */
export interface Estimate {
  readonly mean: number;
  readonly ci95: number | null;
  readonly n: number;
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * Mean and 95 % interval of a figure over replicas.
 *
 * The replicas are the independent units: a replica's events share its
 * employees, so an interval from event counts (Wilson's, say) would be far too
 * narrow. Over a few replicas the Student-t interval is the standard one
 * (Student 1908), but with 2 replicas t(0.975, 1) = 12.7 stretches
 * mean ± half-width past 0 or 100 % for a share. The interval is then clamped
 * to the figure's bounds: the part cut off holds no value the figure can take,
 * so clamping keeps the interval's coverage (Mandelkern 2002, "Setting
 * confidence intervals for bounded parameters", Statistical Science
 * 17(2):149–172, on intervals truncated to the physical region), and since the
 * mean of values within the bounds is within them, the interval never empties.
 * A wide interval stays wide: the sweep warns below MIN_REPLICAS_FOR_INTERVALS.
 */
export function estimate(xs: readonly number[], bounds: Bounds = ANY): Estimate {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, ci95: null, n: 0, low: null, high: null };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: null, n, low: null, high: null };
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const ci95 = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { mean, ci95, n, low: Math.max(bounds.min, mean - ci95), high: Math.min(bounds.max, mean + ci95) };
}

/**
 * Total variation distance between two distributions given as counts over the
 * same keys: ½ Σ |p_i − q_i| after normalising each. 0 = same mix, 1 = disjoint.
 * NaN when either side is empty (nothing captured: no mix to compare).
 */
export function totalVariation(p: Readonly<Record<string, number>>, q: Readonly<Record<string, number>>): number {
  // Sorted: the sum does not depend on the order shards added groups in (same figures whatever the worker count).
  const keys = [...new Set([...Object.keys(p), ...Object.keys(q)])].sort();
  let sp = 0;
  let sq = 0;
  for (const k of keys) {
    sp += p[k] ?? 0;
    sq += q[k] ?? 0;
  }
  if (sp <= 0 || sq <= 0) return Number.NaN;
  let d = 0;
  for (const k of keys) d += Math.abs((p[k] ?? 0) / sp - (q[k] ?? 0) / sq);
  return d / 2;
}
