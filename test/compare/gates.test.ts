/**
 * Gates over a comparison: a gate covering a figure it cannot judge never
 * passes, whether the figure has too few values or is erratic (its replicas
 * disagree more than --erratic-cv allows).
 */
import { describe, expect, it } from 'vitest';
import {
  compareSides,
  DEFAULT_COMPARE_OPTIONS,
  evaluateGates,
  parseGate,
  type FigureSpec,
  type Replica,
  type Side,
} from '../../src/compare/index.js';

const FIGURES: readonly FigureSpec[] = [
  { key: 'noisy', alias: 'noisy', label: 'noisy figure', unit: 's', better: 'lower' },
  { key: 'steady', alias: 'steady', label: 'steady figure', unit: 's', better: 'lower' },
];

/** A replica of 20 laptops, each figure at its value plus a small per-laptop spread. */
function replica(name: string, noisy: number, steady: number): Replica {
  return {
    name,
    units: new Map(Array.from({ length: 20 }, (_, i) => [`L${i}`, { noisy: noisy + i / 100, steady: steady + i / 100 }])),
  };
}

// Baseline replicas agree; the candidate's two disagree on "noisy" (means 1.1 and 3.1: cv about 0.7) and agree on "steady", which doubles.
const baseline: Side = { pairable: true, replicas: [replica('b1', 1, 1), replica('b2', 1.01, 1.01)] };
const candidate: Side = { pairable: true, replicas: [replica('c1', 1, 2), replica('c2', 3, 2.01)] };
const result = compareSides(FIGURES, baseline, candidate, {
  ...DEFAULT_COMPARE_OPTIONS,
  resamples: 500,
  tolerance: () => DEFAULT_COMPARE_OPTIONS.toleranceRel,
});
const outcome = (gate: string) => evaluateGates([parseGate(gate, FIGURES)], result)[0]!;

describe('gates on an erratic figure', () => {
  it('the comparison marks the figure erratic and judges the steady one', () => {
    expect(result.figures.find((f) => f.figure.key === 'noisy')!.statistics.map((s) => s.verdict)).toEqual([
      'erratic',
      'erratic',
      'erratic',
    ]);
    expect(result.figures.find((f) => f.figure.key === 'steady')!.statistics[0]!.verdict).toBe('worse');
  });

  it('a worse, better or changed gate on it is not judged, never passed, and says why', () => {
    for (const verdict of ['worse', 'better', 'changed']) {
      const g = outcome(`noisy ${verdict}`);
      expect(g, verdict).toMatchObject({ pass: false, judged: false, tripped: [], reasons: ['erratic'] });
      expect(g.unjudged).toEqual([expect.stringMatching(/^noisy\.mean: replicas vary too much: .* above 10 %$/)]);
    }
    expect(outcome('noisy.p95 worse').unjudged[0]).toMatch(/^noisy\.p95: replicas vary too much/);
  });

  it('an erratic gate on it trips', () => {
    expect(outcome('noisy erratic')).toMatchObject({ pass: false, judged: true, tripped: ['noisy.mean erratic'], unjudged: [] });
  });

  it('a gate over every figure fails on the steady figure that tripped it and names the erratic one it could not judge', () => {
    expect(outcome('* worse')).toMatchObject({
      pass: false,
      judged: true,
      tripped: ['steady.mean worse'],
      unjudged: [expect.stringMatching(/^noisy\.mean: replicas vary too much/)],
      reasons: ['erratic'],
    });
    expect(outcome('* better')).toMatchObject({ pass: false, judged: false, tripped: [], reasons: ['erratic'] });
  });

  it('a gate on a steady figure alone is judged as before', () => {
    expect(outcome('steady better')).toMatchObject({ pass: true, judged: true, tripped: [], unjudged: [], reasons: [] });
  });
});

describe('the reason an erratic figure is not judged', () => {
  it('states a small limit and spreads in digits that tell them apart, not as 0 %', () => {
    const quiet: Side = { pairable: true, replicas: [replica('q1', 1, 1), replica('q2', 1.0001, 1)] };
    const r = compareSides(FIGURES, quiet, quiet, {
      ...DEFAULT_COMPARE_OPTIONS,
      resamples: 200,
      erraticCv: 0.00001,
      tolerance: () => DEFAULT_COMPARE_OPTIONS.toleranceRel,
    });
    const note = r.figures.find((f) => f.figure.key === 'noisy')!.note;
    // Means 1.095 and 1.0951: sd ÷ mean 0.0065 %.
    expect(note).toBe('replicas vary too much: per-replica means vary by 0.0065 % (baseline), 0.0065 % (candidate), above 0.001 %');
  });
});

describe('an erratic gate with one replica a side', () => {
  // Whether replicas disagree needs two of them: with one a side the gate has no evidence, so it is not judged (exit 2), never passed.
  const single = compareSides(
    FIGURES,
    { pairable: true, replicas: [replica('b1', 1, 1)] },
    { pairable: true, replicas: [replica('c1', 1, 2)] },
    { ...DEFAULT_COMPARE_OPTIONS, resamples: 200, tolerance: () => DEFAULT_COMPARE_OPTIONS.toleranceRel },
  );
  const gate = (g: string) => evaluateGates([parseGate(g, FIGURES)], single)[0]!;

  it('is not judged, saying it needs 2 replicas on a side', () => {
    const g = gate('* erratic');
    expect(g).toMatchObject({ pass: false, judged: false, tripped: [], reasons: ['one_replica'] });
    expect(g.unjudged[0]).toMatch(/one replica a side: whether replicas disagree needs 2 or more on a side/);
  });

  it('leaves the other verdicts judged: steady doubled is worse', () => {
    expect(gate('steady worse')).toMatchObject({ pass: false, judged: true, tripped: ['steady.mean worse'] });
  });
});
