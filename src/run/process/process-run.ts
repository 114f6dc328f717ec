/**
 * `fleetsim run` with process agents: N laptops as N agent processes on the
 * real clock. Per laptop: an input path (its own tap socket or Xvfb display),
 * the agent command with its placeholders filled, a wait until it listens,
 * an observer on its process tree, the employee's UI actions on the control
 * socket, then the laptop's events of the window replayed on the real clock;
 * at the end SIGTERM (the agent flushes and writes its stats), the store
 * scanned, every process and path torn down on every way out.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCalendar } from '../../time/index.js';
import { RunError, UsageError } from '../../errors.js';
import { shardRange } from '../../pool/index.js';
import { sliceBlock, type EventBlock } from '../../events/index.js';
import { InputError } from '../../input/errors.js';
import type { InjectionLateness, InputDriver, InputKind } from '../../input/types.js';
import { FATES, emptyLedger, ledgerImbalance, type Ledger } from '../../metrics/ledger.js';
import { createLatencyHistogram, encodeLatency } from '../../metrics/latency.js';
import { createFreshnessHistogram, decodeFreshness, encodeFreshness } from '../../metrics/freshness.js';
import type { EnergyReading, ProcessObservation, ProcessObserver } from '../../observe/types.js';
import { employeeId } from '../../population/index.js';
import type { Scenario } from '../../scenario/index.js';
import type { AgentProcessStats } from '../../agent-process/stats.js';
import type { FleetRunProgress, FleetRunResult } from '../fleet-run.js';
import { openIngestTarget, type IngestTarget } from '../ingest-target.js';
import type { StoreFindings } from '../summary.js';
import { scanStore } from '../store-scan.js';
import { buildAgentCommand, referenceAgentCommand, writeAgentSettings } from './agent-command.js';
import { ChildRegistry, type AgentChild } from './children.js';
import { dayEnvironment } from '../../behaviour/index.js';
import { composeWindowInput, countKinds, type EventsByKind, type WindowInput } from './laptop-input.js';
import { processRow, type ProcessLaptop, type ProcessRunFacts } from './facts.js';

/** What a real-time run needs from the input, observer and ingest modules (tests and benchmarks may swap them). */
export interface ProcessRunDeps {
  /** sourceMoveRateHz: the scenario's agent.sourceMoveRateHz, which the path applies as the laptop's pointer would. */
  createDriver(
    kind: InputKind,
    o: { readonly dir: string; readonly index: number; readonly foreign: boolean; readonly sourceMoveRateHz?: number },
  ): InputDriver;
  observe(pid: number, o: { readonly intervalMs: number }): ProcessObserver;
  /** Package energy over a window: call at the start, the returned function at the end. */
  energyMeter(): () => EnergyReading;
  startBlackhole(o: { readonly status: number; readonly delayMs: number }): Promise<Blackhole>;
  /** The harness's end of the control socket (UI actions), at `path`. */
  createControl(path: string): ControlChannel;
}

export interface Blackhole {
  readonly url: string;
  counts(): { readonly requests: number; readonly bytes: number };
  close(): Promise<void>;
}

export interface ControlChannel {
  start(): Promise<void>;
  waitForAgent(timeoutMs: number): Promise<void>;
  send(action: import('../../input/types.js').UiAction): void;
  close(): Promise<void>;
}

export interface ProcessRunOptions {
  readonly reportDir: string;
  readonly shard?: { readonly index: number; readonly count: number };
  /** Fleet secret of an ingest.kind url target. */
  readonly fleetSecret?: string;
  readonly onProgress?: (p: FleetRunProgress) => void;
  /** How long an agent may take to start listening on its input path. */
  readonly readyTimeoutMs?: number;
  /** How long an agent may take to flush and exit after SIGTERM before it is killed. */
  readonly stopGraceMs?: number;
  /** Observer sampling interval. */
  readonly sampleIntervalMs?: number;
  readonly deps: ProcessRunDeps;
  /** Replaces a laptop's composed input (benchmarks feed single-kind streams through the same run). */
  readonly transformInput?: (input: WindowInput) => WindowInput;
  /**
   * Wall time the agents run before the window opens, unobserved (default: the scenario's agent.settleSeconds). A fresh
   * process does one-off work in its first seconds — V8's memory reducer compacts the start-up heap some 10–20 s after
   * start — that a laptop pays once per boot, not per hour: a short measured window starting later leaves it out.
   */
  readonly settleMs?: number;
  /**
   * Node/V8 flags of the reference agent's process. Benchmarks pass --no-memory-reducer: V8 compacts a fresh heap once
   * at a time of its choosing (seen 16–75 s after start, or at the first input after a long idle: ≈ 0.2 s of CPU and
   * ≈ 90 wake-ups), which a laptop pays once per boot but which would swamp a minute-long window's per-read signal.
   */
  readonly referenceNodeFlags?: readonly string[];
}

