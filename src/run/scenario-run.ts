import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RunError, UsageError } from '../errors.js';
import { writeRunReport } from '../report/run-report.js';
import { evaluateThresholds, type Scenario } from '../scenario/index.js';
import { VERSION } from '../version.js';
import { writeJson } from '../report/json.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCalendar } from '../behaviour/index.js';
import type { BatchStore } from '../ingest/index.js';
import type { Fault } from '../scenario/index.js';
import { openIngestTarget, type IngestTarget } from './ingest-target.js';
import { wallAt, wallNow, type Timeline } from './realtime/timeline.js';
import { countLeakedCanaries, rebuildTypedText } from '../metrics/leaks.js';
import { decodeBatch, decompress } from '../wire/index.js';
import { runFleet, type FleetRunOptions, type FleetRunProgress, type FleetRunResult } from './fleet-run.js';
import { computeRunFigures, type RunFigures, type StoreFindings } from './summary.js';
import type { RunTransportSpec } from './transports.js';
import { defaultProcessDeps } from './process/deps.js';
import { runProcessFleet } from './process/process-run.js';

/** Version of results.json: what `fleetsim merge` reads. */
export const RESULTS_FORMAT = 'fleetsim-results/1';

export interface ScenarioRunOptions {
  /** Where this run's report goes (the CLI makes it <outputs.dir>/<name>-<time>). */
  readonly reportDir: string;
  readonly workers: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: FleetRunProgress) => void;
  /** The fleet secret of an ingest.kind url target (CLI --fleet-secret, or FLEETSIM_FLEET_SECRET). */
  readonly fleetSecret?: string;
}

export interface ScenarioRunResult {
  readonly reportDir: string;
  readonly files: readonly string[];
  readonly figures: RunFigures;
  readonly thresholdsPassed: boolean;
  readonly thresholds: readonly { readonly expression: string; readonly actual: number | null; readonly pass: boolean }[];
}

/**
 * `fleetsim run`: the scenario's fleet through the real agent, figures,
 * thresholds, report. What cannot be run as asked is refused up front with a
 * message, never silently skipped.
 */
export async function runScenario(s: Scenario, o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const restarts = restartFaults(s);
  const startedAt = new Date().toISOString();
  mkdirSync(o.reportDir, { recursive: true });
  if (s.agentUnderTest.kind === 'process') {
    const r = await runProcessFleet(s, { reportDir: o.reportDir, deps: defaultProcessDeps(), ...(o.shard ? { shard: o.shard } : {}), ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
    return reportRun(s, r.result, o.reportDir, startedAt, o.shard, r.store);
  }
  const ingest = s.transport === 'http' ? await openIngestTarget(s, o.reportDir, { restartable: restarts.length > 0, ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}) }) : null;
  const transport: RunTransportSpec = ingest ? { kind: 'http', url: ingest.url, fleetSecret: ingest.fleetSecret, ...(ingest.keys ? { keys: ingest.keys } : {}) } : transportFor(s, o.reportDir);
  const restarter = ingest && restarts.length > 0 ? new IngestRestarts(ingest, restarts, createCalendar(s.simulation.startDate, []).startDateUtcMs) : null;
  let result: FleetRunResult;
  try {
    result = await runFleet(
      fleetOptionsFor(s, {
        transport,
        workers: o.workers,
        faults: s.faults,
        ...(o.shard ? { shard: o.shard } : {}),
        ...(restarter ? { onPacedStart: (tl: Timeline) => restarter.schedule(tl) } : {}),
      }),
      o.onProgress,
    );
    if (restarter) result = { ...result, injected: { ...result.injected, 'ingest-restart': await restarter.finish() } };
  } catch (err) {
    await restarter?.abort();
    await ingest?.stopAndOpenStore().then((store) => store?.close(), () => {});
    throw err;
  }
  const opened = await ingest?.stopAndOpenStore();
  let store: StoreFindings | undefined;
  try {
    if (opened) store = await scanStore(opened, result.canaries);
  } finally {
    await opened?.close();
  }
  return reportRun(s, result, o.reportDir, startedAt, o.shard, store);
}

