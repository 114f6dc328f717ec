import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_BEHAVIOUR_PARAMS, type BehaviourParams } from '../behaviour/index.js';
import { createCalendar } from '../time/index.js';
import { DEFAULT_POPULATION_PARAMS, type PopulationParams } from '../population/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../policy/index.js';
import { planShards, runTasks } from '../pool/index.js';
import { TRACE_COLUMNS, generateShard, type EmployeeSummary, type GenerateShardResult, type GenerateShardTask } from './shard.js';

export interface GenerateOptions {
  readonly employees: number;
  readonly days: number;
  readonly seed: string;
  /** Local start date of the first simulated day (YYYY-MM-DD). */
  readonly startDate: string;
  /** Worker threads; 0 runs in the calling thread (tests, profiling). */
  readonly workers: number;
  readonly population?: PopulationParams;
  readonly behaviour?: BehaviourParams;
  readonly rules?: PolicyRules;
  /** When set, raw events are written here as CSV. Large: ~250 k rows per employee-day. */
  readonly tracePath?: string;
  /** Folder for shard scratch files (trace parts). */
  readonly scratchDir?: string;
  /** Employees per task; smaller shards balance better and report progress more often. */
  readonly shardSize?: number;
}

export interface GenerateProgress {
  readonly employeesDone: number;
  readonly employeesTotal: number;
  readonly events: number;
}

export interface GenerateResult {
  readonly employees: readonly EmployeeSummary[];
  readonly events: number;
  readonly epochUtcMs: number;
  readonly wallMs: number;
  /** CPU time spent generating, summed over threads. */
  readonly cpuMs: number;
  readonly workers: number;
}

/** Generates the fleet's employees and events, in parallel, with results independent of the worker count. */
export async function generateFleet(opts: GenerateOptions, onProgress: (p: GenerateProgress) => void = () => {}): Promise<GenerateResult> {
  const population = opts.population ?? DEFAULT_POPULATION_PARAMS;
  const calendar = createCalendar(
    opts.startDate,
    population.offices.map((o) => o.timezone),
  );
  const shards = planShards(opts.employees, opts.workers, opts.shardSize);
  const scratch = opts.tracePath ? (opts.scratchDir ?? `${opts.tracePath}.parts`) : undefined;
  if (scratch) mkdirSync(scratch, { recursive: true });
  const tasks: GenerateShardTask[] = shards.map((s) => ({
    seed: opts.seed,
    from: s.from,
    to: s.to,
    days: opts.days,
    calendar,
    population,
    behaviour: opts.behaviour ?? DEFAULT_BEHAVIOUR_PARAMS,
    rules: opts.rules ?? DEFAULT_POLICY_RULES,
    ...(scratch ? { tracePartPath: join(scratch, `part-${String(s.from).padStart(9, '0')}.csv`) } : {}),
  }));

  const started = performance.now();
  const results: GenerateShardResult[] = new Array(tasks.length);
  let done = 0;
  let events = 0;
  const finish = (i: number, r: GenerateShardResult) => {
    results[i] = r;
    done += r.to - r.from;
    events += r.events;
    onProgress({ employeesDone: done, employeesTotal: opts.employees, events });
  };
  let traceOpened = false;
  try {
    await runTasks({ worker: 'generate', what: 'a generator worker', workers: opts.workers, inline: generateShard }, tasks, finish);
    if (opts.tracePath && scratch) {
      traceOpened = true;
      await concatenateTrace(
        opts.tracePath,
        tasks.map((t) => t.tracePartPath as string),
      );
    }
  } catch (err) {
    // A trace cut short is no trace: it must not pass for one.
    if (traceOpened && opts.tracePath) {
      try {
        rmSync(opts.tracePath, { force: true });
      } catch {
        // Not a file (a folder given as the path): nothing of ours to remove; the original error says why.
      }
    }
    throw err;
  } finally {
    // The parts are scratch, however the generation ends (the CLI removes them on a signal too).
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  return {
    employees: results.flatMap((r) => r.employees),
    events,
    epochUtcMs: calendar.epochUtcMs,
    wallMs: performance.now() - started,
    cpuMs: results.reduce((a, r) => a + r.cpuMs, 0),
    workers: opts.workers,
  };
}

async function concatenateTrace(path: string, parts: readonly string[]): Promise<void> {
  const out = createWriteStream(path);
  // A path that cannot be opened (a folder, no permission) is reported as such, not as a stream ended after it died.
  await once(out, 'open');
  try {
    out.write(`${TRACE_COLUMNS.join(',')}\n`);
    for (const part of parts) await pipeline(createReadStream(part), out, { end: false });
  } finally {
    if (!out.destroyed) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
