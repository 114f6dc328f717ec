/**
 * `fleetsim compare`: two sides of report folders in, a comparison with
 * intervals, verdicts and gate outcomes out. Reading in read.ts, statistics in
 * stats.ts and compare.ts, gates in gates.ts; presenting in report/compare-report.ts.
 */
import { UsageError } from '../errors.js';
import { compareSides, DEFAULT_COMPARE_OPTIONS, type ComparisonResult } from './compare.js';
import type { ReportKind } from './figures.js';
import { evaluateGates, parseGate, parseTolerances, type GateOutcome } from './gates.js';
import { gitRevision, historyCount, openHistory } from './history.js';
import { readSide, type ReadSide } from './read.js';

export * from './compare.js';
export * from './stats.js';
export * from './gates.js';
export { RUN_FIGURES, type ReportKind } from './figures.js';
export { readSide, expandFolders } from './read.js';

export interface CompareRequest {
  readonly baseline: readonly string[];
  readonly candidate: readonly string[];
  readonly confidence?: number;
  readonly resamples?: number;
  readonly seed?: string;
  readonly tolerances?: readonly string[];
  readonly failOn?: readonly string[];
  readonly erraticCv?: number;
  /** SQLite history store: the candidate's replicas are appended; `history:last-N` as the baseline reads from it. */
  readonly history?: string;
}

export interface CompareReport {
  readonly kind: ReportKind;
  readonly baseline: { readonly folders: readonly string[]; readonly seeds: readonly string[] };
  readonly candidate: { readonly folders: readonly string[]; readonly seeds: readonly string[] };
  /** What the units are, in words, for the reader of a report. */
  readonly compared: string;
  readonly result: ComparisonResult;
  readonly gates: readonly GateOutcome[];
  readonly gatesPassed: boolean;
  /** Ids of the candidate replicas appended to the history store. */
  readonly historyAppended: readonly number[];
}

const COMPARED: Record<ReportKind, (paired: boolean) => string> = {
  run: (p) =>
    `per-laptop figures, ${p ? 'paired by laptop (same seed and fleet on both sides)' : 'unpaired (the sides hold different laptops: different seed or fleet)'}; each laptop's figure is its mean over the replicas of its side.`,
  load: () =>
    "per-replica summary figures, unpaired: load reports keep latency percentiles, not each request, so the distribution compared is that of the replicas' p50/p99/p99.9, error rate and throughput (one value per report folder).",
  sweep: (p) =>
    `per cell (matched by axis labels), one value per replica seed, ${p ? 'paired by replica seed' : 'unpaired (different replica seeds)'}.`,
};

export function compareReports(req: CompareRequest): CompareReport {
  const confidence = req.confidence ?? DEFAULT_COMPARE_OPTIONS.confidence;
  if (!(confidence > 0 && confidence < 1))
    throw new UsageError(`--confidence must be between 0 and 1 (exclusive), e.g. 0.9; got ${confidence}`);
  const b = readSide(req.candidate, 'candidate');
  const fromHistory = req.baseline.length === 1 ? historyCount(req.baseline[0]!) : null;
  if (fromHistory === null && req.baseline.some((x) => x.startsWith('history:')))
    throw new UsageError('--baseline history:last-N stands alone: name no folders with it');
  if (fromHistory !== null && !req.history)
    throw new UsageError(`--baseline ${req.baseline[0]} reads the history store: give it with --history FILE`);
  let a: ReadSide;
  if (fromHistory !== null) {
    const store = openHistory(req.history!);
    try {
      const hash = b.scenarioHashes[0]!;
      const runs = store.last(b.kind, hash, fromHistory);
      if (runs.length === 0)
        throw new UsageError(
          `--history ${req.history} holds no ${b.kind} report of this scenario (hash ${hash}) yet: run a comparison with --history first to start one`,
        );
      a = {
        ...b,
        folders: runs.map((r) => r.replica.name),
        replicas: runs.map((r) => r.replica),
        seeds: [],
        scenarioHashes: runs.map(() => hash),
      };
    } finally {
      store.close();
    }
  } else a = readSide(req.baseline, 'baseline');
  if (a.kind !== b.kind)
    throw new UsageError(`the baseline is a ${a.kind} report and the candidate a ${b.kind} report: compare reports of one kind`);
  const keys = new Set(b.figures.map((f) => f.key));
  const figures = a.figures.filter((f) => keys.has(f.key));
  if (figures.length === 0) throw new UsageError('the two sides have no figure in common (sweeps of different grids?)');
  const tolerance = parseTolerances(req.tolerances ?? [], figures, DEFAULT_COMPARE_OPTIONS.toleranceRel);
  const gates = (req.failOn ?? []).map((g) => parseGate(g, figures));
  const result = compareSides(figures, a, b, {
    confidence,
    resamples: req.resamples ?? DEFAULT_COMPARE_OPTIONS.resamples,
    seed: req.seed ?? DEFAULT_COMPARE_OPTIONS.seed,
    tolerance,
    erraticCv: req.erraticCv ?? DEFAULT_COMPARE_OPTIONS.erraticCv,
  });
  const outcomes = evaluateGates(gates, result);
  // Appended once the comparison stands, so a refused comparison leaves the history as it was.
  let historyAppended: number[] = [];
  if (req.history) {
    const store = openHistory(req.history);
    try {
      const rev = gitRevision();
      const at = new Date().toISOString();
      historyAppended = b.replicas.map((replica, i) =>
        store.append({ kind: b.kind, scenarioHash: b.scenarioHashes[i]!, gitRev: rev, replica }, at),
      );
    } finally {
      store.close();
    }
  }
  return {
    kind: a.kind,
    baseline: { folders: a.folders, seeds: a.seeds },
    candidate: { folders: b.folders, seeds: b.seeds },
    compared: COMPARED[a.kind](result.pairing.paired),
    result,
    gates: outcomes,
    gatesPassed: outcomes.every((g) => g.pass),
    historyAppended,
  };
}
