/**
 * `fleetsim load`: corpus → devices → schedule → bodies → send → results.
 * Each step is its own module; this file only wires them in order and holds
 * the bounds every run has (time, requests).
 */
import { availableParallelism } from 'node:os';
import { EXIT_CODES, FleetsimError, UsageError } from '../errors.js';
import { parseStartDate } from '../time/index.js';
import type { Scenario } from '../scenario/index.js';
import { enrollDevices, parseTarget } from '../targets/index.js';
import { describeProtocol, FLEETSIM_PROTOCOL, openProtocol, protocolEnrolls, type ProtocolSpec } from '../targets/protocols/index.js';
import {
  agentCodecLevels,
  BODY_CHUNK,
  bodyWorkers,
  drawTemplates,
  prepareBodiesInWorkers,
  type CodecLevels,
  type PreparedBodies,
} from './bodies.js';
import { runCapacity } from './capacity.js';
import { generateCorpus, loadCorpus, type Corpus } from './corpus.js';
import { createFleetModel } from './fleet-model.js';
import { OutageModel } from './outage.js';
import { computeLoadResult, RAMP_UPLOADS_PER_DEVICE_S, type LoadResult, type ValidityBounds } from './results.js';
import { buildSchedule, sliceSchedule, type LoadProfile, type LoadSchedule, type RampStep } from './schedule.js';
import { runSender, type SenderProgress } from './sender.js';
import { loadDeviceIds } from './target.js';

export interface LoadOptions {
  readonly scenario: Scenario;
  readonly target: string;
  readonly allowRemote: boolean;
  /** How requests are built and answers read (src/targets/protocols); default fleetsim's own. */
  readonly protocol?: ProtocolSpec;
  /** The target's fleet secret (its enrollment credential): the run enrolls its devices with it (POST /v1/enroll). */
  readonly fleetSecret: string;
  readonly mode: 'open' | 'capacity';
  readonly profile: LoadProfile;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly laptops: number;
  /** Devices enrolled (laptop i uploads as device i mod devices). */
  readonly devices: number;
  /**
   * `devices` is a default, not the user's choice: a ramp may then enroll
   * more, so that no device passes RAMP_UPLOADS_PER_DEVICE_S at the ramp's
   * last step and a service's per-device rate limit cannot pose as its knee.
   */
  readonly devicesDefaulted?: boolean;
  readonly connections: number;
  readonly requestTimeoutMs: number;
  /** After the schedule ends, how long answers may still arrive. */
  readonly graceMs: number;
  readonly atUtcMs: number | null;
  readonly rateOverridePerS: number | null;
  /** A corpus folder from `fleetsim run` (transport: corpus); null generates one with the scenario's fleet. */
  readonly corpusDir: string | null;
  /** Laptops simulated for a generated corpus, and worker threads for it. */
  readonly corpusLaptops: number;
  readonly workers: number;
  /** At most this many distinct bodies are prepared; beyond it, bodies repeat (reported). Default: one per request. */
  readonly maxUniqueBodies?: number;
  readonly bounds: ValidityBounds;
  readonly slo: { readonly p99Ms: number; readonly errorRate: number };
  /** Names this run's devices (load-<tag>-NNNNNN); distinct per run. */
  readonly runTag: string;
  /**
   * `--shard K/N`: send only the arrivals (and spools) of the laptops whose device is K mod N, so N generators can
   * drive one target together; `fleetsim merge` adds their results up to the whole run's. Open model only.
   */
  readonly shard?: { readonly index: number; readonly count: number } | null;
  /** Compression level per body codec; default: the scenario agent's (bodies the size the fleet sends). */
  readonly bodyLevels?: CodecLevels;
  /**
   * Ctrl-C: aborted while uploads are sent, the run stops and returns what it measured (stopped_by
   * "interrupted", invalid); aborted before, it stops at the next step with LOAD_INTERRUPTED.
   */
  readonly signal?: AbortSignal;
  /** Called once, just before the first upload is sent: from then on an abort returns a result. */
  readonly onSending?: () => void;
  readonly onPhase?: (message: string) => void;
  /** Request bodies prepared so far, while they are prepared. */
  readonly onPrepareProgress?: (done: number, total: number) => void;
  readonly onProgress?: (p: LoadProgress) => void;
}

