import { describe, expect, it } from 'vitest';
import {
  compareSides,
  judge,
  parseGate,
  parseTolerances,
  RUN_FIGURES,
  evaluateGates,
  bootstrapDifference,
  type FigureSpec,
  type Replica,
  type Side,
} from '../../src/compare/index.js';
import { createStream, lognormal, normal } from '../../src/random/index.js';

const CPU: FigureSpec = { key: 'battery.cpu_s_per_hour', alias: 'cpu', label: 'cpu', unit: 's', better: 'lower' };
const opts = (seed: string) => ({ confidence: 0.9, resamples: 400, seed, tolerance: () => 0.05, erraticCv: 0.1 });

/** A fleet of n laptops whose own level (who uses it) varies a lot, seen under a multiplicative effect with a little run noise. */
function fleet(seed: string, n: number, effect: number, noiseSd: number, run: string): Replica {
  const own = createStream(seed, 'laptops');
  const noise = createStream(seed, 'noise', run);
  const units = new Map<string, Record<string, number>>();
  for (let i = 0; i < n; i++) units.set(`l${i}`, { [CPU.key]: lognormal(own, 0, 0.6) * (1 + effect) * (1 + normal(noise, 0, noiseSd)) });
  return { name: run, units };
}
const side = (r: Replica, pairable = true): Side => ({ replicas: [r], pairable });

