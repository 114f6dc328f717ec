/**
 * What each swept rule costs, and who loses: for every axis, the yield at each
 * of its values averaged over the other axes' values, and the paired
 * difference between its highest- and lowest-yield value, per replica (every
 * cell runs replica r on the same seed, so the difference is not seed noise)
 * and then mean ± 95 % CI over replicas. The same per group of people.
 */
import { SHARE, SHARE_DIFFERENCE, estimate, type Estimate } from './stats.js';
import type { CellResult, SweepResult } from './results.js';
import type { Dimension } from './tally.js';

/** Dimensions that describe people (who loses), as opposed to hours and activity types (what is lost). */
export const WHO_DIMENSIONS: readonly Dimension[] = ['department', 'role', 'timezone'];

export interface RuleValueYield {
  readonly label: string;
  /** Yield at this value, averaged over every combination of the other axes. */
  readonly yield: Estimate;
  /** Yield at the highest-yield value minus this value's (≥ 0 on average; paired by replica). */
  readonly cost: Estimate;
}

export interface GroupLoss {
  readonly dimension: Dimension;
  readonly group: string;
  /** The group's yield at the highest-yield value minus at the lowest-yield value (paired by replica). */
  readonly loss: Estimate;
  /** Share of the workforce's produced events in this group, in the highest-yield value's cells. */
  readonly produced_share: number;
}

export interface RuleEffect {
  readonly path: string;
  readonly values: readonly RuleValueYield[];
  /**
   * Label of the value with the highest average yield, and of the one with the lowest. Not
   * necessarily the most lenient and the strictest rule: a shorter pause cap can keep more data.
   */
  readonly highest_yield_value: string;
  readonly lowest_yield_value: string;
  /** Yield lost going from the highest-yield value to the lowest-yield value. */
  readonly cost: Estimate;
  /** Every group of WHO_DIMENSIONS, the largest mean loss first. */
  readonly groups: readonly GroupLoss[];
}

const mean = (xs: readonly number[]) => {
  const v = xs.filter(Number.isFinite);
  return v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length;
};

/** Per replica: the mean over the given cells of one figure of that replica (NaN where no cell has it). */
function marginal(cells: readonly CellResult[], replicas: number, figure: (c: CellResult, r: number) => number): number[] {
  return Array.from({ length: replicas }, (_, r) => mean(cells.map((c) => figure(c, r))));
}

const replicaYield = (c: CellResult, r: number) => c.replicas.find((x) => x.replica === r)?.yield ?? Number.NaN;

const groupYield = (d: Dimension, g: string) => (c: CellResult, r: number) => {
  const counts = c.replicas.find((x) => x.replica === r)?.groups[d]?.[g];
  return counts && counts[0] > 0 ? counts[1] / counts[0] : Number.NaN;
};

const diff = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x - b[i]!);

/** One effect per swept axis, in axis order. */
export function ruleEffects(r: SweepResult): RuleEffect[] {
  const replicas = Math.max(0, ...r.cells.map((c) => c.replicas.length));
  return r.axes.map((axis) => {
    const cellsAt = (label: string) => r.cells.filter((c) => c.labels[axis.path] === label);
    const perValue = axis.labels.map((label) => ({
      label,
      cells: cellsAt(label),
      yields: marginal(cellsAt(label), replicas, replicaYield),
    }));
    const ranked = [...perValue].sort((a, b) => mean(b.yields) - mean(a.yields));
    const best = ranked[0]!;
    const worst = ranked[ranked.length - 1]!;
    const groups: GroupLoss[] = [];
    for (const d of WHO_DIMENSIONS) {
      for (const g of best.cells[0]?.groups[d] ?? []) {
        const f = groupYield(d, g.group);
        const loss = estimate(diff(marginal(best.cells, replicas, f), marginal(worst.cells, replicas, f)), SHARE_DIFFERENCE);
        if (loss.n > 0)
          groups.push({
            dimension: d,
            group: g.group,
            loss,
            produced_share: mean(best.cells.map((c) => c.groups[d]?.find((x) => x.group === g.group)?.produced_share.mean ?? Number.NaN)),
          });
      }
    }
    groups.sort((a, b) => b.loss.mean - a.loss.mean || a.dimension.localeCompare(b.dimension) || a.group.localeCompare(b.group));
    return {
      path: axis.path,
      values: perValue.map((v) => ({
        label: v.label,
        yield: estimate(v.yields, SHARE),
        cost: estimate(diff(best.yields, v.yields), SHARE_DIFFERENCE),
      })),
      highest_yield_value: best.label,
      lowest_yield_value: worst.label,
      cost: estimate(diff(best.yields, worst.yields), SHARE_DIFFERENCE),
      groups,
    };
  });
}

/**
 * Per group of every dimension, the group's yield in each replica (null where it produced nothing), in
 * replica order: what a paired difference between two cells needs (the report's cell comparison).
 */
export function groupYieldsByReplica(c: CellResult): Partial<Record<Dimension, Record<string, (number | null)[]>>> {
  const out: Partial<Record<Dimension, Record<string, (number | null)[]>>> = {};
  const reps = [...c.replicas].sort((a, b) => a.replica - b.replica);
  for (const [d, groups] of Object.entries(c.groups) as [Dimension, CellResult['groups'][Dimension]][]) {
    out[d] = Object.fromEntries(
      (groups ?? []).map((g) => [
        g.group,
        reps.map((x) => {
          const y = groupYield(d, g.group)(c, x.replica);
          return Number.isFinite(y) ? y : null;
        }),
      ]),
    );
  }
  return out;
}
