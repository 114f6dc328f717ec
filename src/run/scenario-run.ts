import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
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
  const restarts = s.faults.filter((f): f is Extract<Fault, { kind: 'ingest-restart' }> => f.kind === 'ingest-restart');
  if (restarts.length > 0 && s.simulation.speed === 'max') {
    throw new UsageError(`${s.source || s.name}: the ingest-restart fault needs a paced run (simulation.speed a number, e.g. 60, with a window around the restart): at speed max laptops run one after another in virtual time, so there is no one moment to kill the service`);
  }
  if (restarts.length > 0 && s.transport !== 'http') {
    throw new UsageError(`${s.source || s.name}: the ingest-restart fault needs transport http (it restarts the ingest service the uploads go to), got transport ${s.transport}`);
  }
  const startedAt = new Date().toISOString();
  mkdirSync(o.reportDir, { recursive: true });
  const ingest = s.transport === 'http' ? await openIngestTarget(s, o.reportDir, { restartable: restarts.length > 0, ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}) }) : null;
  const transport: RunTransportSpec = ingest ? { kind: 'http', url: ingest.url, fleetSecret: ingest.fleetSecret, ...(ingest.keys ? { keys: ingest.keys } : {}) } : transportFor(s, o.reportDir);
  const restarter = ingest && restarts.length > 0 ? new IngestRestarts(ingest, restarts, createCalendar(s.simulation.startDate, []).startDateUtcMs) : null;
  let result: FleetRunResult;
  let store: StoreFindings | undefined;
  let opened: BatchStore | null = null;
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
    await restarter?.settled();
    if (restarter) result = { ...result, injected: { ...result.injected, 'ingest-restart': restarter.done } };
  } finally {
    restarter?.cancel();
    opened = (await ingest?.stopAndOpenStore()) ?? null;
  }
  try {
    if (opened) store = await scanStore(opened, result.canaries);
  } finally {
    await opened?.close();
  }
  return reportRun(s, result, o.reportDir, startedAt, o.shard, store);
}

/**
 * The scenario's ingest-restart faults on a paced run's wall clock: at each
 * fault's instant the service is SIGKILLed, and downSeconds of simulated time
 * later it starts again on the same port and store.
 */
class IngestRestarts {
  done = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly ingest: IngestTarget,
    private readonly faults: readonly Extract<Fault, { kind: 'ingest-restart' }>[],
    private readonly startDateUtcMs: number,
  ) {}

  schedule(tl: Timeline): void {
    for (const f of this.faults) {
      const killAt = wallAt(tl, this.startDateUtcMs + f.atMs);
      const backAt = wallAt(tl, this.startDateUtcMs + f.atMs + f.downSeconds * 1000);
      this.timers.push(
        setTimeout(() => {
          this.running.push(
            (async () => {
              await this.ingest.kill();
              await sleep(Math.max(0, backAt - wallNow()));
              await this.ingest.restart();
              this.done++;
            })(),
          );
        }, Math.max(0, killAt - wallNow())),
      );
    }
  }

  /** Waits for restarts under way (one that never came is a failed run). */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  cancel(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

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
async function scanStore(store: BatchStore, canaries: Readonly<Record<string, readonly string[]>>): Promise<StoreFindings> {
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
