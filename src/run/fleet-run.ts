import type { AgentConfig } from '../agent/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BehaviourParams } from '../behaviour/index.js';
import { createCalendar, type SimulationCalendar } from '../time/index.js';
import { RunError } from '../errors.js';
import { planShards, runTasks, shardRange } from '../pool/index.js';
import type { EnergyModel } from '../metrics/energy.js';
import { createFreshnessHistogram, decodeFreshness, encodeFreshness } from '../metrics/freshness.js';
import { createLatencyHistogram, decodeLatency, encodeLatency } from '../metrics/latency.js';
import { addLedgers, emptyLedger, ledgerImbalance, type Ledger } from '../metrics/ledger.js';
import type { PopulationParams } from '../population/index.js';
import type { PolicyRules } from '../policy/index.js';
import type { Fault } from '../scenario/index.js';
import { runShard, type HourCounts, type LaptopRow, type RunShardResult, type RunShardTask } from './shard.js';
import type { RunTransportSpec } from './transports.js';
import { runPacedShard, type PacedShardTask } from './realtime/paced-shard.js';
import { applyPacedHeapFlags } from './realtime/heap-flags.js';
import { laptopsInFleetOrder } from './realtime/fleet-order.js';
import { callOff, createPacedSync, openGate, readProgress, workersReady } from './realtime/sync.js';
import { wallNow, type Timeline } from './realtime/timeline.js';
import type { ProcessRunFacts } from './process/facts.js';

export interface FleetRunOptions {
  readonly seed: string;
  readonly employees: number;
  readonly days: number;
  readonly startDate: string;
  readonly population: PopulationParams;
  readonly behaviour: BehaviourParams;
  readonly rules: PolicyRules;
  readonly agent: AgentConfig;
  readonly energy: EnergyModel;
  readonly transport: RunTransportSpec;
  /** Network and clock faults; none by default. */
  readonly faults?: readonly Fault[];
  /** Worker threads; 0 runs in the calling thread. */
  readonly workers: number;
  /** Run only employees whose shard index ≡ k (mod n): `--shard k/n`. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly shardSize?: number;
  /**
   * Paced on the wall clock instead of as fast as possible: `speed` virtual
   * seconds per wall second, over [fromMs, untilMs) of virtual time, in ms
   * after 00:00 UTC of the start date (defaults: from the first local
   * midnight, until every day has drained).
   */
  readonly pacing?: { readonly speed: number; readonly fromMs?: number; readonly untilMs?: number };
  /** Paced runs: told the wall ↔ virtual mapping the moment the clock starts (faults that act on the service use it). */
  readonly onPacedStart?: (timeline: Timeline) => void;
}

export interface FleetRunProgress {
  readonly laptopsDone: number;
  readonly laptopsTotal: number;
  readonly events: number;
  /** Paced runs: the virtual time reached (UTC epoch ms), the run's span, and upload attempts so far. */
  readonly paced?: { readonly virtualMs: number; readonly fromUtcMs: number; readonly untilUtcMs: number | null; readonly uploads: number };
}

export interface FleetRunResult {
  readonly laptops: readonly LaptopRow[];
  readonly ledger: Ledger;
  readonly hours: Readonly<Record<number, HourCounts>>;
  readonly epochUtcMs: number;
  /** 00:00 UTC of the start date: the origin of fault times. */
  readonly startDateUtcMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly workers: number;
  /** Upload latency across the fleet (µs, HDR, encoded). */
  readonly latency: string;
  /** Freshness of every acknowledged event (ms from input to acknowledgement, HDR, encoded). */
  readonly freshness: string;
  readonly statuses: Readonly<Record<string, number>>;
  readonly canaries: Readonly<Record<string, readonly string[]>>;
  readonly attemptsByMinute: Readonly<Record<number, number>>;
  /** Batches sealed per true UTC minute since the epoch (absent in results written by earlier versions). */
  readonly sealedByMinute?: Readonly<Record<number, number>>;
  readonly injected: Readonly<Record<string, number>>;
  /** Paced runs: the pacing and how late agent timers fired against the wall clock (µs, HDR-encoded). */
  readonly paced?: { readonly speed: number; readonly fromUtcMs: number; readonly untilUtcMs: number | null; readonly scheduleLag: string };
  /** Runs of process agents on the real clock: what was measured of each agent process. */
  readonly process?: ProcessRunFacts;
}

