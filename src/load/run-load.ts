/**
 * `fleetsim load`: corpus → devices → schedule → bodies → send → results.
 * Each step is its own module; this file only wires them in order and holds
 * the bounds every run has (time, requests).
 */
import { deriveDeviceKey } from '../auth/index.js';
import { UsageError } from '../errors.js';
import { parseStartDate } from '../behaviour/schedule/clock.js';
import type { Scenario } from '../scenario/index.js';
import { prepareBodies, type PreparedBodies } from './bodies.js';
import { runCapacity } from './capacity.js';
import { generateCorpus, loadCorpus, type Corpus } from './corpus.js';
import { createFleetModel } from './fleet-model.js';
import { computeLoadResult, type LoadResult, type ValidityBounds } from './results.js';
import { buildSchedule, type LoadProfile, type LoadSchedule } from './schedule.js';
import { runSender, type SenderProgress } from './sender.js';
import { enrollDevices, loadDeviceIds, parseTarget } from './target.js';

export interface LoadOptions {
  readonly scenario: Scenario;
  readonly target: string;
  readonly allowRemote: boolean;
  /** Enrolls the run's devices at the target (POST /v1/enroll). */
  readonly fleetSecret: string;
  /** 'enroll' asks the target for each device key; 'derive' computes them from the fleet secret (targets that only verify, e.g. benchmark sinks). */
  readonly credentials?: 'enroll' | 'derive';
  readonly mode: 'open' | 'capacity';
  readonly profile: LoadProfile;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly laptops: number;
  /** Devices enrolled (laptop i uploads as device i mod devices). */
  readonly devices: number;
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
  readonly onPhase?: (message: string) => void;
  readonly onProgress?: (p: SenderProgress & { readonly planned: number; readonly durationMs: number }) => void;
}

