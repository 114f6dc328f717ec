/**
 * The sweep's results model: per replica figures from tallies, then per cell
 * estimates (mean and 95 % CI over replicas). Report writers only present these.
 */
import type { ThresholdOutcome } from '../scenario/index.js';
import { NON_NEGATIVE, SHARE, estimate, tQuantile975, totalVariation, type Estimate } from './stats.js';
import { DIMENSIONS, type CellTally, type Dimension } from './tally.js';

export type SweepMode = 'fast' | 'full-path';

/** Version of a sweep's results.json (written by report/, read by `fleetsim compare`): the per-replica figures of every cell. */
export const SWEEP_RESULTS_FORMAT = 'fleetsim-sweep-results/1';

/** One replica of one cell, from fast mode's tally or the full path's (src/sweep/full.ts); null only where a figure has no data. */
export interface ReplicaFigures {
  readonly replica: number;
  readonly seed: string;
  readonly produced: number;
  readonly captured: number;
  /** Captured share of produced events: 1 − (dropped_paused + dropped_exempt + lost + spooled) ÷ produced. */
  readonly yield: number;
  /** Minutes with at least one captured event, in hours, per employee over the simulated days. */
  readonly captured_active_hours_per_employee: number | null;
  readonly exempt_share: number | null;
  /** Granted pauses per worked employee-day. */
  readonly pauses_per_employee_day: number | null;
  /** Total variation distance between the captured and the produced mix, per dimension. */
  readonly tvd: Readonly<Partial<Record<Dimension, number>>>;
  /** Per group: [produced, captured]. */
  readonly groups: Readonly<Partial<Record<Dimension, Readonly<Record<string, readonly [number, number]>>>>>;
}

export interface GroupEstimate {
  readonly group: string;
  /** Share of the cell's produced events in this group (the workforce's actual mix). */
  readonly produced_share: Estimate;
  /** Share of the cell's captured events in this group (the training data's mix). */
  readonly captured_share: Estimate;
  readonly yield: Estimate;
}

/** A scenario threshold judged on one replica's run of a cell (full path). */
export interface ReplicaThresholdOutcome extends ThresholdOutcome {
  readonly replica: number;
}

export interface CellResult {
  readonly index: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: readonly ReplicaFigures[];
  /** Every scenario threshold on every replica's run of this cell (empty when they were not judged, see SweepThresholds). */
  readonly thresholds: readonly ReplicaThresholdOutcome[];
  readonly yield: Estimate;
  readonly captured_active_hours_per_employee: Estimate;
  readonly exempt_share: Estimate;
  readonly pauses_per_employee_day: Estimate;
  readonly tvd: Readonly<Partial<Record<Dimension, Estimate>>>;
  readonly groups: Readonly<Partial<Record<Dimension, readonly GroupEstimate[]>>>;
}

/**
 * The scenario's thresholds over the sweep. The full path runs each cell and
 * replica as a `fleetsim run`, so every threshold is judged there, on each
 * run; fast mode counts events and their policy fates without the agent,
 * the network or the store, so no run figure exists to judge them on.
 */
export interface SweepThresholds {
  readonly expressions: readonly string[];
  readonly judged: boolean;
  /** Why they were not judged (null when judged, or when there are none). */
  readonly not_judged_why: string | null;
  /** Every threshold held in every replica of every cell (null: not judged). */
  readonly passed: boolean | null;
  /** Cells with at least one failing threshold in one replica. */
  readonly failed_cells: readonly number[];
}

export const FAST_MODE_THRESHOLDS_WHY =
  'fast mode counts events and their policy fates without running the agent, the network or the ingest store, so the run figures thresholds name (ledger, leaks, ingest, bandwidth, battery, …) do not exist; --full-path runs each cell as a fleetsim run and judges them on every cell and replica';

export function sweepThresholds(mode: SweepMode, expressions: readonly string[], cells: readonly CellResult[]): SweepThresholds {
  if (expressions.length === 0) return { expressions, judged: false, not_judged_why: null, passed: null, failed_cells: [] };
  if (mode === 'fast') return { expressions, judged: false, not_judged_why: FAST_MODE_THRESHOLDS_WHY, passed: null, failed_cells: [] };
  const failed = cells.filter((c) => c.thresholds.some((t) => !t.pass)).map((c) => c.index);
  return { expressions, judged: true, not_judged_why: null, passed: failed.length === 0, failed_cells: failed };
}