/**
 * Runs the fleet through the real agent in worker threads. Results depend
 * only on the scenario and seed, never on the worker count or shard size.
 * Fails when the ledger does not balance: an event with no fate is a bug.
 */
export async function runFleet(o: FleetRunOptions, onProgress: (p: FleetRunProgress) => void = () => {}): Promise<FleetRunResult> {
  const calendar = createCalendar(
    o.startDate,
    o.population.offices.map((x) => x.timezone),
  );
  const mine = o.shard ? shardRange(o.employees, o.shard) : { from: 0, to: o.employees };
  const shards = planShards(mine.to - mine.from, o.workers, o.shardSize).map((s) => ({ from: mine.from + s.from, to: mine.from + s.to }));
  const total = shards.reduce((a, s) => a + s.to - s.from, 0);
  const tasks: RunShardTask[] = shards.map((s) => ({
    seed: o.seed,
    from: s.from,
    to: s.to,
    days: o.days,
    calendar,
    population: o.population,
    behaviour: o.behaviour,
    rules: o.rules,
    agent: o.agent,
    energy: o.energy,
    transport: o.transport,
    faults: o.faults ?? [],
  }));
  const started = performance.now();
  if (o.pacing) return runPacedFleet(o, o.pacing, calendar, tasks, total, onProgress);
  const results: RunShardResult[] = new Array(tasks.length);
  let done = 0;
  let events = 0;
  const finish = (i: number, r: RunShardResult) => {
    results[i] = r;
    done += r.to - r.from;
    events += r.ledger.produced;
    onProgress({ laptopsDone: done, laptopsTotal: total, events });
  };
  await runTasks({ worker: 'simulate', what: 'a simulation worker', workers: o.workers, inline: runShard }, tasks, finish);
  const combined = checkedCombine(results);
  return {
    ...combined,
    epochUtcMs: calendar.epochUtcMs,
    startDateUtcMs: calendar.startDateUtcMs,
    wallMs: performance.now() - started,
    workers: o.workers,
  };
}

/** Shard results combined; fails when the ledger does not balance. */
function checkedCombine(results: readonly RunShardResult[]): CombinableResult {
  const combined = combineResults(results);
  const imbalance = ledgerImbalance(combined.ledger);
  if (imbalance !== 0) {
    throw new RunError(
      'WORKER_FAILED',
      `the event ledger does not balance: ${imbalance} events produced have no fate (${JSON.stringify(combined.ledger)})`,
    );
  }
  return combined;
}

/** How long the main thread waits for workers to set up their laptops before it gives up. */
const PACED_SETUP_TIMEOUT_MS = 30 * 60_000;

/**
 * A paced run: one long task per worker, each running its laptops side by
 * side; all start on one wall instant once every worker has set up, and
 * post progress on a shared board while they run.
 */
