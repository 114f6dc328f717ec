/**
 * The library API: the entry points the CLI runs, with their options and results. Everything
 * else is internal and may change between versions; tests and benchmarks import internals by
 * path (src/<module>/…).
 */

// Scenario files: load and validate, or resolve an object built in code.
export { loadScenarioFile, resolveScenario, checkScenarioFile, scenarioJsonSchema, ScenarioError } from './scenario/index.js';
export type { Scenario, ScenarioIssue } from './scenario/index.js';

// fleetsim run: a scenario's fleet through the real agent; and merging runs made in parts.
export { runScenario, mergeRuns } from './run/index.js';
export type { ScenarioRunOptions, ScenarioRunResult } from './run/index.js';

// fleetsim load: the fleet's upload pattern against an ingest service.
export { runLoad, mergeLoadResults } from './load/index.js';
export type { LoadOptions, LoadResult } from './load/index.js';

// fleetsim sweep: policy grids with confidence intervals.
export { runSweep } from './sweep/index.js';
export type { SweepOptions, SweepProgress, SweepResult } from './sweep/index.js';

// fleetsim generate: the synthetic fleet's employees and input events, without the agent.
export { generateFleet } from './generate/index.js';
export type { GenerateOptions, GenerateProgress, GenerateResult } from './generate/index.js';

// fleetsim serve: the ingestion service and its stores.
export { createIngestServer, IngestServer, IngestError, INGEST_ERRORS, openStore } from './ingest/index.js';
export type { IngestServerOptions, IngestAddress, BatchStore, OpenStoreOptions } from './ingest/index.js';

// The observer: what an agent process costs the laptop, measured from /proc (and RAPL where present).
export { observeProcessTree, measuredBattery } from './observe/index.js';
export type { ProcessObservation, ProcessObserver, MeasuredBattery } from './observe/index.js';

// fleetsim compare: paired A/B of two sets of reports with bootstrap intervals and verdicts.
export { compareReports } from './compare/index.js';
export type { CompareRequest, CompareReport, ComparisonResult, FigureComparison, Verdict } from './compare/index.js';

// Target protocols: the interface a user's adapter module implements (--adapter, ingest.adapter; docs/targets.md).
export type { TargetProtocol, OutgoingBatch, TargetRequest, TargetAnswer, AnswerVerdict } from './targets/protocol.js';

// Errors every entry point throws, and the exit codes the CLI maps them to.
export { FleetsimError, UsageError, RunError, EXIT_CODES, type FleetsimErrorCode } from './errors.js';
export { VERSION } from './version.js';