const READY_TIMEOUT_MS = 15_000;
/** fleetsim agent drains uploads for up to 10 s after SIGTERM (its --drain-timeout-ms), then writes its stats. */
const STOP_GRACE_MS = 15_000;
const SAMPLE_INTERVAL_MS = 250;
/** Wall time budgeted per laptop to start its agent before the window opens; a slower start skips the window's first moments rather than injecting late. */
const START_LEAD_MS = 3_000;
const START_LEAD_PER_LAPTOP_MS = 500;

/** One laptop of the run: its input, path, agent and observer, as far as they got. */
interface LaptopRun {
  readonly input: WindowInput;
  readonly dir: string;
  readonly statsFile: string;
  driver: InputDriver | null;
  control: ControlChannel | null;
  child: AgentChild | null;
  observer: ProcessObserver | null;
  blackhole: Blackhole | null;
  observation: ProcessObservation | null;
  lateness: InjectionLateness | null;
  injected: number;
  injectedByKind: EventsByKind;
  /** Moves the source's rate cap merged before the agent could see them. */
  sourceCoalesced: number;
  graceful: boolean;
}

export async function runProcessFleet(
  s: Scenario,
  o: ProcessRunOptions,
): Promise<{ readonly result: FleetRunResult; readonly store?: StoreFindings; readonly devicePrefix?: string }> {
  const spec = s.agentUnderTest;
  const w = s.simulation.window;
  if (spec.kind !== 'process' || !w) throw new Error('unreachable: runProcessFleet without a process agent and a window');
  const settleMs = o.settleMs ?? spec.settleSeconds * 1000;
  const started = performance.now();
  const calendar = createCalendar(
    s.simulation.startDate,
    s.population.offices.map((x) => x.timezone),
  );
  const env = dayEnvironment({ ...s, calendar });
  const fromUtcMs = calendar.startDateUtcMs + w.startMs;
  const untilUtcMs = calendar.startDateUtcMs + w.endMs;
  const mine = o.shard ? shardRange(s.fleet.employees, o.shard) : { from: 0, to: s.fleet.employees };
  const indices: number[] = [];
  for (let i = mine.from; i < mine.to; i++) indices.push(i);
  const reference = spec.command === null;
  const agentsDir = join(o.reportDir, 'agents');
  mkdirSync(agentsDir, { recursive: true });
  const template = reference
    ? referenceAgentCommand(spec.input, writeAgentSettings(agentsDir, s), o.referenceNodeFlags)
    : { argv: [...spec.command!], env: {} };
  const agentEnv = { ...template.env, ...spec.env };
  // Unix socket paths are short (108 bytes): sockets live in a short temporary folder, files in the report.
  const sockets = mkdtempSync(join(tmpdir(), 'fleetsim-'));
  const laptops: LaptopRun[] = indices.map((i) => {
    const dir = join(agentsDir, employeeId(i));
    mkdirSync(dir, { recursive: true });
    return {
      input: (o.transformInput ?? ((x: WindowInput) => x))(composeWindowInput(s, env, i, { fromUtcMs, untilUtcMs })),
      dir,
      statsFile: join(dir, 'stats.json'),
      driver: null,
      control: null,
      child: null,
      observer: null,
      blackhole: null,
      observation: null,
      lateness: null,
      injected: 0,
      injectedByKind: { key: 0, click: 0, move: 0, wheel: 0 },
      sourceCoalesced: 0,
      graceful: false,
    };
  });
  const registry = new ChildRegistry();
  registry.attach();
  const unregister: (() => void)[] = [];
  let ingest: IngestTarget | null = null;
  let energy: EnergyReading = { kind: 'unavailable', reason: 'not measured' };
  let wallStartMs = 0;
  let virtualStartMs = fromUtcMs;
  const abort = new AbortController();
  try {
    // The agents' clock: the window's start is mapped onto a wall instant a little ahead, once, for every laptop (and the service).
    const plannedWallStart = Date.now() + START_LEAD_MS + START_LEAD_PER_LAPTOP_MS * laptops.length + settleMs;
    const timeOffsetMs = fromUtcMs - plannedWallStart;
    if (s.ingest.kind === 'url' && s.ingest.protocol !== 'fleetsim') {
      throw new UsageError(
        `${s.source || s.name}: ingest.protocol ${s.ingest.protocol} is for the simulated agent; an agent process (agent.kind: process) uploads in its own protocol: give it your target in its command, or use ingest.kind blackhole`,
      );
    }
    if (s.ingest.kind !== 'blackhole')
      ingest = await openIngestTarget(s, o.reportDir, {
        restartable: false,
        timeOffsetMs,
        enroll: false,
        ...(o.fleetSecret ? { fleetSecret: o.fleetSecret } : {}),
      });
    const readyTimeoutMs = o.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const starting = laptops.map((l, k) => startLaptop(l, k));
    const outcomes = await Promise.allSettled(starting);
    const failed = outcomes.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;

    // Everyone listens: the replay starts now, or at the planned instant if that is still ahead.
    wallStartMs = Math.max(plannedWallStart, Date.now() + 50);
    virtualStartMs = wallStartMs + timeOffsetMs;
    const wallEndMs = wallStartMs + (untilUtcMs - virtualStartMs);
    // Observed from here: what the agent costs while it runs, not its start-up (paid once per boot, not per hour).
    for (const l of laptops) l.observer = o.deps.observe(l.child!.pid, { intervalMs: o.sampleIntervalMs ?? SAMPLE_INTERVAL_MS });
    const meter = o.deps.energyMeter();
    const progress = setInterval(() => {
      const now = Date.now();
      o.onProgress?.({
        laptopsDone: 0,
        laptopsTotal: laptops.length,
        events: laptops.reduce((a, l) => a + countBefore(l.input.events, now + timeOffsetMs), 0),
        paced: { virtualMs: now + timeOffsetMs, fromUtcMs, untilUtcMs, uploads: 0 },
      });
    }, 500);
    try {
      await Promise.all(
        laptops.map(async (l) => {
          const events = from(l.input.events, virtualStartMs);
          l.injected = events.length;
          l.injectedByKind = countKinds(events);
          const died = l.child!.exited.then(() => {
            throw agentFailed(l.child!, 'exited while its input was being replayed');
          });
          l.lateness = await Promise.race([
            l.driver!.replay(events, { wallStartMs, virtualStartMs, virtualEndMs: untilUtcMs, signal: abort.signal }),
            died,
          ]);
          // Moves the source's rate cap merged never reached the agent: the ledger counts them as coalesced, not injected.
          const merged = l.lateness.moves_coalesced_at_source ?? 0;
          if (merged > 0) {
            l.injected -= merged;
            l.injectedByKind = { ...l.injectedByKind, move: l.injectedByKind.move - merged };
            l.sourceCoalesced = merged;
          }
          // A click away from where X11's pointer was came with a move there: the agent received it, so the ledger counts it.
          const added = l.lateness.pointer_moves_added ?? 0;
          if (added > 0) {
            l.injected += added;
            l.injectedByKind = { ...l.injectedByKind, move: l.injectedByKind.move + added };
          }
          // The agent lives to the end of the window, as a laptop does after its last keystroke.
          await Promise.race([sleepUntil(wallEndMs, abort.signal), died]);
          died.catch(() => {});
        }),
      );
    } finally {
      clearInterval(progress);
    }
    energy = meter();
    for (const l of laptops) l.observation = l.observer!.stop();
    const stopped = await Promise.all(laptops.map((l) => l.child!.stop(o.stopGraceMs ?? STOP_GRACE_MS)));
    stopped.forEach((g, k) => (laptops[k]!.graceful = g));

    async function startLaptop(l: LaptopRun, k: number): Promise<void> {
      const driver = o.deps.createDriver(spec.kind === 'process' ? (spec as { input: InputKind }).input : 'tap', {
        dir: join(sockets, String(k)),
        index: k,
        foreign: !reference,
        sourceMoveRateHz: s.agent.sourceMoveRateHz,
      });
      l.driver = driver;
      unregister.push(registry.onInterrupt(() => driver.close()));
      mkdirSync(join(sockets, String(k)), { recursive: true });
      await driver.start();
      const control = o.deps.createControl(join(sockets, String(k), 'control.sock'));
      l.control = control;
      await control.start();
      if (s.ingest.kind === 'blackhole') l.blackhole = await o.deps.startBlackhole({ status: s.ingest.status, delayMs: s.ingest.delayMs });
      const values = {
        ...driver.placeholders,
        uploadUrl: l.blackhole ? l.blackhole.url : ingest!.url,
        deviceId: `${ingest?.devicePrefix ?? ''}${l.input.employee.id}`,
        controlSocket: join(sockets, String(k), 'control.sock'),
        statsFile: l.statsFile,
        timeOffsetMs: String(timeOffsetMs),
        fleetSecret: ingest?.fleetSecret ?? '',
        timezone: l.input.employee.timezone,
      };
      const command = buildAgentCommand(template.argv, agentEnv, values);
      const child = registry.spawn(command, l.dir);
      l.child = child;
      const exited = child.exited.then(() => {
        throw agentFailed(child, `exited before it listened on its ${driver.kind} input`);
      });
      try {
        await Promise.race([
          waitInSteps(
            (ms) => driver.waitForAgent(ms),
            readyTimeoutMs,
            () => !child.running,
          ),
          exited,
        ]);
      } catch (err) {
        if (child.running) {
          const why = err instanceof InputError && err.inputCode === 'INPUT_AGENT_NOT_LISTENING' ? '' : ` (${(err as Error).message})`;
          throw agentFailed(
            child,
            `did not connect to its ${driver.kind} input (${Object.values(driver.placeholders).join(', ')}) within ${readyTimeoutMs / 1000} s${why}`,
          );
        }
        throw err;
      }
      if (reference) {
        await Promise.race([
          waitInSteps(
            (ms) => control.waitForAgent(ms),
            readyTimeoutMs,
            () => !child.running,
          ),
          exited,
        ]);
        for (const a of l.input.ui) control.send(a);
      }
      exited.catch(() => {});
    }
  } catch (err) {
    abort.abort();
    registry.killAll();
    throw err;
  } finally {
    for (const l of laptops) {
      try {
        l.observer?.stop();
      } catch {
        // The process is gone: nothing more to sample.
      }
    }
    registry.killAll();
    await Promise.allSettled(laptops.flatMap((l) => [l.driver?.close(), l.control?.close(), l.blackhole?.close(), l.child?.exited]));
    for (const u of unregister) u();
    registry.detach();
    rmSync(sockets, { recursive: true, force: true });
    if (abort.signal.aborted && ingest)
      await ingest.stopAndOpenStore().then(
        (st) => st?.close(),
        () => {},
      );
  }

  // ── results ──
  const rows: ProcessLaptop[] = laptops.map((l) => {
    const stats = reference ? readAgentStats(l.statsFile, l.child!) : null;
    return processRow({
      input: l.input,
      injected: l.injected,
      injectedByKind: l.injectedByKind,
      sourceCoalesced: l.sourceCoalesced,
      lateness: l.lateness!,
      observation: l.observation!,
      stats,
      blackhole: l.blackhole?.counts() ?? null,
      graceful: l.graceful,
      energy: s.energy,
    });
  });
  const opened = await ingest?.stopAndOpenStore();
  let store: StoreFindings | undefined;
  try {
    if (opened) {
      store = await scanStore(opened, Object.fromEntries(laptops.map((l) => [l.input.employee.id, l.input.canaries])));
    }
  } finally {
    await opened?.close();
  }
  const facts: ProcessRunFacts = {
    agent: reference ? 'reference' : spec.command![0]!,
    input: spec.input,
    source_move_rate_hz: s.agent.sourceMoveRateHz,
    settle_seconds: settleMs / 1000,
    ingest: s.ingest.kind,
    wall_start_utc: new Date(wallStartMs).toISOString(),
    virtual_start_utc: new Date(virtualStartMs).toISOString(),
    virtual_end_utc: new Date(untilUtcMs).toISOString(),
    energy,
    laptops: rows,
  };
  const devicePrefix = ingest?.devicePrefix ?? '';
  return {
    result: toFleetResult(rows, facts, calendar.epochUtcMs, calendar.startDateUtcMs, performance.now() - started),
    ...(store ? { store } : {}),
    ...(devicePrefix ? { devicePrefix } : {}),
  };
}