async function runPacedFleet(
  o: FleetRunOptions,
  pacing: NonNullable<FleetRunOptions['pacing']>,
  calendar: SimulationCalendar,
  shards: readonly RunShardTask[],
  total: number,
  onProgress: (p: FleetRunProgress) => void,
): Promise<FleetRunResult> {
  const started = performance.now();
  const fromUtcMs = pacing.fromMs !== undefined ? calendar.startDateUtcMs + pacing.fromMs : calendar.epochUtcMs;
  const untilUtcMs = pacing.untilMs !== undefined ? calendar.startDateUtcMs + pacing.untilMs : null;
  const slots = Math.max(1, Math.min(o.workers, shards.length));
  const sync = createPacedSync(slots);
  const tasks: PacedShardTask[] = [];
  for (let w = 0; w < slots; w++) {
    const mine = shards.filter((_, i) => i % slots === w);
    if (mine.length === 0) continue;
    tasks.push({
      ...mine[0]!,
      from: mine[0]!.from,
      to: mine[mine.length - 1]!.to,
      ranges: mine.map((s) => ({ from: s.from, to: s.to })),
      pacing: { speed: pacing.speed, fromUtcMs, untilUtcMs },
      sync,
      slot: tasks.length,
    });
  }
  const results: RunShardResult[] = new Array(tasks.length);
  let failed: unknown = null;
  // Before the workers start: V8's heap flags are process-wide.
  applyPacedHeapFlags();
  const running = runTasks(
    { worker: 'simulate', what: 'a simulation worker', workers: o.workers, inline: runPacedShard, concurrent: true },
    tasks,
    (i, r) => {
      results[i] = r;
    },
  ).catch((err: unknown) => {
    failed = err;
  });
  // Open the gate when every worker has set up its laptops (or one failed trying).
  const setupDeadline = performance.now() + PACED_SETUP_TIMEOUT_MS;
  while (workersReady(sync) < tasks.length && failed === null) {
    if (performance.now() > setupDeadline) {
      failed = new RunError(
        'WORKER_FAILED',
        `paced run: workers did not finish setting up their laptops within ${PACED_SETUP_TIMEOUT_MS / 60_000} minutes`,
      );
      break;
    }
    await sleep(20);
  }
  // A worker that failed (or ran out of time) calls the run off: the others stop waiting at the gate.
  if (failed !== null) callOff(sync);
  else {
    const wallStartMs = wallNow() + 50;
    openGate(sync, wallStartMs);
    o.onPacedStart?.({ wallStartMs, virtualStartMs: fromUtcMs, speed: pacing.speed });
  }
  let done = false;
  const board = (async () => {
    while (!done) {
      await sleep(500);
      const p = readProgress(sync, tasks.length);
      onProgress({
        laptopsDone: p.laptopsDone,
        laptopsTotal: total,
        events: p.events,
        paced: { virtualMs: p.virtualMs, fromUtcMs, untilUtcMs, uploads: p.uploads },
      });
    }
  })();
  await running;
  done = true;
  await board;
  if (failed !== null) throw failed;
  const lag = createLatencyHistogram();
  for (const r of results) if (r.scheduleLag) lag.add(decodeLatency(r.scheduleLag));
  return {
    ...checkedCombine(results),
    laptops: laptopsInFleetOrder(tasks.map((t, i) => ({ ranges: t.ranges, laptops: results[i]!.laptops }))),
    epochUtcMs: calendar.epochUtcMs,
    startDateUtcMs: calendar.startDateUtcMs,
    wallMs: performance.now() - started,
    workers: o.workers,
    paced: { speed: pacing.speed, fromUtcMs, untilUtcMs, scheduleLag: encodeLatency(lag) },
  };
}

/** The part of a run's results that is a sum over its slices: shards in a run, shard runs in a merge. */
export type CombinableResult = Pick<
  FleetRunResult,
  | 'laptops'
  | 'ledger'
  | 'hours'
  | 'latency'
  | 'freshness'
  | 'statuses'
  | 'canaries'
  | 'attemptsByMinute'
  | 'sealedByMinute'
  | 'injected'
  | 'cpuMs'
>;

/** Combines slices of one run, in order. Every field is a sum, a union or a concatenation, so the result does not depend on how the fleet was sliced. */
export function combineResults(parts: readonly CombinableResult[]): CombinableResult {
  const hours: Record<number, HourCounts> = {};
  const latency = createLatencyHistogram();
  const freshness = createFreshnessHistogram();
  const statuses: Record<string, number> = {};
  const attemptsByMinute: Record<number, number> = {};
  const sealedByMinute: Record<number, number> = {};
  const injected: Record<string, number> = {};
  const canaries: Record<string, readonly string[]> = {};
  for (const r of parts) {
    for (const [h, c] of Object.entries(r.hours)) {
      const into = (hours[Number(h)] ??= { produced: 0, accepted: 0 });
      into.produced += c.produced;
      into.accepted += c.accepted;
    }
    latency.add(decodeLatency(r.latency));
    // Results written before freshness was measured have none.
    freshness.add(decodeFreshness(r.freshness ?? ''));
    addCounts(statuses, r.statuses);
    addCounts(attemptsByMinute, r.attemptsByMinute);
    addCounts(sealedByMinute, r.sealedByMinute ?? {});
    addCounts(injected, r.injected);
    Object.assign(canaries, r.canaries);
  }
  return {
    laptops: parts.flatMap((r) => r.laptops),
    ledger: parts.reduce((a, r) => addLedgers(a, r.ledger), emptyLedger()),
    hours,
    latency: encodeLatency(latency),
    freshness: encodeFreshness(freshness),
    statuses,
    canaries,
    attemptsByMinute,
    sealedByMinute,
    injected,
    cpuMs: parts.reduce((a, r) => a + r.cpuMs, 0),
  };
}

/** Adds sparse counts into `into`. */
export function addCounts<K extends string | number>(into: Record<K, number>, from: Readonly<Record<K, number>>): void {
  for (const [k, v] of Object.entries(from) as [K, number][]) into[k] = (into[k] ?? 0) + v;
}
