import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunError, UsageError } from '../errors.js';
import { evaluateThresholds, type Scenario, type ThresholdOutcome, type ThresholdVerdict } from '../scenario/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCalendar } from '../time/index.js';
import type { Fault } from '../scenario/index.js';
import { openIngestTarget, type IngestTarget } from './ingest-target.js';
import { targetOfKind } from '../targets/protocols/index.js';
import { wallAt, wallNow, type Timeline } from './realtime/timeline.js';
import { scanStore } from './store-scan.js';
import { runFleet, type FleetRunOptions, type FleetRunProgress, type FleetRunResult } from './fleet-run.js';
import { configurationRow, configurationsTable, withConfiguration, type ConfigurationsTable } from './configurations.js';
import { computeRunFigures, type RunFigures, type StoreFindings } from './summary.js';
import type { RunTransportSpec } from './transports.js';
import { defaultProcessDeps } from './process/deps.js';
import { runProcessFleet } from './process/process-run.js';

/** Version of results.json (written by report/, read by `fleetsim merge`). */
export const RESULTS_FORMAT = 'fleetsim-results/1';

export interface ScenarioRunOptions {
  /**
   * The folder of this run's own files: the embedded service's database
   * (ingest.sqlite), a corpus. The CLI passes the report folder; the run
   * writes no report there (report/ does, from the result).
   */
  readonly reportDir: string;
  readonly workers: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: FleetRunProgress) => void;
  /** A scenario listing agent configurations: called as each one starts (its progress then starts again from 0). */
  readonly onConfiguration?: (step: ConfigurationStep) => void;
  /** A scenario listing agent configurations: called as each one finishes, with its complete result (kept should the run stop later). */
  readonly onConfigurationDone?: (name: string, result: ScenarioRunResult) => void;
  /** The fleet secret of an ingest.kind url target (CLI --fleet-secret, or FLEETSIM_FLEET_SECRET). */
  readonly fleetSecret?: string;
}

/** Which of a scenario's agent configurations a run is on, and those it finished. */
export interface ConfigurationStep {
  /** 0-based, in file order. */
  readonly index: number;
  readonly count: number;
  readonly name: string;
  /** The configurations finished, in order (their results are in the report folder's configurations/). */
  readonly completed: readonly string[];
}

/** A finished (or merged) run: what it computed and how its thresholds came out; report/ presents it. */
export interface ScenarioRunResult {
  readonly scenario: Scenario;
  /** The folder the run's own files went to (the options' reportDir; merge: its output folder). */
  readonly reportDir: string;
  readonly startedAt: string;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** The merged fleet run: per-laptop rows, ledgers, histograms (results.json keeps it for merge). */
  readonly fleet: FleetRunResult;
  readonly figures: RunFigures;
  readonly thresholdsPassed: boolean;
  readonly thresholds: readonly ThresholdOutcome[];
  /** The scan of the ingest store, when the run had one (results.json keeps it, so a merge of shards reports the store scan too). */
  readonly store: StoreFindings | null;
  /**
   * Why the run has no figures to show (no laptops in the shard, or no input
   * event produced): its zeros are no result, and presenters show n/a.
   */
  readonly noData?: string;
  /** What the run put before each employee id to make its device ids on a shared (url) service; absent: none. */
  readonly devicePrefix?: string;
  /**
   * A scenario listing agent configurations: each one's run and the table
   * side by side. The rest of this result is the first configuration's.
   */
  readonly configurations?: { readonly table: ConfigurationsTable; readonly runs: readonly ScenarioRunResult[] };
}

/**
 * `fleetsim run`: the scenario's fleet through the real agent, figures and
 * thresholds. What cannot be run as asked is refused up front with a
 * message, never silently skipped.
 */