export interface SweepResult {
  readonly name: string;
  readonly mode: SweepMode;
  readonly seed: string;
  readonly employees: number;
  readonly days: number;
  readonly replicas: number;
  readonly axes: readonly { readonly path: string; readonly labels: readonly string[] }[];
  readonly cells: readonly CellResult[];
  readonly thresholds: SweepThresholds;
  readonly employeeDays: number;
  readonly events: number;
  readonly wallMs: number;
  readonly workers: number;
}

export function replicaFromTally(replica: number, seed: string, t: CellTally): ReplicaFigures {
  const tvd: Partial<Record<Dimension, number>> = {};
  const groups: Partial<Record<Dimension, Record<string, readonly [number, number]>>> = {};
  for (const d of DIMENSIONS) {
    const g = t.groups[d];
    const produced: Record<string, number> = {};
    const captured: Record<string, number> = {};
    for (const [k, [p, c]] of Object.entries(g)) {
      produced[k] = p;
      captured[k] = c;
    }
    tvd[d] = totalVariation(produced, captured);
    groups[d] = Object.fromEntries(
      Object.entries(g)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, [p, c]]) => [k, [p, c] as const]),
    );
  }
  return {
    replica,
    seed,
    produced: t.produced,
    captured: t.captured,
    yield: t.produced > 0 ? t.captured / t.produced : Number.NaN,
    captured_active_hours_per_employee: t.employees > 0 ? t.capturedActiveMinutes / 60 / t.employees : Number.NaN,
    exempt_share: t.employees > 0 ? t.exempt / t.employees : Number.NaN,
    pauses_per_employee_day: t.workedDays > 0 ? t.pauses / t.workedDays : Number.NaN,
    tvd,
    groups,
  };
}

const nums = (xs: readonly (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');

export function cellResult(
  index: number,
  values: Readonly<Record<string, unknown>>,
  labels: Readonly<Record<string, string>>,
  replicas: readonly ReplicaFigures[],
  thresholds: readonly ReplicaThresholdOutcome[],
): CellResult {
  const tvd: Partial<Record<Dimension, Estimate>> = {};
  const groups: Partial<Record<Dimension, GroupEstimate[]>> = {};
  for (const d of DIMENSIONS) {
    if (!replicas.some((r) => r.tvd[d] !== undefined)) continue;
    tvd[d] = estimate(nums(replicas.map((r) => r.tvd[d])), SHARE);
    const keys = [...new Set(replicas.flatMap((r) => Object.keys(r.groups[d] ?? {})))];
    keys.sort((a, b) => (d.endsWith('hour') ? Number(a) - Number(b) : a.localeCompare(b)));
    groups[d] = keys.map((k) => {
      const per = replicas.map((r) => {
        const g = r.groups[d] ?? {};
        const [p, c] = g[k] ?? [0, 0];
        const tp = Object.values(g).reduce((a, x) => a + x[0], 0);
        const tc = Object.values(g).reduce((a, x) => a + x[1], 0);
        return { ps: tp > 0 ? p / tp : Number.NaN, cs: tc > 0 ? c / tc : Number.NaN, y: p > 0 ? c / p : Number.NaN };
      });
      return {
        group: k,
        produced_share: estimate(
          per.map((x) => x.ps),
          SHARE,
        ),
        captured_share: estimate(
          per.map((x) => x.cs),
          SHARE,
        ),
        yield: estimate(
          per.map((x) => x.y),
          SHARE,
        ),
      };
    });
  }
  return {
    index,
    values,
    labels,
    replicas,
    thresholds,
    yield: estimate(
      replicas.map((r) => r.yield),
      SHARE,
    ),
    captured_active_hours_per_employee: estimate(nums(replicas.map((r) => r.captured_active_hours_per_employee)), NON_NEGATIVE),
    exempt_share: estimate(nums(replicas.map((r) => r.exempt_share)), SHARE),
    pauses_per_employee_day: estimate(nums(replicas.map((r) => r.pauses_per_employee_day)), NON_NEGATIVE),
    tvd,
    groups,
  };
}

/**
 * Replicas per cell from which the 95 % intervals can be leaned on. Below it
 * t(0.975, n−1) is 3.18 or more (12.71 with 2), against 1.96 for many, and
 * the interval rests on replica figures being near normal, which 2 to 4 values
 * cannot show: the intervals are wide and may still miss.
 */
export const MIN_REPLICAS_FOR_INTERVALS = 5;

/** What a sweep with fewer than MIN_REPLICAS_FOR_INTERVALS replicas per cell says of its intervals; null with enough. */
export function fewReplicasNote(replicas: number): string | null {
  if (replicas >= MIN_REPLICAS_FOR_INTERVALS) return null;
  const more = `use --replicas ${MIN_REPLICAS_FOR_INTERVALS} or more (sweep.replicas) for intervals to lean on`;
  if (replicas < 2) return `${replicas} replica per cell: no interval, so no difference between cells can be told from noise; ${more}`;
  return `${replicas} replicas per cell: the 95 % intervals are wide and unreliable (t(0.975, ${replicas - 1}) = ${tQuantile975(replicas - 1).toFixed(2)} against 1.96 for many replicas, and too few values to check they are near normal); ${more}`;
}

const r6 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1e6) / 1e6);