/** The agent's figures written on SIGTERM (`fleetsim agent --stats-file`). */
export interface AgentStats {
  readonly ledger: Ledger;
  readonly costs: { readonly batches: number; readonly uploads: number; readonly radioBytes: number };
  /** Events the agent received from its input path. */
  readonly received: number;
  /** OS reads that carried input (its input wake-ups); absent from an agent that does not count them. */
  readonly reads?: number;
  /** Freshness of its acknowledged events (ms, HDR, encoded); '' from an agent too old to tell. */
  readonly freshness: string;
}

function readAgentStats(file: string, child: AgentChild): AgentStats {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RunError(
      'WORKER_FAILED',
      `the agent ${child.command.shown} left no readable stats file ${file} after SIGTERM (${(err as Error).message}); it ${child.describeExit()}${tail(child)}`,
    );
  }
  return parseAgentStats(v, file);
}

/** The reference agent's stats file (src/agent-process/stats.ts), checked: a run must not balance a ledger it could not read. */
export function parseAgentStats(v: unknown, file: string): AgentStats {
  const o = v as Partial<AgentProcessStats> | null;
  const bad = (what: string) => new RunError('WORKER_FAILED', `the agent's stats file ${file} is not what fleetsim agent writes: ${what}`);
  if (!o || typeof o !== 'object' || !o.ledger || !o.costs) throw bad('no ledger or costs');
  const ledger = emptyLedger();
  for (const k of ['produced', ...FATES] as const) {
    const n = (o.ledger as unknown as Record<string, unknown>)[k];
    if (typeof n !== 'number') throw bad(`ledger.${k} is missing`);
    ledger[k] = n;
  }
  if (typeof o.input_events !== 'number') throw bad('input_events is missing');
  const freshness = o.freshness?.histogram;
  if (freshness !== undefined && typeof freshness !== 'string') throw bad('freshness.histogram is not a string');
  return {
    ledger,
    costs: { batches: o.costs.batches, uploads: o.costs.uploads, radioBytes: o.costs.radioBytes },
    received: o.input_events,
    ...(typeof o.input_deliveries === 'number' ? { reads: o.input_deliveries } : {}),
    freshness: freshness ?? '',
  };
}

