/** Scenario files: YAML/JSON → a validated, typed Scenario with library defaults; JSON Schema for editors. */
export type {
  AgentConfiguration,
  AgentUnderTest,
  Comparator,
  Fault,
  FaultKind,
  IngestTarget,
  OutputSettings,
  Scenario,
  SimulationSettings,
  SweepAxis,
  SweepSpec,
  Threshold,
  TransportKind,
} from './types.js';
export { ScenarioError, formatIssue, type ScenarioIssue, type ScenarioIssueKind } from './errors.js';
export { loadScenarioFile, parseScenario, resolveScenario, checkScenarioFile } from './load.js';
export { DEFAULTS as SCENARIO_DEFAULTS } from './defaults.js';
export { scenarioJsonSchema } from './json-schema.js';
export {
  COMPARATORS,
  METRIC_PATHS,
  describeFailedThresholds,
  evaluateThresholds,
  figureAt,
  parseThreshold,
  type ThresholdOutcome,
  type ThresholdParse,
  type ThresholdVerdict,
} from './thresholds.js';
export { FAULT_KINDS } from './schema.js';
export { didYouMean } from './suggest.js';
export { PLACEHOLDER_NAMES, SECRET_PLACEHOLDERS, fillPlaceholders, placeholdersIn, type PlaceholderName } from './placeholders.js';
export { applyOverrides, flagOverride, parseFieldPath, parseSetFlag, type ScenarioOverride } from './overrides.js';