export const MAX_DURATION_MS = 6 * 3600_000;
export const MAX_REQUESTS = 50_000_000;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = parseTarget(o.target, o.allowRemote);
  if (!(o.durationMs > 0 && o.durationMs <= MAX_DURATION_MS)) throw new UsageError(`the duration must be more than 0 and at most ${MAX_DURATION_MS / 3600_000} h`);
  if (!(o.maxRequests >= 1 && o.maxRequests <= MAX_REQUESTS)) throw new UsageError(`--max-requests must be from 1 to ${MAX_REQUESTS}`);
  const phase = o.onPhase ?? (() => {});
  const s = o.scenario;

  phase(o.corpusDir ? `reading the corpus in ${o.corpusDir}` : `generating a corpus: ${o.corpusLaptops} laptops × 1 day of ${s.name} through the real agent`);
  const corpus: Corpus = o.corpusDir ? loadCorpus(o.corpusDir) : await generateCorpus(s, o.corpusLaptops, o.workers);
  const days = o.corpusDir ? s.simulation.days : 1;
  const uploadsPerLaptopHour = corpus.batchesPerDevice / days / (s.population.workLengthMeanMinutes / 60);

  const dayStartUtcMs = parseStartDate(s.simulation.startDate);
  const fleet = createFleetModel(s.population, o.laptops, s.seed, o.atUtcMs ?? dayStartUtcMs + 12 * 3600_000, uploadsPerLaptopHour / 3600);
  const schedule: LoadSchedule =
    o.mode === 'open'
      ? buildSchedule(fleet, { profile: o.profile, durationMs: o.durationMs, maxRequests: o.maxRequests, atUtcMs: o.atUtcMs, dayStartUtcMs, rateOverridePerS: o.rateOverridePerS, upload: s.agent.upload, seed: s.seed })
      : emptySchedule(o.durationMs);
  const devices = Math.max(1, Math.min(o.devices, o.laptops));
  const deviceIds = loadDeviceIds(o.runTag, devices);

  phase(o.credentials === 'derive' ? `deriving keys for ${devices} devices` : `enrolling ${devices} devices at ${target.url.origin}`);
  const keys = o.credentials === 'derive' ? deviceIds.map((d) => deriveDeviceKey(o.fleetSecret, d)) : await enrollDevices(target, o.fleetSecret, deviceIds);

  // Bodies: spooled batches first (sealed before the outage ended, so lower sequences), then one per open arrival.
  const backlog = schedule.backlog;
  const backlogTotal = backlog?.total ?? 0;
  const openPlanned = o.mode === 'open' ? schedule.count : o.maxRequests;
  const openBodies = Math.max(1, Math.min(openPlanned, o.maxUniqueBodies ?? Infinity, o.mode === 'capacity' ? 50_000 : Infinity));
  const n = backlogTotal + openBodies;
  const planDevice = new Uint32Array(n);
  const planWindowEnd = new Float64Array(n);
  const startEstimate = Date.now();
  const backlogFirstBody = backlog ? new Uint32Array(backlog.laptop.length) : null;
  if (backlog && backlog.total > 0 && o.profile.kind === 'outage-recovery') {
    const outageMs = o.profile.outageMs;
    let k = 0;
    for (let i = 0; i < backlog.laptop.length; i++) {
      backlogFirstBody![i] = k;
      const b = backlog.batches[i]!;
      for (let j = 0; j < b; j++, k++) {
        planDevice[k] = backlog.laptop[i]! % devices;
        planWindowEnd[k] = startEstimate - outageMs + ((j + 1) * outageMs) / (b + 1);
      }
    }
  }
  for (let j = 0; j < openBodies; j++) {
    const k = backlogTotal + j;
    planDevice[k] = (o.mode === 'open' && j < schedule.count ? schedule.laptop[j]! : j) % devices;
    planWindowEnd[k] = startEstimate + (o.mode === 'open' && j < schedule.count ? schedule.intendedMs[j]! : 0) - 1000;
  }
  phase(`preparing ${n.toLocaleString('en-US')} request bodies from ${corpus.templates.length} corpus batches`);
  const bodies: PreparedBodies = prepareBodies(corpus.templates, deviceIds, { device: planDevice, windowEndUtcMs: planWindowEnd }, `${s.seed}/${o.runTag}`);
  const sizes = bodies.body.map((b) => b.byteLength).sort((a, b) => a - b);
  const q = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))] ?? 0;
  const unique = o.mode === 'open' ? openBodies >= schedule.count : openBodies >= o.maxRequests;
  const corpusFigures = { source: corpus.source, templates: corpus.templates.length, bodies: n, body_bytes_p50: q(0.5), body_bytes_p95: q(0.95), body_bytes_max: sizes.at(-1) ?? 0, unique_bodies: unique };

  const startedAt = new Date().toISOString();
  const ctx = {
    mode: o.mode,
    profile: o.mode === 'capacity' ? 'capacity' : o.profile.kind,
    target: target.url.origin,
    seed: s.seed,
    laptops: o.laptops,
    devices,
    connections: o.connections,
    startedAt,
    durationMs: o.durationMs,
    uploadsPerLaptopHour,
    corpus: corpusFigures,
    bounds: o.bounds,
    slo: o.profile.kind === 'ramp' && o.mode === 'open' ? o.slo : null,
  };
  const planned = schedule.count + backlogTotal;
  if (o.mode === 'capacity') {
    phase(`capacity run (closed loop, autocannon): ${o.connections} connections for ${o.durationMs / 1000} s`);
    const out = await runCapacity({ target, connections: o.connections, durationMs: o.durationMs, maxRequests: o.maxRequests, requestTimeoutMs: o.requestTimeoutMs, bodies, deviceIds, deviceKeys: keys, onProgress: (p) => o.onProgress?.({ ...p, planned: o.maxRequests, durationMs: o.durationMs }) });
    return computeLoadResult(ctx, { ...schedule, count: o.maxRequests }, out);
  }
  phase(`sending ${planned.toLocaleString('en-US')} uploads (${o.profile.kind}) over at most ${o.connections} connections`);
  const out = await runSender({
    target,
    connections: o.connections,
    requestTimeoutMs: o.requestTimeoutMs,
    schedule,
    bodies,
    openFirstBody: backlogTotal,
    openBodies,
    backlogFirstBody,
    deviceIds,
    deviceKeys: keys,
    hardStopMs: o.durationMs + o.graceMs,
    upload: s.agent.upload,
    ramp: o.profile.kind === 'ramp' ? o.slo : null,
    seed: s.seed,
    onProgress: (p) => o.onProgress?.({ ...p, planned, durationMs: o.durationMs }),
  });
  return computeLoadResult(ctx, schedule, out);
}

function emptySchedule(durationMs: number): LoadSchedule {
  return {
    intendedMs: new Float64Array(0),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: 0,
    steps: [{ index: 0, startMs: 0, endMs: durationMs, ratePerS: 0 }],
    backlog: null,
    durationMs,
    truncated: false,
    fleetStartUtcMs: Date.now(),
    timeScale: 1,
    initialRatePerS: 0,
    laptopsAtWork: 0,
  };
}
