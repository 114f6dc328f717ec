/**
 * SRE load mode: fleet-shaped open-model load of real agent batches with
 * honest (intended-send-time, microsecond) latency, and closed-loop capacity
 * runs through autocannon.
 */
export {
  runLoad,
  DEFAULT_CAPACITY_MAX_REQUESTS,
  defaultCapacityBodies,
  DEFAULT_MAX_REQUESTS,
  MAX_DURATION_MS,
  MAX_REQUESTS,
  maxLoadWorkers,
  type LoadOptions,
  type LoadProgress,
} from './run-load.js';
export {
  buildSchedule,
  sliceSchedule,
  DEFAULT_OUTAGE_SCALE,
  PROFILE_KINDS,
  type LoadProfile,
  type LoadSchedule,
  type OutageWindow,
  type ProfileKind,
  type RampStep,
} from './schedule.js';
export { OutageModel, type DrainFigures } from './outage.js';
export { createFleetModel, atWork, laptopsAtWork, busiestInstant, surgeStart, type FleetModel } from './fleet-model.js';
export { loadCorpus, generateCorpus, type Corpus, type CorpusTemplate } from './corpus.js';
export { agentCodecLevels, prepareBodies, prepareBodiesInWorkers, type CodecLevels, type PreparedBodies } from './bodies.js';
export { runSender, type SenderOptions, type SenderOutcome, type SenderProgress } from './sender.js';
export { runCapacity } from './capacity.js';
export { loadDeviceIds } from './target.js';
export { computeLoadResult, DEFAULT_VALIDITY_BOUNDS, LOAD_RESULTS_FORMAT, type LoadResult, type ValidityBounds } from './results.js';
export { LOAD_METRIC_PATHS, evaluateLoadThresholds } from './thresholds.js';
export { mergeLoadResults, mergeLoadDirs, readLoadResult } from './merge.js';