function agentFailed(child: AgentChild, what: string): RunError {
  return new RunError(
    'WORKER_FAILED',
    `the agent command ${child.command.shown} ${what}${child.running ? '' : ` (it ${child.describeExit()})`}${tail(child)}`,
  );
}

function tail(child: AgentChild): string {
  const e = child.stderr();
  return e
    ? `; its stderr ends:\n${e
        .split('\n')
        .slice(-15)
        .map((l) => `    ${l}`)
        .join('\n')}`
    : '; it wrote nothing to stderr';
}

/**
 * Waits for an agent in short steps, so a wait abandoned when the agent dies
 * (or the run fails elsewhere) leaves no long timer keeping fleetsim alive.
 */
async function waitInSteps(wait: (ms: number) => Promise<void>, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    try {
      return await wait(Math.max(1, Math.min(WAIT_STEP_MS, left)));
    } catch (err) {
      if (left <= WAIT_STEP_MS || gone()) throw err;
    }
  }
}

const WAIT_STEP_MS = 250;

/** Events at or after virtual instant t (agent clock). */
function from(b: EventBlock, t: number): EventBlock {
  let i = 0;
  while (i < b.length && (b.t_ms[i] as number) < t) i++;
  return sliceBlock(b, i, b.length);
}

function countBefore(b: EventBlock, t: number): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((b.t_ms[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sleepUntil(wallMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wait = wallMs - Date.now();
    if (wait <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, wait);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** The run in the shape every run has, so summary.json, the CSVs and thresholds treat it like any other. */
function toFleetResult(
  rows: readonly ProcessLaptop[],
  facts: ProcessRunFacts,
  epochUtcMs: number,
  startDateUtcMs: number,
  wallMs: number,
): FleetRunResult {
  let ledger = emptyLedger();
  const statuses: Record<string, number> = {};
  for (const r of rows) {
    for (const k of ['produced', ...FATES] as const) ledger[k] += r.ledger[k];
  }
  ledger = { ...ledger };
  return {
    laptops: rows.map((r) => r.row),
    ledger,
    hours: {},
    epochUtcMs,
    startDateUtcMs,
    wallMs,
    cpuMs: rows.reduce((a, r) => a + r.observation.cpu_user_s + r.observation.cpu_system_s, 0) * 1000,
    workers: 0,
    latency: encodeLatency(createLatencyHistogram()),
    freshness: encodeFreshness(rows.reduce((h, r) => (h.add(decodeFreshness(r.freshness)), h), createFreshnessHistogram())),
    statuses,
    canaries: Object.fromEntries(rows.map((r) => [r.row.employee_id, r.canaries])),
    attemptsByMinute: {},
    sealedByMinute: {},
    injected: {},
    process: facts,
  };
}

export { ledgerImbalance };
