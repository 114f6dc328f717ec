import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeRunReport } from '../report/run-report.js';
import { evaluateThresholds, type Scenario } from '../scenario/index.js';
import { VERSION } from '../version.js';
import { writeJson } from '../report/json.js';
import { createIngestServer, type IngestServer } from '../ingest/index.js';
import { countLeakedCanaries, rebuildTypedText } from '../metrics/leaks.js';
import { employeeId } from '../population/index.js';
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
 * thresholds, report. What this version cannot do yet is refused up front
 * with a message, never silently skipped.
 */
export async function runScenario(s: Scenario, o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const unsupported = s.faults.filter((f) => f.kind === 'ingest-restart');
  if (unsupported.length > 0) {
    throw new UsageError(`${s.source || s.name}: the ingest-restart fault is not supported by this version of fleetsim run (laptops run in virtual time one after another, so there is no one moment to kill the service); remove it to run the other faults`);
  }
  const startedAt = new Date().toISOString();
  mkdirSync(o.reportDir, { recursive: true });
  const ingest = s.transport === 'http' ? await startEmbeddedIngest(s, o.reportDir) : null;
  const transport: RunTransportSpec = ingest ? { kind: 'http', url: ingest.url, fleetSecret: ingest.fleetSecret } : transportFor(s, o.reportDir);
  let result: FleetRunResult;
  let store: StoreFindings | undefined;
  try {
    result = await runFleet(
      fleetOptionsFor(s, { transport, workers: o.workers, faults: s.faults, ...(o.shard ? { shard: o.shard } : {}) }),
      o.onProgress,
    );
    if (ingest) store = await scanStore(ingest.server, result.canaries);
  } finally {
    await ingest?.server.stop({ drainTimeoutMs: 10_000 });
  }
  return reportRun(s, result, o.reportDir, startedAt, o.shard, store);
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
 * The ingest service `fleetsim run` starts for itself: loopback, a SQLite file in
 * the report folder, every laptop enrolled. Its limits are opened for virtual
 * time (a day replays in seconds, batch times are the simulated dates).
 */
async function startEmbeddedIngest(s: Scenario, reportDir: string): Promise<{ server: IngestServer; url: string; fleetSecret: string }> {
  if (s.ingest.kind !== 'embedded') {
    throw new UsageError(`${s.source || s.name}: ingest.kind url is not supported by this version of fleetsim run (it needs the target's fleet secret); use ingest.kind embedded, or fleetsim load for an external service`);
  }
  // A real secret for a real (loopback) service: not simulation randomness.
  const fleetSecret = randomBytes(32).toString('hex');
  const server = createIngestServer({
    store: `sqlite:${join(reportDir, 'ingest.sqlite')}`,
    fleetSecret,
    host: '127.0.0.1',
    port: 0,
    rules: s.rules,
    limits: { rate: { perSecond: 1e9, burst: 1e9 }, maxAgeMs: 100 * 365 * 86_400_000, maxFutureMs: 100 * 365 * 86_400_000, maxInFlight: 4096 },
  });
  const address = await server.start();
  for (let i = 0; i < s.fleet.employees; i++) await server.enroll(employeeId(i));
  return { server, url: address.url, fleetSecret };
}

/**
 * What reached the store, checked against the service's own records: its
 * refusal counts; every stored keystroke scanned for each device's planted
 * secrets; every stored event checked against the pause windows and
 * exemptions the service recorded (none may fall inside them).
 */
async function scanStore(server: IngestServer, canaries: Readonly<Record<string, readonly string[]>>): Promise<StoreFindings> {
  const pauses = new Map<string, { startMs: number; endMs: number }[]>();
  for (const p of await server.store.loadPauses()) (pauses.get(p.deviceId) ?? pauses.set(p.deviceId, []).get(p.deviceId)!).push(p);
  const exemptions = new Map<string, { fromMs: number; untilMs: number | null }[]>();
  for (const e of await server.store.loadExemptions()) (exemptions.get(e.deviceId) ?? exemptions.set(e.deviceId, []).get(e.deviceId)!).push(e);
  let refusedPaused = 0;
  let refusedExempt = 0;
  let canariesFound = 0;
  let storedInPauses = 0;
  let storedWhileExempt = 0;
  for (const [deviceId, planted] of Object.entries(canaries)) {
    const rows = await server.store.listBatches(deviceId);
    const blocks = rows.map((row) => decodeBatch(decompress(row.payloadCodec, row.payload, { maxOutputBytes: 256 << 20 })).events);
    for (const row of rows) {
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
  return { refusedPaused, refusedExempt, canariesFound, storedInPauses, storedWhileExempt };
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