/** The result table: one plain object per cell (`fleetsim sweep --json`, cells.csv). */
export function cellTable(r: SweepResult): Record<string, unknown>[] {
  return r.cells.map((c) => {
    const row: Record<string, unknown> = { cell: c.index, ...c.values };
    const put = (name: string, e: Estimate) => {
      row[`${name}_mean`] = r6(e.mean);
      row[`${name}_ci95`] = r6(e.ci95);
      row[`${name}_ci95_low`] = r6(e.low);
      row[`${name}_ci95_high`] = r6(e.high);
    };
    put('yield', c.yield);
    put('captured_active_hours_per_employee', c.captured_active_hours_per_employee);
    put('exempt_share', c.exempt_share);
    put('pauses_per_employee_day', c.pauses_per_employee_day);
    for (const d of DIMENSIONS) if (c.tvd[d]) put(`tvd_${d}`, c.tvd[d]!);
    return row;
  });
}

/** Yield and mix per group per cell (by_group.csv), after the axis values as cellTable gives them (so the CSVs join). */
export function groupTable(r: SweepResult): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const c of r.cells) {
    for (const d of DIMENSIONS) {
      for (const g of c.groups[d] ?? []) {
        rows.push({
          cell: c.index,
          ...c.values,
          dimension: d,
          group: g.group,
          yield_mean: r6(g.yield.mean),
          yield_ci95: r6(g.yield.ci95),
          yield_ci95_low: r6(g.yield.low),
          yield_ci95_high: r6(g.yield.high),
          produced_share_mean: r6(g.produced_share.mean),
          captured_share_mean: r6(g.captured_share.mean),
          captured_share_ci95: r6(g.captured_share.ci95),
          captured_share_ci95_low: r6(g.captured_share.low),
          captured_share_ci95_high: r6(g.captured_share.high),
        });
      }
    }
  }
  return rows;
}

/** One row per cell and replica (replicas.csv), after the axis values as cellTable gives them (so the CSVs join). */
export function replicaTable(r: SweepResult): Record<string, unknown>[] {
  return r.cells.flatMap((c) =>
    c.replicas.map((x) => ({
      cell: c.index,
      ...c.values,
      replica: x.replica,
      seed: x.seed,
      produced: x.produced,
      captured: x.captured,
      yield: r6(x.yield),
      captured_active_hours_per_employee: r6(x.captured_active_hours_per_employee),
      exempt_share: r6(x.exempt_share),
      pauses_per_employee_day: r6(x.pauses_per_employee_day),
      ...Object.fromEntries(DIMENSIONS.filter((d) => x.tvd[d] !== undefined).map((d) => [`tvd_${d}`, r6(x.tvd[d]!)])),
    })),
  );
}