export async function runScenario(s: Scenario, o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  if (s.agents) return runConfigurations(s, s.agents, o);
  const restarts = restartFaults(s);
  const startedAt = new Date().toISOString();
  mkdirSync(o.reportDir, { recursive: true });
  if (s.agentUnderTest.kind === 'process') {
    const r = await runProcessFleet(s, {
      reportDir: o.reportDir,
      deps: defaultProcessDeps(),
      ...(o.shard ? { shard: o.shard } : {}),
      ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return {
      ...judgeRun(s, r.result, o.reportDir, startedAt, o.shard, r.store),
      ...(r.devicePrefix ? { devicePrefix: r.devicePrefix } : {}),
    };
  }
  const ingest =
    s.transport === 'http'
      ? await openIngestTarget(s, o.reportDir, {
          restartable: restarts.length > 0,
          ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}),
        })
      : null;
  const transport: RunTransportSpec = ingest
    ? {
        kind: 'http',
        url: ingest.url,
        keys: ingest.keys,
        ...(ingest.protocol ? { protocol: ingest.protocol } : {}),
        ...(ingest.devicePrefix ? { devicePrefix: ingest.devicePrefix } : {}),
      }
    : transportFor(s, o.reportDir);
  const restarter =
    ingest && restarts.length > 0 ? new IngestRestarts(ingest, restarts, createCalendar(s.simulation.startDate, []).startDateUtcMs) : null;
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
    await ingest?.stopAndOpenStore().then(
      (store) => store?.close(),
      () => {},
    );
    throw err;
  }
  const opened = await ingest?.stopAndOpenStore();
  let store: StoreFindings | undefined;
  try {
    if (opened) store = await scanStore(opened, result.canaries);
  } finally {
    await opened?.close();
  }
  const judged = judgeRun(s, result, o.reportDir, startedAt, o.shard, store, ingest ? targetFigures(s, ingest, store) : undefined);
  return { ...judged, ...(ingest?.devicePrefix ? { devicePrefix: ingest.devicePrefix } : {}) };
}

/**
 * What the run could not measure at its target, and why: a service fleetsim
 * did not start has no store to scan, and one that does not speak fleetsim's
 * protocol reports no policy refusals and may not store what it acknowledges.
 */
function targetFigures(s: Scenario, ingest: IngestTarget, store: StoreFindings | undefined): NonNullable<RunFigures['target']> {
  const protocol = ingest.protocolDescription ?? 'fleetsim';
  const foreign = ingest.protocol !== undefined && ingest.protocol.kind !== 'fleetsim';
  const missing: { figure: string; why: string }[] = [];
  if (!store) {
    const why = `no store to scan: the target ${s.ingest.kind === 'url' ? s.ingest.url : ingest.url} is not a service this run started`;
    for (const figure of ['ingest.stored_in_pause_windows', 'ingest.stored_while_exempt', 'ingest.acknowledged_missing'])
      missing.push({ figure, why });
    missing.push({
      figure: 'leaks.canaries (in the store)',
      why: `${why}; canaries are counted in the uploads the target accepted instead`,
    });
  }
  if (foreign) {
    const why = `${targetOfKind(ingest.protocol!.kind)} does not report fleetsim's policy refusals`;
    missing.push({ figure: 'ingest.refused_paused', why }, { figure: 'ingest.refused_exempt', why });
    missing.push({ figure: 'ledger.stored', why: `counts events the target acknowledged (2xx); whether it stored them only it knows` });
  }
  return { kind: ingest.kind, protocol, missing };
}

/**
 * Each listed agent configuration over the same fleet (same seed: the same
 * people, days and input), one after another, each in its own folder
 * (configurations/<name>/) with its own store. The run passes when at least
 * one configuration meets the thresholds: that is the question asked. Its
 * thresholds are those of the configuration the verdict rests on (the
 * recommended one, else the first, whose failures say why), so the outcomes
 * shown never contradict the verdict; its figures stay the first
 * configuration's, the same in every shard, so `fleetsim merge` combines like with like.
 */
async function runConfigurations(s: Scenario, agents: NonNullable<Scenario['agents']>, o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const runs: ScenarioRunResult[] = [];
  for (const [index, c] of agents.entries()) {
    o.onConfiguration?.({ index, count: agents.length, name: c.name, completed: agents.slice(0, index).map((a) => a.name) });
    const run = await runScenario(withConfiguration(s, c), { ...o, reportDir: join(o.reportDir, 'configurations', c.name) });
    runs.push(run);
    o.onConfigurationDone?.(c.name, run);
  }
  return combineConfigurations(s, agents, runs, o.reportDir);
}

/**
 * The runs of a scenario's configurations as one result (a run, or the merge of a run's shards): the table and the
 * recommendation; the verdict and the thresholds shown are those of the configuration the verdict rests on.
 */
export function combineConfigurations(
  s: Scenario,
  agents: NonNullable<Scenario['agents']>,
  runs: readonly ScenarioRunResult[],
  reportDir: string,
): ScenarioRunResult {
  const table = configurationsTable(runs.map((r, i) => configurationRow(agents[i]!.name, r)));
  const first = runs[0]!;
  const judged = runs[agents.findIndex((a) => a.name === table.thresholds_configuration)] ?? first;
  return {
    ...first,
    scenario: { ...s, agent: agents[0]!.agent },
    reportDir,
    thresholdsPassed: judged.thresholdsPassed,
    thresholds: judged.thresholds,
    configurations: { table, runs },
  };
}

