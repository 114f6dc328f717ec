import { describe, expect, it } from 'vitest';
import {
  beta,
  createStream,
  deriveStream,
  exGaussian,
  gamma,
  geometric,
  lognormal,
  normal,
  pareto,
  poisson,
  weightedIndex,
} from '../../src/random/index.js';

function sample(n: number, draw: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = draw();
  return a;
}
function mean(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s / a.length;
}
function sd(a: Float64Array): number {
  const m = mean(a);
  let s = 0;
  for (const x of a) s += (x - m) ** 2;
  return Math.sqrt(s / (a.length - 1));
}

describe('seeded streams', () => {
  it('give the same sequence for the same seed and path', () => {
    const a = createStream(42, 'employee', 7, 'typing');
    const b = createStream(42, 'employee', 7, 'typing');
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });

  it('give different sequences for different paths and seeds', () => {
    const first = (s: ReturnType<typeof createStream>) => [s.next(), s.next(), s.next()];
    const base = first(createStream(42, 'employee', 7, 'typing'));
    expect(first(createStream(42, 'employee', 8, 'typing'))).not.toEqual(base);
    expect(first(createStream(42, 'employee', 7, 'mouse'))).not.toEqual(base);
    expect(first(createStream(43, 'employee', 7, 'typing'))).not.toEqual(base);
  });

  it('derive children that do not depend on how much the parent was used', () => {
    const p1 = createStream('s', 1);
    const p2 = createStream('s', 1);
    p2.next();
    p2.next();
    expect(deriveStream(p1, 'day', 3).next()).toBe(deriveStream(p2, 'day', 3).next());
  });

  it('are uniform on [0, 1)', () => {
    const s = createStream('uniform');
    const a = sample(100_000, s.next);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(mean(a)).toBeCloseTo(0.5, 2);
  });
});

describe('distributions match their moments (n = 100,000, tolerance ≈ 4 standard errors)', () => {
  const s = createStream('moments');
  it('normal', () => {
    const a = sample(100_000, () => normal(s, 10, 2));
    expect(mean(a)).toBeCloseTo(10, 1);
    expect(sd(a)).toBeCloseTo(2, 1);
  });
  it('lognormal: mean exp(mu + sigma^2/2)', () => {
    const a = sample(100_000, () => lognormal(s, 3.871, 0.378));
    expect(Math.abs(mean(a) - Math.exp(3.871 + 0.378 ** 2 / 2))).toBeLessThan(0.3);
  });
  it('ex-Gaussian: mean mu + tau, variance sigma^2 + tau^2', () => {
    const a = sample(100_000, () => exGaussian(s, 100, 15, 50));
    expect(Math.abs(mean(a) - 150)).toBeLessThan(1);
    expect(Math.abs(sd(a) - Math.sqrt(15 ** 2 + 50 ** 2))).toBeLessThan(1);
  });
  it('gamma (shape above and below 1): mean k·theta', () => {
    expect(Math.abs(mean(sample(100_000, () => gamma(s, 2, 0.5))) - 1)).toBeLessThan(0.02);
    expect(Math.abs(mean(sample(100_000, () => gamma(s, 0.5, 2))) - 1)).toBeLessThan(0.03);
  });
  it('beta: mean a/(a+b)', () => {
    expect(Math.abs(mean(sample(100_000, () => beta(s, 1.6, 33))) - 1.6 / 34.6)).toBeLessThan(0.001);
  });
  it('poisson: mean and variance lambda', () => {
    const a = sample(100_000, () => poisson(s, 3));
    expect(Math.abs(mean(a) - 3)).toBeLessThan(0.03);
    expect(Math.abs(sd(a) ** 2 - 3)).toBeLessThan(0.1);
  });
  it('geometric: mean (1-p)/p (backspace runs of 1 + Geometric(0.54) average 1.85)', () => {
    expect(Math.abs(1 + mean(sample(100_000, () => geometric(s, 0.54))) - 1 / 0.54)).toBeLessThan(0.02);
  });
  it('truncated pareto stays in [xMin, xMax]', () => {
    const a = sample(50_000, () => pareto(s, 2, 1.9, 60));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...a)).toBeLessThanOrEqual(60);
  });
  it('weightedIndex follows its weights', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[weightedIndex(s, [1, 2, 3])]! += 1;
    expect(counts[0]! / 60_000).toBeCloseTo(1 / 6, 2);
    expect(counts[2]! / 60_000).toBeCloseTo(3 / 6, 2);
  });
});