/** The scenario's ingest-restart faults, checked against what can carry them out: a paced run over HTTP, inside its window, one at a time. */
function restartFaults(s: Scenario): Extract<Fault, { kind: 'ingest-restart' }>[] {
  const where = s.source || s.name;
  const restarts = s.faults.filter((f): f is Extract<Fault, { kind: 'ingest-restart' }> => f.kind === 'ingest-restart').sort((a, b) => a.atMs - b.atMs);
  if (restarts.length === 0) return restarts;
  if (s.simulation.speed === 'max') {
    throw new UsageError(`${where}: the ingest-restart fault needs a paced run (simulation.speed a number, e.g. 60, with a window around the restart): at speed max laptops run one after another in virtual time, so there is no one moment to kill the service`);
  }
  if (s.transport !== 'http') throw new UsageError(`${where}: the ingest-restart fault needs transport http (it restarts the ingest service the uploads go to), got transport ${s.transport}`);
  const w = s.simulation.window;
  restarts.forEach((f, i) => {
    const back = f.atMs + f.downSeconds * 1000;
    if (w && (f.atMs < w.startMs || back > w.endMs)) {
      throw new UsageError(`${where}: the ingest-restart at day ${f.day} ${f.at} UTC (down ${f.downSeconds} s) falls outside simulation.window (day ${w.day} ${w.at} UTC for ${w.durationMinutes} min): a restart must be over before the run ends`);
    }
    const prev = restarts[i - 1];
    if (prev && f.atMs < prev.atMs + prev.downSeconds * 1000) {
      throw new UsageError(`${where}: the ingest-restarts at day ${prev.day} ${prev.at} and day ${f.day} ${f.at} overlap: the service is still down from the first when the second would kill it`);
    }
  });
  return restarts;
}

/**
 * The scenario's ingest-restart faults on a paced run's wall clock, one after
 * another: at each fault's instant the service is SIGKILLed, and downSeconds
 * of simulated time later it starts again on the same port and store. A
 * restart that fails, or does not happen before the run ends, fails the run.
 */
class IngestRestarts {
  private done = 0;
  private aborted = false;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ingest: IngestTarget,
    private readonly faults: readonly Extract<Fault, { kind: 'ingest-restart' }>[],
    private readonly startDateUtcMs: number,
  ) {}

  schedule(tl: Timeline): void {
    for (const f of this.faults) {
      const killAt = wallAt(tl, this.startDateUtcMs + f.atMs);
      const backAt = wallAt(tl, this.startDateUtcMs + f.atMs + f.downSeconds * 1000);
      this.at(killAt, () => this.enqueue(() => this.restart(backAt)));
    }
  }

  /** Calls fn at a wall instant, however far off (setTimeout alone fires at once beyond ~24.8 days). */
  private at(wallMs: number, fn: () => void): void {
    const wait = wallMs - wallNow();
    if (wait <= 0) return fn();
    this.timers.push(setTimeout(() => this.at(wallMs, fn), Math.min(MAX_TIMEOUT_MS, wait)));
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.failure ??= err;
    });
  }

  private async restart(backAtWallMs: number): Promise<void> {
    if (this.aborted) return;
    await this.ingest.kill();
    await sleep(Math.max(0, backAtWallMs - wallNow()));
    if (this.aborted) return;
    await this.ingest.restart();
    this.done++;
  }

  /** After the run: how many restarts happened; fails if one failed or never came. */
  async finish(): Promise<number> {
    for (const t of this.timers) clearTimeout(t);
    await this.chain;
    if (this.failure !== null) throw new RunError('WORKER_FAILED', `the ingest-restart fault failed: ${(this.failure as Error).message ?? String(this.failure)}`, { cause: this.failure });
    if (this.done < this.faults.length) throw new RunError('WORKER_FAILED', `only ${this.done} of ${this.faults.length} ingest restarts happened before the run ended (the machine fell behind the paced clock)`);
    return this.done;
  }

  /** The run failed: no more kills or restarts. */
  async abort(): Promise<void> {
    this.aborted = true;
    for (const t of this.timers) clearTimeout(t);
    await this.chain;
  }
}

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * What a scenario asks of a fleet run: its fleet, days and models, with the
 * transport and workers chosen by the caller (and anything else overridden).
 */
export function fleetOptionsFor(
  s: Scenario,
  o: Pick<FleetRunOptions, 'transport' | 'workers'> & Partial<Omit<FleetRunOptions, 'transport' | 'workers'>>,
): FleetRunOptions {
  return {
    seed: s.seed,
    employees: s.fleet.employees,
    days: s.simulation.days,
    startDate: s.simulation.startDate,
    population: s.population,
    behaviour: s.behaviour,
    rules: s.rules,
    agent: s.agent,
    energy: s.energy,
    ...pacingFor(s),
    ...o,
  };
}

