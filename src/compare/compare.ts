/**
 * The comparison of two sides (baseline, candidate), each a list of replicas:
 * pairing, bootstrap intervals per figure and statistic, erratic detection and
 * verdicts. Pure: plain data in, plain data out; the seed makes it repeatable.
 */
import { createStream } from '../random/index.js';
import { bootstrapDifference, mean, sampleSd, STATISTICS, type DifferenceEstimate, type Statistic } from './stats.js';

/** Which way is better for a figure; 'either' for figures that only change (most ledger fates). */
export type Better = 'lower' | 'higher' | 'either';

export interface FigureSpec {
  /** Dotted name, as in summary.json where one exists: "battery.pct_per_day". */
  readonly key: string;
  /** Short name for --tolerance and --fail-on: "cpu". */
  readonly alias: string;
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  /** Measured on the machine that ran it (varies between replicas); the rest are simulated. */
  readonly measured?: boolean;
}

/** One replica: per unit (laptop, replica, cell) the figures measured on it. A missing or NaN figure means "not applicable to this unit". */
export interface Replica {
  readonly name: string;
  readonly units: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

export interface Side {
  readonly replicas: readonly Replica[];
  /** Units of this side can be paired with equal units of the other (same seed and fleet). */
  readonly pairable: boolean;
}

export type Verdict = 'better' | 'worse' | 'changed' | 'no change' | 'erratic' | 'n/a';
export const VERDICTS: readonly Verdict[] = ['better', 'worse', 'changed', 'no change', 'erratic', 'n/a'];

export interface CompareOptions {
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: string;
  /** Relative effect below which a figure counts as unchanged, per figure key. */
  readonly tolerance: (figure: FigureSpec) => number;
  /** A side whose per-replica means vary more than this (sd ÷ |mean|) is erratic for that figure. */
  readonly erraticCv: number;
}

export const DEFAULT_COMPARE_OPTIONS = {
  confidence: 0.9,
  resamples: 2000,
  seed: 'fleetsim-compare',
  toleranceRel: 0.05,
  erraticCv: 0.1,
} as const;

export interface StatisticComparison extends DifferenceEstimate {
  readonly statistic: Statistic;
  readonly verdict: Verdict;
}

export interface FigureComparison {
  readonly figure: FigureSpec;
  readonly paired: boolean;
  readonly n_baseline: number;
  readonly n_candidate: number;
  readonly tolerance: number;
  /** Coefficient of variation of the per-replica means on each side (null with one replica). */
  readonly replica_cv: { readonly baseline: number | null; readonly candidate: number | null };
  readonly erratic: boolean;
  /** Why the figure could not be judged, when it could not. */
  readonly note: string | null;
  /** The per-unit values on each side (after averaging over replicas), for charts. */
  readonly baseline_values: readonly number[];
  readonly candidate_values: readonly number[];
  readonly statistics: readonly StatisticComparison[];
}

export interface Pairing {
  readonly paired: boolean;
  readonly common: number;
  readonly baseline_units: number;
  readonly candidate_units: number;
}

export interface ComparisonResult {
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: string;
  readonly erratic_cv: number;
  readonly pairing: Pairing;
  readonly replicas: { readonly baseline: number; readonly candidate: number };
  readonly figures: readonly FigureComparison[];
}

/** Mean over replicas of each unit's figure (NaN and missing left out). */
function unitMeans(side: Side, key: string): Map<string, number> {
  const acc = new Map<string, { s: number; n: number }>();
  for (const r of side.replicas)
    for (const [id, f] of r.units) {
      const v = f[key];
      if (v === undefined || !Number.isFinite(v)) continue;
      const a = acc.get(id) ?? { s: 0, n: 0 };
      a.s += v;
      a.n++;
      acc.set(id, a);
    }
  return new Map([...acc].map(([id, a]) => [id, a.s / a.n]));
}

function replicaCv(side: Side, key: string): number | null {
  if (side.replicas.length < 2) return null;
  const means = side.replicas.map((r) =>
    mean([...r.units.values()].map((f) => f[key]!).filter((v) => v !== undefined && Number.isFinite(v))),
  );
  if (means.some((m) => !Number.isFinite(m))) return null;
  const m = mean(means);
  const sd = sampleSd(means);
  if (sd === 0) return 0;
  return m === 0 ? Number.POSITIVE_INFINITY : sd / Math.abs(m);
}

const unitIds = (side: Side) => new Set(side.replicas.flatMap((r) => [...r.units.keys()]));

/** One side's value in words, for a figure that cannot be judged: the value, or the mean of the few there are. */
function sideValue(side: string, xs: readonly number[], unit: string): string {
  if (xs.length === 0) return `no ${side} value`;
  const v = Number(mean(xs).toPrecision(4));
  return `${side} ${xs.length === 1 ? '' : 'mean '}${v}${unit === '' ? '' : ` ${unit}`}`;
}

/**
 * A fraction as a percentage for a reader: one decimal from 1 % up, two significant
 * digits below, so a small --erratic-cv and the spreads above it never read as "0 %".
 */
export function percentText(x: number): string {
  const p = 100 * x;
  if (!Number.isFinite(p)) return `${p > 0 ? '∞' : '—'} %`;
  return `${Math.abs(p) >= 1 || p === 0 ? Number(p.toFixed(1)) : Number(p.toPrecision(2))} %`;
}

/** Pair when both sides are pairable and hold exactly the same units (the same seed and fleet). */
export function pairing(a: Side, b: Side): Pairing {
  const ia = unitIds(a);
  const ib = unitIds(b);
  const common = [...ia].filter((x) => ib.has(x)).length;
  return {
    paired: a.pairable && b.pairable && common === ia.size && common === ib.size && common > 0,
    common,
    baseline_units: ia.size,
    candidate_units: ib.size,
  };
}

export function judge(better: Better, est: DifferenceEstimate, tolerance: number): Verdict {
  const d = est.diff;
  if (!d || !Number.isFinite(d.estimate)) return 'n/a';
  const includesZero = d.low <= 0 && d.high >= 0;
  // Effect size against the tolerance: relative where the baseline is not 0; a change from 0 is a change of any size.
  const small = est.rel ? Math.abs(est.rel.estimate) < tolerance : d.estimate === 0;
  if (includesZero || small) return 'no change';
  if (better === 'either') return 'changed';
  return d.estimate < 0 === (better === 'lower') ? 'better' : 'worse';
}

export function compareSides(figures: readonly FigureSpec[], baseline: Side, candidate: Side, o: CompareOptions): ComparisonResult {
  const p = pairing(baseline, candidate);
  const out: FigureComparison[] = [];
  for (const figure of figures) {
    const ua = unitMeans(baseline, figure.key);
    const ub = unitMeans(candidate, figure.key);
    let a: number[];
    let b: number[];
    let paired = p.paired;
    if (paired) {
      // Only laptops with the figure on both sides (wake-ups per minute needs active minutes on both).
      const ids = [...ua.keys()].filter((id) => ub.has(id)).sort();
      a = ids.map((id) => ua.get(id)!);
      b = ids.map((id) => ub.get(id)!);
      paired = ids.length > 0;
    } else {
      a = [...ua.values()];
      b = [...ub.values()];
    }
    const tolerance = o.tolerance(figure);
    const cv = { baseline: replicaCv(baseline, figure.key), candidate: replicaCv(candidate, figure.key) };
    const erratic = (cv.baseline ?? 0) > o.erraticCv || (cv.candidate ?? 0) > o.erraticCv;
    let note: string | null = null;
    let stats: StatisticComparison[];
    if (a.length < 2 || b.length < 2) {
      // No interval, so no verdict; each side's value is still worth reading (one load report a side is a common first try).
      note = `too few values to compare (${a.length} baseline, ${b.length} candidate; at least 2 each): ${sideValue('baseline', a, figure.unit)}, ${sideValue('candidate', b, figure.unit)}`;
      stats = [];
    } else {
      const est = bootstrapDifference(a, b, paired, {
        confidence: o.confidence,
        resamples: o.resamples,
        stream: createStream(o.seed, 'compare', figure.key),
      });
      stats = STATISTICS.map((statistic) => ({
        statistic,
        ...est[statistic],
        verdict: erratic ? 'erratic' : judge(figure.better, est[statistic], tolerance),
      }));
      if (erratic)
        note = `replicas vary too much: per-replica means vary by ${[cv.baseline, cv.candidate].map((c) => (c === null ? '—' : percentText(c))).join(' (baseline), ')} (candidate), above ${percentText(o.erraticCv)}`;
    }
    out.push({
      figure,
      paired,
      n_baseline: a.length,
      n_candidate: b.length,
      tolerance,
      replica_cv: cv,
      erratic,
      note,
      baseline_values: a,
      candidate_values: b,
      statistics: stats,
    });
  }
  return {
    confidence: o.confidence,
    resamples: o.resamples,
    seed: o.seed,
    erratic_cv: o.erraticCv,
    pairing: p,
    replicas: { baseline: baseline.replicas.length, candidate: candidate.replicas.length },
    figures: out,
  };
}
