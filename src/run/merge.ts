import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { createLatencyHistogram, decodeLatency, encodeLatency } from '../metrics/latency.js';
import type { Scenario } from '../scenario/index.js';
import { combineResults, type FleetRunResult } from './fleet-run.js';
import { RESULTS_FORMAT, combineConfigurations, judgeRun, type ScenarioRunResult } from './scenario-run.js';
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
  for (const d of dirs) checkShardFolder(d);
  const shards = dirs.map((d) => readShard(d));
  const scenarios = dirs.map((d) => readScenario(d));
  const first = scenarios[0]!;
  for (let i = 1; i < shards.length; i++) {
    const differences = [
      ...(shards[i]!.seed === shards[0]!.seed ? [] : [{ path: 'seed', was: shards[0]!.seed, is: shards[i]!.seed }]),
      ...scenarioDifferences(first, scenarios[i]!).filter((d) => !(d.path === 'seed' && shards[i]!.seed !== shards[0]!.seed)),
    ];
    if (differences.length > 0) {
      const shown = differences
        .slice(0, 3)
        .map((d) => `${d.path} is ${shortJson(d.was)} in ${dirs[0]}, ${shortJson(d.is)} in ${dirs[i]}`)
        .join('; ');
      const more = differences.length > 3 ? ` (and ${differences.length - 3} more fields)` : '';
      throw new UsageError(
        `${dirs[i]} is a shard of another run than ${dirs[0]}: ${shown}${more}. Only shards of one run merge: the same scenario, seed, flags and --set`,
      );
    }
  }
  checkShardSet(
    dirs,
    shards.map((s) => s.shard),
  );
  if (first.agents && first.agents.length > 0) return mergeConfigurations(first, first.agents, dirs, outDir);
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
    ...mergePacing(shards.map((s) => s.result.paced)),
  };
  // Each shard scanned the store of its own embedded service: the whole run's scan is their sum, if every shard had one.
  const stores = shards.map((s) => s.store ?? null);
  const store = stores.every((x): x is StoreFindings => x !== null) ? sumStoreFindings(stores) : undefined;
  return judgeRun(first, merged, outDir, new Date().toISOString(), undefined, store, mergeTargets(shards.map((s) => s.target ?? null)));
}

/**
 * A folder merge is given, checked before its files are read, so a typo or
 * a run that never finished is named as such rather than as a folder
 * without a summary.json. Used for load shards too.
 */
export function checkShardFolder(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`${dir} does not exist: give the report folder (--out) of each shard of the run`);
  }
  if (!st.isDirectory()) throw new UsageError(`${dir} is a file, not a report folder: give the report folder (--out) of each shard`);
  if (existsSync(join(dir, 'interrupted.json')) && !existsSync(join(dir, 'summary.json')))
    throw new UsageError(
      `${dir} holds an interrupted run (interrupted.json, no summary.json): it has no results to merge; run that shard again to the end`,
    );
}

type ShardPosition = ShardFile['shard'];
const shardName = (s: ShardPosition) => (s ? `${s.index}/${s.count}` : 'whole run');

/** Every shard of one split exactly once, or what is wrong: a shard given twice, shards of different splits, those missing. */
function checkShardSet(dirs: readonly string[], shards: readonly ShardPosition[]): void {
  const count = (s: ShardPosition) => s?.count ?? 1;
  const index = (s: ShardPosition) => s?.index ?? 0;
  const other = shards.findIndex((s) => count(s) !== count(shards[0]!));
  if (other >= 0)
    throw new UsageError(
      `${dirs[0]} is ${shardName(shards[0]!)} and ${dirs[other]} is ${shardName(shards[other]!)}: shards of different splits (--shard K/N with another N) cannot be merged`,
    );
  const seen = new Map<number, string>();
  for (const [i, s] of shards.entries()) {
    const earlier = seen.get(index(s));
    if (earlier !== undefined) throw new UsageError(`shard ${shardName(s)} given twice: ${earlier} and ${dirs[i]}`);
    seen.set(index(s), dirs[i]!);
  }
  const n = count(shards[0]!);
  const missing = Array.from({ length: n }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length > 0)
    throw new UsageError(
      `merge needs every shard of the run exactly once: missing shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${n}`).join(', ')} (got ${shards.map(shardName).join(', ')})`,
    );
}

/**
 * Resolved scenario fields under the name the scenario file gives them, so a
 * difference reads as the field to set (`policy.pauseCapMinutes`, not `rules.…`).
 */
const FILE_NAMES: Readonly<Record<string, string>> = { rules: 'policy', agentUnderTest: 'agent' };

/**
 * The fields (dotted paths, as a scenario file or --set names them) whose
 * values differ between two resolved scenarios, in the order of the first.
 * Where the scenario file was read from (`source`) is no part of the run:
 * shards on different machines read it from different paths.
 */
export function scenarioDifferences(a: Scenario, b: Scenario): { path: string; was: unknown; is: unknown }[] {
  const isPlain = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  const walk = (x: unknown, y: unknown, path: string): { path: string; was: unknown; is: unknown }[] => {
    if (isPlain(x) && isPlain(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      return keys.flatMap((k) => walk(x[k], y[k], path === '' ? (FILE_NAMES[k] ?? k) : `${path}.${k}`));
    }
    return JSON.stringify(x) === JSON.stringify(y) ? [] : [{ path: path === '' ? '(the scenario)' : path, was: x, is: y }];
  };
  const { source: _a, ...restA } = a;
  const { source: _b, ...restB } = b;
  return walk(restA, restB, '');
}

/** A value as it reads in a message: JSON, cut short. */
function shortJson(x: unknown): string {
  const t = x === undefined ? 'unset' : JSON.stringify(x);
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/**
 * A run of several agent configurations: each shard holds each
 * configuration's run in configurations/<name>/, so each is merged on its own
 * (into the merged report's configurations/<name>/), and the table and
 * verdict are built from the merged runs as the unsharded run builds them
 * (runConfigurations): the run passes when one configuration meets the
 * thresholds; the rest of the report is the first configuration's.
 */
async function mergeConfigurations(
  s: Scenario,
  agents: NonNullable<Scenario['agents']>,
  dirs: readonly string[],
  outDir: string,
): Promise<ScenarioRunResult> {
  const runs: ScenarioRunResult[] = [];
  for (const c of agents) {
    const inShards = dirs.map((d) => join(d, 'configurations', c.name));
    const missing = inShards.findIndex((d) => !existsSync(d));
    if (missing >= 0)
      throw new UsageError(
        `${dirs[missing]} has no configurations/${c.name}/, though its summary.json lists agent configurations ${agents.map((a) => a.name).join(', ')}: copy the shard's whole report folder, or run the shard again`,
      );
    runs.push(await mergeRuns(inShards, join(outDir, 'configurations', c.name)));
  }
  return combineConfigurations(s, agents, runs, outDir);
}