/** A numeric speed paces the run on the wall clock, over the scenario's window if it has one. */
function pacingFor(s: Scenario): Pick<FleetRunOptions, 'pacing'> {
  const { speed, window } = s.simulation;
  if (speed === 'max') return {};
  return { pacing: { speed, ...(window ? { fromMs: window.startMs, untilMs: window.endMs } : {}) } };
}

/**
 * What reached the store, checked against the service's own records: its
 * refusal counts; every stored keystroke scanned for each device's planted
 * secrets; every stored event checked against the pause windows and
 * exemptions the service recorded (none may fall inside them).
 */
export async function scanStore(store: BatchStore, canaries: Readonly<Record<string, readonly string[]>>): Promise<StoreFindings> {
  const pauses = new Map<string, { startMs: number; endMs: number }[]>();
  for (const p of await store.loadPauses()) (pauses.get(p.deviceId) ?? pauses.set(p.deviceId, []).get(p.deviceId)!).push(p);
  const exemptions = new Map<string, { fromMs: number; untilMs: number | null }[]>();
  for (const e of await store.loadExemptions()) (exemptions.get(e.deviceId) ?? exemptions.set(e.deviceId, []).get(e.deviceId)!).push(e);
  let refusedPaused = 0;
  let refusedExempt = 0;
  let canariesFound = 0;
  let storedInPauses = 0;
  let storedWhileExempt = 0;
  let storedEvents = 0;
  for (const [deviceId, planted] of Object.entries(canaries)) {
    const rows = await store.listBatches(deviceId);
    const blocks = rows.map((row) => decodeBatch(decompress(row.payloadCodec, row.payload, { maxOutputBytes: 256 << 20 })).events);
    for (const row of rows) {
      storedEvents += row.eventCount;
      refusedPaused += row.refusedPaused;
      refusedExempt += row.refusedExempt;
    }
    const windows = pauses.get(deviceId) ?? [];
    const exempt = exemptions.get(deviceId) ?? [];
    for (const b of blocks) {
      for (let i = 0; i < b.length; i++) {
        const t = b.t_ms[i] as number;
        if (windows.some((w) => t >= w.startMs && t < w.endMs)) storedInPauses++;
        if (exempt.some((e) => t >= e.fromMs && (e.untilMs === null || t < e.untilMs))) storedWhileExempt++;
      }
    }
    canariesFound += countLeakedCanaries(rebuildTypedText(blocks), planted);
  }
  return { refusedPaused, refusedExempt, canariesFound, storedInPauses, storedWhileExempt, storedEvents };
}

/** Figures, thresholds and the report for a finished (or merged) fleet run. */
export async function reportRun(
  s: Scenario,
  result: FleetRunResult,
  reportDir: string,
  startedAt: string,
  shard?: { readonly index: number; readonly count: number },
  store?: StoreFindings,
): Promise<ScenarioRunResult> {
  const o = { reportDir, workers: result.workers, shard };
  const figures = computeRunFigures(result, s.energy.batteryWh, store, s.faults);
  const evaluated = evaluateThresholds(s.thresholds, figures);
  const thresholds = evaluated.outcomes.map((x) => ({ expression: x.threshold.source, actual: x.actual, pass: x.passed }));
  mkdirSync(reportDir, { recursive: true });
  await writeJson(join(reportDir, 'results.json'), { format: RESULTS_FORMAT, seed: s.seed, shard: shard ?? null, result });
  const { files } = await writeRunReport(o.reportDir, {
    scenarioName: s.name,
    scenario: s,
    seed: s.seed,
    versions: { fleetsim: VERSION, node: process.version },
    figures,
    thresholds,
    measured: {
      wall_seconds: figures.simulation.wall_seconds,
      cpu_seconds: Math.round(result.cpuMs) / 1000,
      workers: result.workers,
      employee_days_per_min: figures.simulation.employee_days_per_min,
      events_per_s: figures.simulation.events_per_s,
      ...(o.shard ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
    },
    laptops: result.laptops,
    startedAt,
  });
  return { reportDir: o.reportDir, files: [...files, join(reportDir, 'results.json')], figures, thresholdsPassed: evaluated.passed, thresholds };
}

function transportFor(s: Scenario, reportDir: string): RunTransportSpec {
  switch (s.transport) {
    case 'null':
      return { kind: 'null' };
    case 'corpus':
      return { kind: 'corpus', dir: join(reportDir, 'corpus') };
    case 'http':
      throw new Error('unreachable: http runs start the embedded ingest service');
  }
}
