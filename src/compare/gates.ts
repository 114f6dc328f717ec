/**
 * Gates over a comparison: `--fail-on "battery.pct_per_day.p95 worse"` and
 * `--tolerance cpu=3%`. A figure is named by its key or its alias; a gate
 * without a statistic applies to the mean; `*` names every figure.
 */
import { UsageError } from '../errors.js';
import type { ComparisonResult, FigureSpec, StatisticComparison, Verdict } from './compare.js';
import { STATISTICS, type Statistic } from './stats.js';

export type GateVerdict = 'worse' | 'better' | 'changed' | 'erratic';
const GATE_VERDICTS: readonly GateVerdict[] = ['worse', 'better', 'changed', 'erratic'];

export interface Gate {
  readonly expression: string;
  /** A figure key, or '*' for all. */
  readonly figure: string;
  readonly statistic: Statistic;
  readonly verdict: GateVerdict;
}

/**
 * Why a figure a gate covers could not be judged: too few values on a side for
 * an interval; an interval that could not be formed; erratic, its replicas
 * disagreeing more than the comparison's erratic limit; or, for an `erratic`
 * gate, one replica a side, so there is no spread of replicas to judge.
 */
export type GateOpenReason = 'too_few_values' | 'no_interval' | 'erratic' | 'one_replica';

export interface GateOutcome {
  readonly expression: string;
  /** Judged and not tripped. A gate that could not be judged does not pass: a CI gate must not pass on no evidence. */
  readonly pass: boolean;
  /** False when nothing tripped it but some figure it covers has no verdict it can judge (too few values, no interval, erratic). */
  readonly judged: boolean;
  /** The figures (key.statistic = verdict) that tripped it. */
  readonly tripped: readonly string[];
  /** The figures it covers that could not be judged, each with why ("key.statistic: reason"). */
  readonly unjudged: readonly string[];
  /** The kinds of reason among unjudged, each once, so a reader (and the CLI's advice) need not parse the text. */
  readonly reasons: readonly GateOpenReason[];
}

/**
 * A gate that could not be judged: nothing tripped it, but a figure it covers
 * has no verdict it can judge (too few replicas on a side, or replicas that
 * disagree). Bad input to a CI gate (exit 2), the same as a gate that names no
 * figure: more replicas, or replicas that agree, make it judgeable.
 */
export class GateNotJudgedError extends UsageError {}

function findFigure(name: string, figures: readonly FigureSpec[], what: string): FigureSpec {
  const f = figures.find((x) => x.key === name || x.alias === name);
  if (!f)
    throw new UsageError(
      `${what}: unknown figure "${name}"; the figures of this comparison are ${figures.map((x) => `${x.key} (${x.alias})`).join(', ')}`,
    );
  return f;
}

/** Parses "<figure>[.mean|.median|.p95] <worse|better|changed|erratic>". */
export function parseGate(expression: string, figures: readonly FigureSpec[]): Gate {
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(expression);
  const what = `--fail-on "${expression}"`;
  if (!m)
    throw new UsageError(
      `${what}: expected "<figure>[.mean|.median|.p95] <${GATE_VERDICTS.join('|')}>", e.g. "battery.pct_per_day.p95 worse"`,
    );
  const [, target, verdict] = m as unknown as [string, string, string];
  if (!GATE_VERDICTS.includes(verdict as GateVerdict))
    throw new UsageError(`${what}: unknown verdict "${verdict}"; allowed: ${GATE_VERDICTS.join(', ')}`);
  let name = target;
  let statistic: Statistic = 'mean';
  const dot = target.lastIndexOf('.');
  // A whole name first: the alias freshness.p95 is a figure (freshness.p95_s), not freshness with the statistic p95.
  const whole = figures.some((x) => x.key === target || x.alias === target);
  if (!whole && dot > 0 && STATISTICS.includes(target.slice(dot + 1) as Statistic)) {
    name = target.slice(0, dot);
    statistic = target.slice(dot + 1) as Statistic;
  }
  const figure = name === '*' ? '*' : findFigure(name, figures, what).key;
  return { expression: expression.trim(), figure, statistic, verdict: verdict as GateVerdict };
}