/**
 * A paced run's pacing for the whole run: the speed and window come from the
 * scenario (the same in every shard, whose scenarios merge has compared), and
 * every timer of every shard counts in the lateness, so the HDR histograms add.
 * Without it the merged run would read as an unpaced day.
 */
export function mergePacing(parts: readonly (FleetRunResult['paced'] | undefined)[]): Pick<FleetRunResult, 'paced'> {
  const paced = parts.filter((p): p is NonNullable<FleetRunResult['paced']> => p !== undefined);
  if (paced.length === 0) return {};
  const lag = createLatencyHistogram();
  for (const p of paced) lag.add(decodeLatency(p.scheduleLag));
  return { paced: { ...paced[0]!, scheduleLag: encodeLatency(lag) } };
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

/**
 * A report file merge reads, parsed: refused (exit 2), naming the file and
 * what is wrong with it, when it is missing, unreadable or not JSON.
 */
function readJsonFile(dir: string, name: string): unknown {
  const path = join(dir, name);
  if (!existsSync(path)) throw new UsageError(`${dir} has no ${name}: is it a report folder of fleetsim run?`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${path} is not JSON (${(err as Error).message}): a truncated or edited copy? Copy the shard's report folder again, or run the shard again`,
    );
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isWhole = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;

/**
 * A shard's results.json, its shape checked in the fields merge relies on,
 * so a damaged or foreign file is named as such rather than taken for a run
 * of another scenario, or failing deep in the merge.
 */
function readShard(dir: string): ShardFile {
  const path = join(dir, 'results.json');
  const data = readJsonFile(dir, 'results.json');
  const notOurs = (what: string): never => {
    throw new UsageError(`${path} is not a fleetsim results file: ${what} (fleetsim run writes ${RESULTS_FORMAT})`);
  };
  if (!isObject(data)) return notOurs('not a JSON object');
  if (typeof data.format !== 'string') return notOurs('it has no "format"');
  if (data.format !== RESULTS_FORMAT)
    throw new UsageError(`${path} is format ${JSON.stringify(data.format)}; this fleetsim reads ${RESULTS_FORMAT}`);
  if (typeof data.seed !== 'string') return notOurs('"seed" is not a text');
  const shard = data.shard;
  if (shard !== null && !(isObject(shard) && isWhole(shard.count, 1) && isWhole(shard.index, 0) && shard.index < shard.count))
    return notOurs('"shard" is neither null nor {index, count} with 0 <= index < count');
  const result = data.result;
  if (!isObject(result)) return notOurs('"result" is not an object');
  if (!Array.isArray(result.laptops) || !result.laptops.every(isObject)) return notOurs('"result.laptops" is not a list of laptops');
  for (const k of ['epochUtcMs', 'startDateUtcMs', 'wallMs', 'cpuMs', 'workers'] as const)
    if (typeof result[k] !== 'number') return notOurs(`"result.${k}" is not a number`);
  if (typeof result.latency !== 'string') return notOurs('"result.latency" is not an encoded histogram');
  if (result.freshness !== undefined && typeof result.freshness !== 'string')
    return notOurs('"result.freshness" is not an encoded histogram');
  for (const k of ['ledger', 'hours', 'statuses', 'canaries', 'attemptsByMinute', 'injected'] as const)
    if (!isObject(result[k])) return notOurs(`"result.${k}" is not an object`);
  if (result.sealedByMinute !== undefined && !isObject(result.sealedByMinute)) return notOurs('"result.sealedByMinute" is not an object');
  const paced = result.paced;
  if (
    paced !== undefined &&
    !(
      isObject(paced) &&
      typeof paced.speed === 'number' &&
      typeof paced.fromUtcMs === 'number' &&
      (paced.untilUtcMs === null || typeof paced.untilUtcMs === 'number') &&
      typeof paced.scheduleLag === 'string'
    )
  )
    return notOurs('"result.paced" is not {speed, fromUtcMs, untilUtcMs, scheduleLag}');
  return data as unknown as ShardFile;
}

function readScenario(dir: string): Scenario {
  const path = join(dir, 'summary.json');
  const summary = readJsonFile(dir, 'summary.json');
  // scenarioResolved: run summaries of format 1.
  const scenario = isObject(summary) ? (summary.scenario_resolved ?? summary.scenarioResolved) : undefined;
  if (!isObject(scenario))
    throw new UsageError(`${path} does not record its scenario (scenario_resolved): is it the summary of a fleetsim run?`);
  return scenario as unknown as Scenario;
}
