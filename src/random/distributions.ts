import type { RandomStream } from './stream.js';

/*
 * Distributions as plain functions of a stream. Parameters follow the usual
 * textbook conventions and are named so that call sites read like the
 * BEHAVIOUR.md tables (lognormal(mu, sigma) is on the log scale).
 */

const TWO_PI = 2 * Math.PI;

export function uniform(s: RandomStream, min: number, max: number): number {
  return min + (max - min) * s.next();
}

/** Integer in [0, n). */
export function uniformInt(s: RandomStream, n: number): number {
  return Math.floor(s.next() * n);
}

export function bernoulli(s: RandomStream, p: number): boolean {
  return s.next() < p;
}

/** Standard normal by Box–Muller (one value per call keeps streams stateless beyond the PRNG). */
export function standardNormal(s: RandomStream): number {
  let u = s.next();
  while (u <= 1e-300) u = s.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(TWO_PI * s.next());
}

export function normal(s: RandomStream, mean: number, sd: number): number {
  return mean + sd * standardNormal(s);
}

/** exp(N(mu, sigma)): mu and sigma on the log scale. */
export function lognormal(s: RandomStream, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * standardNormal(s));
}

export function exponential(s: RandomStream, mean: number): number {
  return -mean * Math.log(1 - s.next());
}

/** Ex-Gaussian: N(mu, sigma) + Exp(mean tau), the classic reaction-time shape. */
export function exGaussian(s: RandomStream, mu: number, sigma: number, tau: number): number {
  return normal(s, mu, sigma) + exponential(s, tau);
}

/** Gamma(shape k, scale theta) by Marsaglia & Tsang (2000); k < 1 by the boost x·U^(1/k). */
export function gamma(s: RandomStream, shape: number, scale: number): number {
  if (shape < 1) {
    const u = s.next();
    return gamma(s, shape + 1, scale) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(s);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = s.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

export function beta(s: RandomStream, a: number, b: number): number {
  const x = gamma(s, a, 1);
  const y = gamma(s, b, 1);
  return x / (x + y);
}

/** Poisson by inversion for small means, normal approximation (rounded, floored at 0) above 50. */
export function poisson(s: RandomStream, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(normal(s, mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = s.next();
  while (p > limit) {
    k++;
    p *= s.next();
  }
  return k;
}

/** Number of failures before the first success, P(k) = (1-p)^k p. */
export function geometric(s: RandomStream, p: number): number {
  if (p >= 1) return 0;
  return Math.floor(Math.log(1 - s.next()) / Math.log(1 - p));
}

/** Pareto(xMin, alpha), optionally truncated at xMax by inversion of the truncated CDF. */
export function pareto(s: RandomStream, xMin: number, alpha: number, xMax = Infinity): number {
  const u = s.next();
  if (!Number.isFinite(xMax)) return xMin / Math.pow(1 - u, 1 / alpha);
  const tail = Math.pow(xMin / xMax, alpha);
  return xMin / Math.pow(1 - u * (1 - tail), 1 / alpha);
}

export function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}

export function pick<T>(s: RandomStream, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[uniformInt(s, items.length)] as T;
}

/** Index drawn with probability proportional to weights[i] (weights need not sum to 1). */
export function weightedIndex(s: RandomStream, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  if (!(total > 0)) throw new RangeError('weightedIndex needs a positive total weight');
  let u = s.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] as number;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Key of a record drawn with probability proportional to its value. */
export function weightedKey<K extends string>(s: RandomStream, weights: Readonly<Record<K, number>>): K {
  const keys = Object.keys(weights) as K[];
  return keys[
    weightedIndex(
      s,
      keys.map((k) => weights[k]),
    )
  ] as K;
}