const trips = (gate: GateVerdict, v: Verdict) => (gate === 'changed' ? v === 'better' || v === 'worse' || v === 'changed' : v === gate);

/**
 * Why a verdict cannot be judged against a gate asking for gateVerdict; null when it can.
 * An erratic figure has no better, worse or changed verdict: the replicas disagree too much
 * to tell, so such a gate on it is open, never passed. Only an `erratic` gate judges it.
 */
function openReason(gateVerdict: GateVerdict, s: StatisticComparison | undefined): GateOpenReason | null {
  if (!s) return 'too_few_values';
  if (s.verdict === 'n/a') return 'no_interval';
  if (s.verdict === 'erratic' && gateVerdict !== 'erratic') return 'erratic';
  return null;
}

export function evaluateGates(gates: readonly Gate[], r: ComparisonResult): GateOutcome[] {
  return gates.map((g) => {
    const tripped: string[] = [];
    const unjudged: string[] = [];
    const reasons = new Set<GateOpenReason>();
    for (const f of r.figures) {
      if (g.figure !== '*' && f.figure.key !== g.figure) continue;
      // '*' covers the figures these reports measure: one with no value on either side (a request type that never occurred) is not one of them.
      if (g.figure === '*' && f.n_baseline === 0 && f.n_candidate === 0) continue;
      const s = f.statistics.find((x) => x.statistic === g.statistic);
      if (s && trips(g.verdict, s.verdict)) {
        tripped.push(`${f.figure.key}.${g.statistic} ${s.verdict}`);
        continue;
      }
      const why =
        g.verdict === 'erratic' && f.replica_cv.baseline === null && f.replica_cv.candidate === null
          ? 'one_replica'
          : openReason(g.verdict, s);
      if (why === null) continue;
      reasons.add(why);
      unjudged.push(
        `${f.figure.key}.${g.statistic}: ${why === 'one_replica' ? 'one replica a side: whether replicas disagree needs 2 or more on a side' : (f.note ?? 'no interval of the difference could be formed')}`,
      );
    }
    // One tripped figure decides a gate; figures without a verdict only leave it open when nothing tripped it.
    const judged = tripped.length > 0 || unjudged.length === 0;
    return { expression: g.expression, pass: judged && tripped.length === 0, judged, tripped, unjudged, reasons: [...reasons].sort() };
  });
}

/** A relative amount: "3%", "3 %" or "0.03"; a bare number above 1 is refused, not read as hundreds of percent. */
export function parseRelative(text: string, what: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(text);
  if (!m) throw new UsageError(`${what}: expected a relative amount like 3% or 0.03, got "${text}"`);
  if (!m[2] && Number(m[1]) > 1)
    throw new UsageError(
      `${what}: ${text.trim()} without % would mean ${Number(m[1]) * 100} %; write ${m[1]}% for ${m[1]} percent, or a fraction such as 0.05`,
    );
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  if (!(v >= 0 && v < 10)) throw new UsageError(`${what}: ${text} is out of range (0 to 1000 %)`);
  return v;
}

/**
 * `--tolerance 3%` (every figure) and `--tolerance cpu=3%` (one figure, by key or alias);
 * the later of two for the same figure wins. Returns the tolerance per figure key.
 */
export function parseTolerances(specs: readonly string[], figures: readonly FigureSpec[], fallback: number): (f: FigureSpec) => number {
  let all = fallback;
  const per = new Map<string, number>();
  for (const s of specs) {
    const what = `--tolerance ${s}`;
    const eq = s.indexOf('=');
    if (eq < 0) all = parseRelative(s, what);
    else per.set(findFigure(s.slice(0, eq).trim(), figures, what).key, parseRelative(s.slice(eq + 1), what));
  }
  return (f) => per.get(f.key) ?? all;
}