/** A running load's progress, and the plan it is measured against. */
export type LoadProgress = SenderProgress & {
  readonly planned: number;
  readonly durationMs: number;
  /** When the schedule's sending ends (ms of the run): --duration, or earlier (a ramp's last whole step, a schedule --max-requests cut). */
  readonly plannedEndMs: number;
  /** After plannedEndMs, how long answers (and spools) may still come before the run stops. */
  readonly graceMs: number;
  /** A ramp's steps; null for other profiles. */
  readonly steps: readonly RampStep[] | null;
};

export { MAX_DURATION_MS } from './results.js';
import { MAX_DURATION_MS } from './results.js';
export const MAX_REQUESTS = 50_000_000;
/** --max-requests when not given: the open model prepares only the bodies its schedule plans, up to this. */
export const DEFAULT_MAX_REQUESTS = 1_000_000;
/**
 * The most bodies --mode capacity prepares when --max-requests is not given (one fresh batch per request): about
 * 20 s of preparing on two cores at the agent's default level, and some 900 MB held; 25 s at 4,000 requests/s.
 */
export const DEFAULT_CAPACITY_MAX_REQUESTS = 100_000;

/**
 * --max-requests when not given in --mode capacity: room for 5,000 requests a second over the run (a 3 s run
 * prepares 15,000 bodies, not 100,000: seconds of preparing, not twenty), at least 10,000 and at most
 * DEFAULT_CAPACITY_MAX_REQUESTS. A target faster than that sends them all before the end, and the result says so.
 */
export function defaultCapacityBodies(durationMs: number): number {
  return Math.min(DEFAULT_CAPACITY_MAX_REQUESTS, Math.max(10_000, Math.ceil(durationMs / 1000) * 5_000));
}

/**
 * The most worker threads a run may use: the CPUs this process may run on. Generating the corpus and preparing
 * bodies (compressing them) are CPU-bound, so threads beyond that add no speed, only memory (each holds the corpus
 * and its share of bodies) and contention; the default, availableParallelism(), is already the most.
 */
export function maxLoadWorkers(): number {
  return Math.max(1, availableParallelism());
}

const EMPTY_KEY = Buffer.alloc(0);

