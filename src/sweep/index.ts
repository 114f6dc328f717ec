/** Policy sweeps: grid × replicas → yield and representativeness with confidence intervals. */
export { applyAxisValue, expandGrid, replicaSeed, valueLabel, type SweepCell } from './grid.js';
export { outsideCaptureHours, runFastTask, type FastCellSpec, type FastTask, type FastTaskResult } from './fast.js';
export {
  FAST_MODE_THRESHOLDS_WHY,
  MIN_REPLICAS_FOR_INTERVALS,
  cellResult,
  fewReplicasNote,
  cellTable,
  groupTable,
  replicaFromTally,
  replicaTable,
  SWEEP_RESULTS_FORMAT,
  sweepThresholds,
  type CellResult,
  type GroupEstimate,
  type ReplicaFigures,
  type ReplicaThresholdOutcome,
  type SweepMode,
  type SweepResult,
  type SweepThresholds,
} from './results.js';
export { groupYieldsByReplica, ruleEffects, WHO_DIMENSIONS, type GroupLoss, type RuleEffect, type RuleValueYield } from './effects.js';
export { NON_NEGATIVE, SHARE, SHARE_DIFFERENCE, estimate, tQuantile975, totalVariation, type Bounds, type Estimate } from './stats.js';
export { ACTIVITY_TYPES, DIMENSIONS, emptyTally, mergeTally, type CellTally, type Dimension } from './tally.js';
export { runSweep, type SweepOptions, type SweepProgress } from './run.js';