describe('compare statistics', () => {
  it('covers a known mean difference at the stated 90 % confidence (simulated over 300 seeds)', () => {
    // Population: N(10, 2) vs N(11, 2), unpaired, n = 40: the true difference of means is 1.
    const trials = 300;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const s = createStream('coverage', t);
      const a = Array.from({ length: 40 }, () => normal(s, 10, 2));
      const b = Array.from({ length: 40 }, () => normal(s, 11, 2));
      const d = bootstrapDifference(a, b, false, { confidence: 0.9, resamples: 400, stream: createStream('coverage-boot', t) }).mean.diff;
      if (d.low <= 1 && d.high >= 1) covered++;
    }
    const rate = covered / trials;
    // Binomial sampling error of the rate: sd = √(0.9·0.1/300) ≈ 0.017; the percentile bootstrap runs a little
    // narrow at n = 40 (about 1 point), so allow 3 sd below and above.
    expect(rate).toBeGreaterThan(0.9 - 3 * 0.0173 - 0.01);
    expect(rate).toBeLessThan(0.9 + 3 * 0.0173);
  });

  it('A/A: the interval excludes 0 in about 10 % of seeds, and the verdict is no change in at least 90 %', () => {
    const trials = 300;
    let excluded = 0;
    let noChange = 0;
    for (let t = 0; t < trials; t++) {
      // Two runs of the same fleet under the same build: only run noise differs.
      const a = fleet(`aa${t}`, 50, 0, 0.1, 'a');
      const b = fleet(`aa${t}`, 50, 0, 0.1, 'b');
      const r = compareSides([CPU], side(a), side(b), opts(`aa${t}`));
      const m = r.figures[0]!.statistics.find((s) => s.statistic === 'mean')!;
      if (m.diff.low > 0 || m.diff.high < 0) excluded++;
      if (m.verdict === 'no change') noChange++;
    }
    const rate = excluded / trials;
    expect(Math.abs(rate - 0.1)).toBeLessThan(3 * Math.sqrt((0.1 * 0.9) / trials) + 0.01);
    expect(noChange / trials).toBeGreaterThanOrEqual(0.9);
  });

  it('finds a 10 % CPU increase worse, paired, where the unpaired interval is several times wider', () => {
    const a = fleet('effect', 60, 0, 0.05, 'a');
    const b = fleet('effect', 60, 0.1, 0.05, 'b');
    const paired = compareSides([CPU], side(a), side(b), opts('x')).figures[0]!;
    const unpaired = compareSides([CPU], side(a, false), side(b, false), opts('x')).figures[0]!;
    expect(paired.paired).toBe(true);
    expect(unpaired.paired).toBe(false);
    const pm = paired.statistics[0]!;
    const um = unpaired.statistics[0]!;
    expect(pm.verdict).toBe('worse');
    expect(pm.rel!.low).toBeGreaterThan(0.05);
    expect(pm.rel!.high).toBeLessThan(0.15);
    expect((pm.diff.high - pm.diff.low) / (um.diff.high - um.diff.low)).toBeLessThan(0.5);
    // The same data with the opposite direction of "better" is judged better.
    expect(judge('higher', pm, 0.05)).toBe('better');
  });

  it('is repeatable: the same data and seed give the same intervals', () => {
    const a = fleet('rep', 30, 0, 0.05, 'a');
    const b = fleet('rep', 30, 0.02, 0.05, 'b');
    expect(compareSides([CPU], side(a), side(b), opts('s'))).toEqual(compareSides([CPU], side(a), side(b), opts('s')));
  });

  it('marks a figure erratic when its replicas vary by more than the limit, and does not judge it', () => {
    const reps = [0, 0.3, -0.2].map((shift, i) => ({
      name: `r${i}`,
      units: new Map([...fleet('err', 30, 0, 0.01, 'a').units].map(([k, v]) => [k, { [CPU.key]: v[CPU.key]! * (1 + shift) }])),
    }));
    const r = compareSides([CPU], { replicas: reps, pairable: true }, side(fleet('err', 30, 0.5, 0.01, 'b')), opts('e')).figures[0]!;
    expect(r.erratic).toBe(true);
    expect(r.statistics.every((s) => s.verdict === 'erratic')).toBe(true);
    expect(r.note).toMatch(/vary too much/);
  });

  it('treats an effect below the tolerance as no change, and parses per-figure tolerances', () => {
    const a = fleet('tol', 80, 0, 0.01, 'a');
    const b = fleet('tol', 80, 0.03, 0.01, 'b');
    const figures = [CPU, { ...CPU, key: 'other', alias: 'o' }];
    expect(
      compareSides([CPU], side(a), side(b), { ...opts('t'), tolerance: parseTolerances([], figures, 0.05) }).figures[0]!.statistics[0]!
        .verdict,
    ).toBe('no change');
    expect(
      compareSides([CPU], side(a), side(b), { ...opts('t'), tolerance: parseTolerances(['cpu=1%'], figures, 0.05) }).figures[0]!
        .statistics[0]!.verdict,
    ).toBe('worse');
    const tol = parseTolerances(['2%', 'battery.cpu_s_per_hour=0.03'], figures, 0.05);
    expect(tol(CPU)).toBe(0.03);
    expect(tol(figures[1]!)).toBe(0.02);
    expect(() => parseTolerances(['gpu=3%'], figures, 0.05)).toThrow(/unknown figure "gpu".*battery.cpu_s_per_hour \(cpu\)/);
    expect(() => parseTolerances(['cpu=three'], figures, 0.05)).toThrow(/relative amount like 3%/);
    // A bare 5 would be 500 %: refused, saying how to write five percent.
    expect(() => parseTolerances(['5'], figures, 0.05)).toThrow(/5 without % would mean 500 %; write 5% for 5 percent/);
    expect(parseTolerances(['1'], figures, 0.05)(CPU)).toBe(1);
  });

  it('gates trip on the named figure, statistic and verdict; bad gates are refused with what is allowed', () => {
    const r = compareSides([CPU], side(fleet('g', 60, 0, 0.05, 'a')), side(fleet('g', 60, 0.2, 0.05, 'b')), opts('g'));
    const out = evaluateGates(
      [parseGate('cpu.p95 worse', [CPU]), parseGate('battery.cpu_s_per_hour better', [CPU]), parseGate('* changed', [CPU])],
      r,
    );
    expect(out.map((g) => g.pass)).toEqual([false, true, false]);
    expect(out[0]!.tripped).toEqual(['battery.cpu_s_per_hour.p95 worse']);
    expect(() => parseGate('cpu worst', [CPU])).toThrow(/unknown verdict "worst"; allowed: worse, better, changed, erratic/);
    expect(() => parseGate('cpu', [CPU])).toThrow(/expected "<figure>/);
    expect(() => parseGate('gpu.p95 worse', [CPU])).toThrow(/unknown figure "gpu"/);
    // An alias with a dot names its figure whole: freshness.p95 is freshness p95, not the p95 of freshness p50.
    expect(parseGate('freshness.p95 better', RUN_FIGURES)).toMatchObject({ figure: 'freshness.p95_s', statistic: 'mean' });
    expect(parseGate('freshness.p95.median better', RUN_FIGURES)).toMatchObject({ figure: 'freshness.p95_s', statistic: 'median' });
    expect(parseGate('freshness.p95_s.p95 worse', RUN_FIGURES)).toMatchObject({ figure: 'freshness.p95_s', statistic: 'p95' });
  });

  it('a gate over figures with too few values is not judged, and does not pass; each side keeps its value', () => {
    const one = (name: string, cpu: number): Side => ({
      replicas: [{ name, units: new Map([[name, { [CPU.key]: cpu }]]) }],
      pairable: false,
    });
    const r = compareSides([CPU], one('a', 1.25), one('b', 2.5), opts('few'));
    const f = r.figures[0]!;
    expect(f.statistics).toEqual([]);
    expect(f.note).toBe('too few values to compare (1 baseline, 1 candidate; at least 2 each): baseline 1.25 s, candidate 2.5 s');
    const [named, all] = evaluateGates([parseGate('cpu worse', [CPU]), parseGate('* worse', [CPU])], r);
    for (const g of [named!, all!]) {
      expect(g).toMatchObject({ pass: false, judged: false, tripped: [] });
      expect(g.unjudged).toEqual([`battery.cpu_s_per_hour.mean: ${f.note}`]);
    }
  });

  it('a tripped figure decides a gate even when others are not judged; * leaves out figures neither side measured', () => {
    const OTHER: FigureSpec = { ...CPU, key: 'other', alias: 'o' };
    const NONE: FigureSpec = { ...CPU, key: 'none', alias: 'n' };
    const withOther = (r: Replica, other: number | null): Side => ({
      replicas: [{ ...r, units: new Map([...r.units].map(([id, u], i) => [id, i === 0 && other !== null ? { ...u, other } : u])) }],
      pairable: true,
    });
    const r = compareSides(
      [CPU, OTHER, NONE],
      withOther(fleet('g', 60, 0, 0.05, 'a'), 1),
      withOther(fleet('g', 60, 0.2, 0.05, 'b'), 2),
      opts('g'),
    );
    const [star] = evaluateGates([parseGate('* worse', [CPU, OTHER, NONE])], r);
    expect(star).toMatchObject({ pass: false, judged: true, tripped: ['battery.cpu_s_per_hour.mean worse'] });
    expect(star!.unjudged).toEqual([expect.stringMatching(/^other\.mean: too few values to compare \(1 baseline, 1 candidate/)]);
    // Without the tripping figure, the same gate is open: "other" has too few values, "none" none at all (left out).
    const [open] = evaluateGates([parseGate('* worse', [CPU, OTHER, NONE])], { ...r, figures: r.figures.filter((f) => f.figure !== CPU) });
    expect(open).toMatchObject({ pass: false, judged: false, tripped: [] });
    expect(open!.unjudged).toHaveLength(1);
  });
});