export { RAMP_UPLOADS_PER_DEVICE_S };
/** Enrolling is a store write per device: a default ramp enrolls at most this many. */
const MAX_RAMP_DEVICES = 5_000;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = parseTarget(o.target, o.allowRemote);
  const protocolSpec = o.protocol ?? FLEETSIM_PROTOCOL;
  const enrolls = protocolEnrolls(protocolSpec);
  if (!enrolls && o.mode === 'capacity')
    throw new UsageError(
      `--mode capacity (autocannon) speaks fleetsim's protocol only; against --protocol ${protocolSpec.kind}, use the open model (--mode open, e.g. --profile ramp to find the knee)`,
    );
  if (enrolls && !o.fleetSecret)
    throw new UsageError('--fleet-secret (or $FLEETSIM_FLEET_SECRET) must be given: the run enrolls its own devices at the target with it');
  // Opened before any work: an adapter that does not load, or a header variable that is not set, stops the run here.
  const protocol = enrolls ? null : await openProtocol(protocolSpec, { url: target.url });
  if (!(o.durationMs > 0 && o.durationMs <= MAX_DURATION_MS))
    throw new UsageError(`the duration must be more than 0 and at most ${MAX_DURATION_MS / 3600_000} h`);
  if (!(o.maxRequests >= 1 && o.maxRequests <= MAX_REQUESTS)) throw new UsageError(`--max-requests must be from 1 to ${MAX_REQUESTS}`);
  if (!(Number.isInteger(o.workers) && o.workers >= 0 && o.workers <= maxLoadWorkers()))
    throw new UsageError(
      `--workers must be a whole number from 0 to ${maxLoadWorkers()} (the CPUs this process may use), got ${o.workers}`,
    );
  const report = o.onPhase ?? (() => {});
  // Each step begins with its phase: an interrupt before the sending stops there (nothing was measured yet).
  const phase = (message: string): void => {
    if (o.signal?.aborted)
      throw new FleetsimError('LOAD_INTERRUPTED', 'the load run was interrupted before it sent anything', EXIT_CODES.interruptedBySigint);
    report(message);
  };
  const s = o.scenario;

  phase(
    o.corpusDir
      ? `reading the corpus in ${o.corpusDir}`
      : `generating a corpus: ${o.corpusLaptops} laptops × 1 day of ${s.name} through the real agent`,
  );
  const corpus: Corpus = o.corpusDir ? loadCorpus(o.corpusDir) : await generateCorpus(s, o.corpusLaptops, o.workers);
  const days = o.corpusDir ? s.simulation.days : 1;
  const uploadsPerLaptopHour = corpus.batchesPerDevice / days / (s.population.workLengthMeanMinutes / 60);

  const dayStartUtcMs = parseStartDate(s.simulation.startDate);
  const fleet = createFleetModel(s.population, o.laptops, s.seed, o.atUtcMs ?? dayStartUtcMs + 12 * 3600_000, uploadsPerLaptopHour / 3600);
  const whole: LoadSchedule =
    o.mode === 'open'
      ? buildSchedule(fleet, {
          profile: o.profile,
          durationMs: o.durationMs,
          maxRequests: o.maxRequests,
          atUtcMs: o.atUtcMs,
          dayStartUtcMs,
          rateOverridePerS: o.rateOverridePerS,
          seed: s.seed,
        })
      : emptySchedule(o.durationMs);
  if (whole.outage && !(whole.outage.endMs < o.durationMs)) {
    throw new UsageError(
      `the outage is held for ${whole.outage.endMs / 1000} s of the run (warm-up plus outage ÷ scale), which leaves no time for the recovery in --duration ${o.durationMs / 1000} s; lengthen --duration or raise --outage-scale`,
    );
  }
  if (o.mode === 'open' && whole.truncated && whole.count > 0)
    phase(
      `--max-requests ${o.maxRequests.toLocaleString('en-US')} cuts the schedule: the profile plans more uploads over --duration ${o.durationMs / 1000} s; only the first ${whole.count.toLocaleString('en-US')} (due in the first ${Math.round(whole.intendedMs[whole.count - 1]!) / 1000} s) are sent`,
    );
  if (o.mode === 'open' && whole.count === 0) {
    // Nothing to send is a question of the flags, not of the generator: say which figures made it zero.
    throw new UsageError(
      `the run plans no upload: ${o.profile.kind === 'ramp' ? 'the ramp' : `${whole.laptopsAtWork.toLocaleString('en-US')} laptops at work at ${Math.round(whole.initialRatePerS * 1000) / 1000} uploads/s`} over --duration ${o.durationMs / 1000} s gives none; ` +
        'raise --duration, --laptops or --rate (or pick an --at when the offices are at work)',
    );
  }
  const laptopDevices = Math.max(1, Math.min(o.devices, o.laptops));
  const peakRatePerS = Math.max(0, ...whole.steps.map((st) => st.ratePerS));
  // Unsharded only: a device must belong to one shard, and spreading a laptop over several devices would cross shards.
  const devices =
    o.devicesDefaulted && o.profile.kind === 'ramp' && !o.shard
      ? Math.max(laptopDevices, Math.min(MAX_RAMP_DEVICES, Math.ceil(peakRatePerS / RAMP_UPLOADS_PER_DEVICE_S)))
      : laptopDevices;
  // Each laptop's uploads go round-robin over this many devices (1 unless a ramp needed more devices than laptops).
  const devicesPerLaptop = Math.ceil(devices / laptopDevices);
  const shard = o.shard ?? null;
  if (shard && o.mode !== 'open')
    throw new UsageError('--shard applies to open-model runs; a capacity run is one closed loop (run it from one machine)');
  // A device belongs to one shard, so no two generators ever number the same device's batches.
  const inShard = (laptop: number) => shard === null || (laptop % devices) % shard.count === shard.index;
  const { schedule, globalIndex } = shard ? sliceSchedule(whole, inShard) : { schedule: whole, globalIndex: null };
  const deviceIds = loadDeviceIds(o.runTag, devices);
  const ownDevices = deviceIds.filter((_, d) => shard === null || d % shard.count === shard.index);

  if (enrolls) phase(`enrolling ${ownDevices.length} devices at ${target.url.origin}`);
  else phase(`target protocol ${describeProtocol(protocolSpec, target.url)}: no enrollment`);
  const ownKeys = !enrolls
    ? ownDevices.map(() => EMPTY_KEY)
    : await enrollDevices(target, o.fleetSecret, ownDevices, 16, undefined, o.requestTimeoutMs);
  const keys: Buffer[] = deviceIds.map(() => EMPTY_KEY);
  ownDevices.forEach((d, k) => (keys[shard ? shard.index + k * shard.count : k] = ownKeys[k]!));

  const outage =
    schedule.outage && o.profile.kind === 'outage-recovery'
      ? await OutageModel.simulate({
          laptops: schedule.outage.laptops,
          outageMs: schedule.outage.fleetMs,
          uploadsPerSecond: fleet.uploadsPerSecondAtWork,
          upload: s.agent.upload,
          templateBytes: Uint32Array.from(corpus.templates, (t) => t.originalBytes),
          seed: s.seed,
        })
      : null;
  if (outage)
    phase(
      `outage of ${schedule.outage!.fleetMs / 60_000} fleet minutes: ${outage.figures().backlog.toLocaleString('en-US')} batches spooled on ${outage.figures().laptops.toLocaleString('en-US')} laptops`,
    );

  // Bodies: one per open arrival, then the batches sealed during the outage. Sequences follow sealing order:
  // arrivals before the outage, the spools, then arrivals after it.
  const openPlanned = o.mode === 'open' ? schedule.count : o.maxRequests;
  // A capacity run sends each body once (a repeat would be stored as a duplicate): it gets one per request it may send.
  const openBodies = Math.max(1, Math.min(openPlanned, o.maxUniqueBodies ?? Infinity));
  const sealed = outage?.sealed ?? 0;
  const n = openBodies + sealed;
  const planDevice = new Uint32Array(n);
  const planWindowEnd = new Float64Array(n);
  const planTemplate = new Uint32Array(n);
  const startEstimate = Date.now();
  const openTemplates = drawTemplates(o.mode === 'open' ? whole.count : openBodies, corpus.templates.length, s.seed, 'open');
  for (let j = 0; j < openBodies; j++) {
    const scheduled = o.mode === 'open' && j < schedule.count;
    planDevice[j] = (((scheduled ? schedule.laptop[j]! : j) % laptopDevices) + laptopDevices * (j % devicesPerLaptop)) % devices;
    planWindowEnd[j] = startEstimate + (scheduled ? schedule.intendedMs[j]! : 0) - 1000;
    planTemplate[j] = openTemplates[globalIndex ? globalIndex[j]! : j]!;
  }
  if (outage) {
    const w = schedule.outage!;
    const recoveryWallMs = startEstimate + w.endMs;
    for (let b = 0; b < sealed; b++) {
      planDevice[openBodies + b] = outage.backlogLaptop[b]! % devices;
      planWindowEnd[openBodies + b] = recoveryWallMs - (w.fleetMs - outage.backlogSealedMs[b]!);
      planTemplate[openBodies + b] = outage.backlogTemplate[b]!;
    }
  }
  const order: number[] = [];
  const outageStart = schedule.outage?.startMs ?? Infinity;
  let split = 0;
  while (split < openBodies && o.mode === 'open' && split < schedule.count && schedule.intendedMs[split]! < outageStart) split++;
  for (let j = 0; j < split; j++) order.push(j);
  for (let b = 0; b < sealed; b++) order.push(openBodies + b);
  for (let j = split; j < openBodies; j++) order.push(j);
  const planSequence = new Float64Array(n);
  const nextSeq = new Float64Array(devices);
  for (const j of order) planSequence[j] = nextSeq[planDevice[j]!]!++;

  const levels = o.bodyLevels ?? agentCodecLevels(s.agent);
  phase(
    `preparing ${n.toLocaleString('en-US')} request bodies from ${corpus.templates.length} corpus batches at the agent's compression level ${preparedWhere(o.workers, n)}`,
  );
  const bodies: PreparedBodies & {
    cost: { codec_levels: Readonly<Record<string, number>>; wall_s: number; ms_per_body: number; workers: number };
  } = await prepareBodiesInWorkers(
    corpus.templates,
    deviceIds,
    { device: planDevice, windowEndUtcMs: planWindowEnd, template: planTemplate, sequence: planSequence },
    { seed: `${s.seed}/${o.runTag}`, levels, workers: o.workers, ...(o.onPrepareProgress ? { onProgress: o.onPrepareProgress } : {}) },
  );
  const sizes = bodies.body.map((b) => b.byteLength).sort((a, b) => a - b);
  const q = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))] ?? 0;
  const unique = o.mode === 'open' ? openBodies >= schedule.count : true;
  const corpusFigures = {
    source: corpus.source,
    templates: corpus.templates.length,
    bodies: n,
    body_bytes_p50: q(0.5),
    body_bytes_p95: q(0.95),
    body_bytes_max: sizes.at(-1) ?? 0,
    unique_bodies: unique,
    codec_levels: bodies.cost.codec_levels,
    prepare_wall_s: bodies.cost.wall_s,
    prepare_ms_per_body: bodies.cost.ms_per_body,
    prepare_workers: bodies.cost.workers,
  };

  const startedAt = new Date().toISOString();
  const ctx = {
    run: {
      mode: o.mode,
      profile: o.mode === 'capacity' ? 'capacity' : o.profile.kind,
      target: target.url.origin,
      seed: s.seed,
      laptops: o.laptops,
      devices,
      connections: o.connections,
      started_at: startedAt,
    },
    durationMs: o.durationMs,
    uploadsPerLaptopHour,
    corpus: corpusFigures,
    bounds: o.bounds,
    slo: o.profile.kind === 'ramp' && o.mode === 'open' ? o.slo : null,
    maxErrorRate: o.slo.errorRate,
    graceMs: o.graceMs,
    shard,
    protocol: describeProtocol(protocolSpec, target.url),
  };
  const planned = schedule.count + (outage?.figures().backlog ?? 0);
  if (o.mode === 'capacity') {
    phase(`capacity run (closed loop, autocannon): ${o.connections} connections for ${o.durationMs / 1000} s`);
    o.onSending?.();
    const out = await runCapacity({
      target,
      connections: o.connections,
      durationMs: o.durationMs,
      requestTimeoutMs: o.requestTimeoutMs,
      bodies,
      deviceIds,
      deviceKeys: keys,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) =>
        o.onProgress?.({ ...p, planned: bodies.count, durationMs: o.durationMs, plannedEndMs: o.durationMs, graceMs: 0, steps: null }),
    });
    return computeLoadResult(ctx, { ...schedule, count: bodies.count, truncated: out.stoppedBy === 'max_requests' }, out);
  }
  const ramp = o.profile.kind === 'ramp' ? schedule.steps : null;
  const progressPlan = {
    durationMs: o.durationMs,
    // The sending ends with the last arrival's step: a ramp's last whole step, or the last upload --max-requests left.
    plannedEndMs: ramp
      ? (ramp.at(-1)?.endMs ?? o.durationMs)
      : schedule.truncated && schedule.count > 0
        ? Math.max(schedule.intendedMs[schedule.count - 1]!, schedule.outage?.endMs ?? 0)
        : o.durationMs,
    graceMs: o.graceMs,
    steps: ramp,
  };
  phase(`sending ${planned.toLocaleString('en-US')} uploads (${o.profile.kind}) over at most ${o.connections} connections`);
  o.onSending?.();
  const out = await runSender({
    target,
    connections: o.connections,
    requestTimeoutMs: o.requestTimeoutMs,
    schedule,
    bodies,
    openFirstBody: 0,
    openBodies,
    drain: outage ? { model: outage, bodyBase: openBodies } : null,
    deviceIds,
    deviceKeys: keys,
    protocol,
    hardStopMs: o.durationMs + o.graceMs,
    ramp: o.profile.kind === 'ramp' ? o.slo : null,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (p) => o.onProgress?.({ ...p, planned, ...progressPlan }),
  });
  return computeLoadResult(ctx, schedule, out);
}

/** Where the bodies are prepared, and, once, why on fewer threads than --workers asked for. */
function preparedWhere(requested: number, bodies: number): string {
  if (requested === 0) return 'in the main thread (--workers 0)';
  const used = bodyWorkers(requested, bodies);
  const tasks = Math.ceil(bodies / BODY_CHUNK);
  const why =
    used < requested
      ? ` (${requested} asked for: ${bodies.toLocaleString('en-US')} bodies make ${tasks} task${tasks === 1 ? '' : 's'} of up to ${BODY_CHUNK}, one thread each)`
      : '';
  return `on ${used} worker thread${used === 1 ? '' : 's'}${why}`;
}

function emptySchedule(durationMs: number): LoadSchedule {
  return {
    intendedMs: new Float64Array(0),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: 0,
    steps: [{ index: 0, startMs: 0, endMs: durationMs, ratePerS: 0 }],
    outage: null,
    durationMs,
    truncated: false,
    fleetStartUtcMs: Date.now(),
    timeScale: 1,
    initialRatePerS: 0,
    laptopsAtWork: 0,
  };
}