/** The scenario's ingest-restart faults, checked against what can carry them out: a paced run over HTTP, inside its window, one at a time. */
function restartFaults(s: Scenario): Extract<Fault, { kind: 'ingest-restart' }>[] {
  const where = s.source || s.name;
  const restarts = s.faults
    .filter((f): f is Extract<Fault, { kind: 'ingest-restart' }> => f.kind === 'ingest-restart')
    .sort((a, b) => a.atMs - b.atMs);
  if (restarts.length === 0) return restarts;
  if (s.simulation.speed === 'max') {
    throw new UsageError(
      `${where}: the ingest-restart fault needs a paced run (simulation.speed a number, e.g. 60, with a window around the restart): at speed max laptops run one after another in virtual time, so there is no one moment to kill the service`,
    );
  }
  if (s.transport !== 'http')
    throw new UsageError(
      `${where}: the ingest-restart fault needs transport http (it restarts the ingest service the uploads go to), got transport ${s.transport}`,
    );
  const w = s.simulation.window;
  restarts.forEach((f, i) => {
    const back = f.atMs + f.downSeconds * 1000;
    if (w && (f.atMs < w.startMs || back > w.endMs)) {
      throw new UsageError(
        `${where}: the ingest-restart at day ${f.day} ${f.at} UTC (down ${f.downSeconds} s) falls outside simulation.window (day ${w.day} ${w.at} UTC for ${w.durationMinutes} min): a restart must be over before the run ends`,
      );
    }
    const prev = restarts[i - 1];
    if (prev && f.atMs < prev.atMs + prev.downSeconds * 1000) {
      throw new UsageError(
        `${where}: the ingest-restarts at day ${prev.day} ${prev.at} and day ${f.day} ${f.at} overlap: the service is still down from the first when the second would kill it`,
      );
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
    if (this.failure !== null)
      throw new RunError('WORKER_FAILED', `the ingest-restart fault failed: ${(this.failure as Error).message ?? String(this.failure)}`, {
        cause: this.failure,
      });
    if (this.done < this.faults.length)
      throw new RunError(
        'WORKER_FAILED',
        `only ${this.done} of ${this.faults.length} ingest restarts happened before the run ended (the machine fell behind the paced clock)`,
      );
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

/** Figures and thresholds of a finished (or merged) fleet run. */
export function judgeRun(
  s: Scenario,
  fleet: FleetRunResult,
  reportDir: string,
  startedAt: string,
  shard?: { readonly index: number; readonly count: number },
  store?: StoreFindings,
  target?: RunFigures['target'],
): ScenarioRunResult {
  const computed = computeRunFigures(fleet, s.energy.batteryWh, store, s.faults);
  const foreign = target?.missing.some((m) => m.figure === 'ingest.refused_paused') === true;
  // A foreign target's policy refusals are unknown, not zero.
  const figures: RunFigures = target
    ? { ...computed, target, ...(foreign ? { ingest: { ...computed.ingest, refused_paused: null, refused_exempt: null } } : {}) }
    : computed;
  const empty = fleet.laptops.length === 0 ? emptyRunReason(s, shard) : null;
  const verdict = empty === null ? evaluateThresholds(s.thresholds, figures) : notJudged(s.thresholds, empty);
  const noData = empty ?? (figures.ledger.produced === 0 ? 'its laptops produced no input events in the days run' : null);
  return {
    ...(noData === null ? {} : { noData }),
    scenario: s,
    reportDir,
    startedAt,
    shard: shard ?? null,
    fleet,
    figures,
    thresholdsPassed: verdict.passed,
    thresholds: verdict.outcomes,
    store: store ?? null,
  };
}

/**
 * Why a run with no laptops judges nothing: with `--shard K/N` over a small
 * fleet some shards get no employee, and their zero figures (or figures
 * absent, like upload latency) say nothing about the agent or the service.
 */
function emptyRunReason(s: Scenario, shard: { readonly index: number; readonly count: number } | undefined): string {
  const n = s.fleet.employees;
  return shard
    ? `shard ${shard.index}/${shard.count} has no laptops (the fleet's ${n === 1 ? '1 employee falls in another shard' : `${n} employees fall in other shards`}): nothing to judge; \`fleetsim merge\` of the shards judges the whole run`
    : 'the run has no laptops: nothing to judge';
}

/** Every threshold reported as not judged, for why; none fails the run. */
function notJudged(thresholds: Scenario['thresholds'], why: string): ThresholdVerdict {
  return { passed: true, outcomes: thresholds.map((t) => ({ expression: t.source, actual: null, pass: true, not_judged: why })) };
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
