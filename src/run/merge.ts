import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Scenario } from '../scenario/index.js';
import { combineResults, type FleetRunResult } from './fleet-run.js';
import { RESULTS_FORMAT, judgeRun, type ScenarioRunResult } from './scenario-run.js';
import { mergeProcessFacts } from './process/facts.js';
import type { RunFigures, StoreFindings } from './summary.js';

interface ShardFile {
  readonly format: string;
  readonly seed: string;
  readonly shard: { index: number; count: number } | null;
  readonly result: FleetRunResult;
  /** The shard's scan of its own ingest store (absent in reports of runs without one, and in reports written before it was kept). */
  readonly store?: StoreFindings | null;
  /** What the shard's target let it measure (absent: a run without a target, or a report written before it was kept). */
  readonly target?: RunFigures['target'] | null;
}

/**
 * `fleetsim merge`: shard reports of one scenario → the result of the whole
 * run (report/ writes its report to outDir). Per-laptop rows, hourly counts
 * and ledgers are sums, so the merge is exact; only measured times differ
 * from an unsharded run.
 */
export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<ScenarioRunResult> {
  if (dirs.length === 0) throw new UsageError('merge needs at least one report folder');
  const shards = dirs.map((d) => readShard(d));
  const scenarios = dirs.map((d) => readScenario(d));
  const first = scenarios[0]!;
  for (let i = 1; i < shards.length; i++) {
    if (shards[i]!.seed !== shards[0]!.seed || JSON.stringify(scenarios[i]) !== JSON.stringify(first)) {
      throw new UsageError(`${dirs[i]} is a run of a different scenario or seed than ${dirs[0]}: only shards of one run can be merged`);
    }
  }
  const counts = new Set(shards.map((s) => s.shard?.count ?? 1));
  const indices = shards.map((s) => s.shard?.index ?? 0);
  if (counts.size !== 1 || new Set(indices).size !== indices.length || indices.length !== [...counts][0]) {
    throw new UsageError(
      `merge needs every shard of the run exactly once: got shards ${shards.map((s) => (s.shard ? `${s.shard.index}/${s.shard.count}` : 'whole')).join(', ')}`,
    );
  }
  const combined = combineResults(shards.map((s) => s.result));
  const merged: FleetRunResult = {
    ...combined,
    laptops: [...combined.laptops].sort((a, b) => a.employee_id.localeCompare(b.employee_id)),
    epochUtcMs: shards[0]!.result.epochUtcMs,
    startDateUtcMs: shards[0]!.result.startDateUtcMs,
    // Shards run side by side: the merged run took as long as its slowest shard.
    wallMs: Math.max(...shards.map((s) => s.result.wallMs)),
    workers: shards.reduce((a, s) => a + s.result.workers, 0),
    ...(shards.every((s) => s.result.process) ? { process: mergeProcessFacts(shards.map((s) => s.result.process!)) } : {}),
  };
  // Each shard scanned the store of its own embedded service: the whole run's scan is their sum, if every shard had one.
  const stores = shards.map((s) => s.store ?? null);
  const store = stores.every((x): x is StoreFindings => x !== null) ? sumStoreFindings(stores) : undefined;
  return judgeRun(first, merged, outDir, new Date().toISOString(), undefined, store, mergeTargets(shards.map((s) => s.target ?? null)));
}

/** The shards' target blocks as one: a figure any shard could not measure is missing for the whole run. */
export function mergeTargets(parts: readonly (RunFigures['target'] | null)[]): RunFigures['target'] {
  const present = parts.filter((p): p is NonNullable<RunFigures['target']> => p !== null && p !== undefined);
  if (present.length === 0) return undefined;
  const missing = new Map<string, { figure: string; why: string }>();
  for (const p of present) for (const m of p.missing) if (!missing.has(m.figure)) missing.set(m.figure, m);
  return { ...present[0]!, missing: [...missing.values()] };
}

export function sumStoreFindings(parts: readonly StoreFindings[]): StoreFindings {
  const sum = (k: keyof StoreFindings) => parts.reduce((a, p) => a + p[k], 0);
  return {
    refusedPaused: sum('refusedPaused'),
    refusedExempt: sum('refusedExempt'),
    canariesFound: sum('canariesFound'),
    storedInPauses: sum('storedInPauses'),
    storedWhileExempt: sum('storedWhileExempt'),
    storedEvents: sum('storedEvents'),
  };
}

function readShard(dir: string): ShardFile {
  const path = join(dir, 'results.json');
  if (!existsSync(path)) throw new UsageError(`${dir} has no results.json: is it a report folder of fleetsim run?`);
  const data = JSON.parse(readFileSync(path, 'utf8')) as ShardFile;
  if (data.format !== RESULTS_FORMAT)
    throw new UsageError(`${path} is format ${JSON.stringify(data.format)}; this fleetsim reads ${RESULTS_FORMAT}`);
  return data;
}

function readScenario(dir: string): Scenario {
  // scenarioResolved: run summaries of format 1.
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
    scenario_resolved?: Scenario;
    scenarioResolved?: Scenario;
  };
  const scenario = summary.scenario_resolved ?? summary.scenarioResolved;
  if (!scenario) throw new UsageError(`${join(dir, 'summary.json')} does not record its scenario`);
  return scenario;
}
