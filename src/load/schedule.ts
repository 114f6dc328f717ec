/**
 * Seeded arrival schedules for the open model: when each upload is meant to
 * leave, and from which laptop, decided before the run starts so the
 * server's response time can never slow the arrivals down (no coordinated
 * omission). Arrays are preallocated typed arrays: the sender's hot path only
 * indexes them.
 */
import type { UploadConfig } from '../agent/index.js';
import { createStream, exponential, uniformInt, type RandomStream } from '../random/index.js';
import { atWork, busiestInstant, laptopsAtWork, surgeStart, type FleetModel } from './fleet-model.js';

export type LoadProfile =
  /** The fleet's upload rate at one instant of its day, held for the run. */
  | { readonly kind: 'steady' }
  /** The log-in wave: `fleetWindowMs` of the fleet's morning, played over the run's duration. */
  | { readonly kind: 'morning-surge'; readonly fleetWindowMs: number }
  /**
   * After `warmupMs` of steady traffic the target is unreachable for `outageMs` of fleet time, held silent for
   * outageMs ÷ outageScale of the run; laptops spool meanwhile, then drain paced by the agent's own uploader (./outage.ts).
   */
  | { readonly kind: 'outage-recovery'; readonly outageMs: number; readonly warmupMs?: number; readonly outageScale?: number }
  /** Steps of `stepMs` at rates start × factor^k until the SLO breaks or the duration ends. */
  | { readonly kind: 'ramp'; readonly startRatePerS: number | null; readonly stepFactor: number; readonly stepMs: number };

export type ProfileKind = LoadProfile['kind'];
export const PROFILE_KINDS: readonly ProfileKind[] = ['steady', 'morning-surge', 'outage-recovery', 'ramp'];

export interface ScheduleOptions {
  readonly profile: LoadProfile;
  readonly durationMs: number;
  /** Total requests the run may send (open arrivals and spooled batches together). */
  readonly maxRequests: number;
  /** The fleet instant the run stands for (UTC ms); null picks one per profile (busiest instant, start of the steepest log-in wave). */
  readonly atUtcMs: number | null;
  /** Day the fleet instant is searched in (UTC ms of its midnight). */
  readonly dayStartUtcMs: number;
  /** Uploads/s instead of the fleet's own rate (steady, outage-recovery's open stream). */
  readonly rateOverridePerS: number | null;
  /** @deprecated Ignored: spools and their backoff are modelled by ./outage.ts with the scenario's agent config. Kept so existing callers compile. */
  readonly upload?: UploadConfig;
  readonly seed: string;
}

export interface RampStep {
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly ratePerS: number;
}

/** The outage of an outage-recovery run: no arrivals in [startMs, endMs) of the run. */
export interface OutageWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** Its length in fleet time. */
  readonly fleetMs: number;
  /** Laptops at work when it began: they spool. */
  readonly laptops: Uint32Array;
}

/** Default fleet ms per run ms of a held outage: a 30-minute outage is 30 s of silence. */
export const DEFAULT_OUTAGE_SCALE = 60;

export interface LoadSchedule {
  /** Intended send time of each open arrival, ms from the run start, non-decreasing. */
  readonly intendedMs: Float64Array;
  readonly laptop: Uint32Array;
  /** Ramp step of each arrival (0 for other profiles). */
  readonly step: Uint16Array;
  readonly count: number;
  readonly steps: readonly RampStep[];
  readonly outage: OutageWindow | null;
  readonly durationMs: number;
  /** True when maxRequests cut the schedule short. */
  readonly truncated: boolean;
  /** The fleet instant at the run start, and how many fleet ms pass per run ms. */
  readonly fleetStartUtcMs: number;
  readonly timeScale: number;
  /** The open-model rate at the start (uploads/s) and laptops at work then. */
  readonly initialRatePerS: number;
  readonly laptopsAtWork: number;
}

class ArrivalBuffer {
  intendedMs: Float64Array;
  laptop: Uint32Array;
  step: Uint16Array;
  count = 0;
  constructor(
    capacity: number,
    readonly max: number,
  ) {
    const c = Math.max(16, Math.min(max, Math.ceil(capacity)));
    this.intendedMs = new Float64Array(c);
    this.laptop = new Uint32Array(c);
    this.step = new Uint16Array(c);
  }
  /** False when the request bound is reached. */
  push(t: number, laptop: number, step: number): boolean {
    if (this.count >= this.max) return false;
    if (this.count === this.intendedMs.length) {
      const c = Math.min(this.max, this.count * 2);
      const grow = <T extends Float64Array | Uint32Array | Uint16Array>(a: T, b: T): T => (b.set(a), b);
      this.intendedMs = grow(this.intendedMs, new Float64Array(c));
      this.laptop = grow(this.laptop, new Uint32Array(c));
      this.step = grow(this.step, new Uint16Array(c));
    }
    this.intendedMs[this.count] = t;
    this.laptop[this.count] = laptop;
    this.step[this.count] = step;
    this.count++;
    return true;
  }
}

/** Laptops at work at an instant, as an index list. */
function atWorkList(m: FleetModel, utcMs: number): Uint32Array {
  const out = new Uint32Array(laptopsAtWork(m, utcMs));
  let k = 0;
  for (let i = 0; i < m.laptops; i++) if (atWork(m, i, utcMs)) out[k++] = i;
  return out;
}

/** Poisson arrivals at a constant rate in [fromMs, toMs), laptops drawn uniformly from `from`. */
function poissonArrivals(
  buf: ArrivalBuffer,
  s: RandomStream,
  ratePerS: number,
  fromMs: number,
  toMs: number,
  from: Uint32Array | number,
  step: number,
): boolean {
  if (ratePerS <= 0) return true;
  const meanGapMs = 1000 / ratePerS;
  const n = typeof from === 'number' ? from : from.length;
  if (n === 0) return true;
  for (let t = fromMs + exponential(s, meanGapMs); t < toMs; t += exponential(s, meanGapMs)) {
    const k = uniformInt(s, n);
    if (!buf.push(t, typeof from === 'number' ? k : from[k]!, step)) return false;
  }
  return true;
}

export function buildSchedule(m: FleetModel, o: ScheduleOptions): LoadSchedule {
  const s = createStream(o.seed, 'load', 'arrivals', o.profile.kind);
  const r = m.uploadsPerSecondAtWork;
  const D = o.durationMs;
  switch (o.profile.kind) {
    case 'steady': {
      const at = o.atUtcMs ?? busiestInstant(m, o.dayStartUtcMs);
      const present = atWorkList(m, at);
      const rate = o.rateOverridePerS ?? present.length * r;
      const buf = new ArrivalBuffer(rate * (D / 1000) * 1.1 + 64, o.maxRequests);
      const complete = poissonArrivals(buf, s, rate, 0, D, o.rateOverridePerS !== null ? m.laptops : present, 0);
      return finish(buf, o, {
        truncated: !complete,
        fleetStartUtcMs: at,
        timeScale: 1,
        initialRatePerS: rate,
        laptopsAtWork: present.length,
        steps: [{ index: 0, startMs: 0, endMs: D, ratePerS: rate }],
        outage: null,
      });
    }
    case 'morning-surge': {
      const from = o.atUtcMs ?? surgeStart(m, o.dayStartUtcMs);
      const timeScale = o.profile.fleetWindowMs / D;
      // The rate is piecewise constant per run second: laptops at work at that fleet instant × one laptop's rate.
      const buf = new ArrivalBuffer(m.laptops * r * (D / 1000) + 64, o.maxRequests);
      let complete = true;
      let initial = 0;
      let initialAtWork = 0;
      for (let sec = 0; sec * 1000 < D && complete; sec++) {
        const present = atWorkList(m, from + sec * 1000 * timeScale);
        if (sec === 0) {
          initial = present.length * r;
          initialAtWork = present.length;
        }
        complete = poissonArrivals(buf, s, present.length * r, sec * 1000, Math.min(D, (sec + 1) * 1000), present, 0);
      }
      return finish(buf, o, {
        truncated: !complete,
        fleetStartUtcMs: from,
        timeScale,
        initialRatePerS: initial,
        laptopsAtWork: initialAtWork,
        steps: [{ index: 0, startMs: 0, endMs: D, ratePerS: initial }],
        outage: null,
      });
    }
    case 'outage-recovery': {
      const at = o.atUtcMs ?? busiestInstant(m, o.dayStartUtcMs);
      const present = atWorkList(m, at);
      const rate = o.rateOverridePerS ?? present.length * r;
      const startMs = o.profile.warmupMs ?? 0;
      const endMs = startMs + o.profile.outageMs / (o.profile.outageScale ?? DEFAULT_OUTAGE_SCALE);
      const buf = new ArrivalBuffer(rate * (D / 1000) * 1.1 + 64, o.maxRequests);
      const from = o.rateOverridePerS !== null ? m.laptops : present;
      // Arrivals stop while the target is down: those laptops' batches are in the outage model's spools.
      const complete = poissonArrivals(buf, s, rate, 0, Math.min(startMs, D), from, 0) && poissonArrivals(buf, s, rate, endMs, D, from, 0);
      const outage: OutageWindow = { startMs, endMs, fleetMs: o.profile.outageMs, laptops: present };
      return finish(buf, o, {
        truncated: !complete,
        fleetStartUtcMs: at,
        timeScale: 1,
        initialRatePerS: rate,
        laptopsAtWork: present.length,
        steps: [{ index: 0, startMs: 0, endMs: D, ratePerS: rate }],
        outage,
      });
    }
    case 'ramp': {
      const at = o.atUtcMs ?? busiestInstant(m, o.dayStartUtcMs);
      const present = atWorkList(m, at);
      const start = o.profile.startRatePerS ?? o.rateOverridePerS ?? Math.max(10, present.length * r);
      const steps: RampStep[] = [];
      for (let k = 0; (k + 1) * o.profile.stepMs <= D && k < 60_000; k++) {
        steps.push({
          index: k,
          startMs: k * o.profile.stepMs,
          endMs: (k + 1) * o.profile.stepMs,
          ratePerS: start * o.profile.stepFactor ** k,
        });
      }
      const expected = steps.reduce((a, st) => a + (st.ratePerS * (st.endMs - st.startMs)) / 1000, 0);
      const buf = new ArrivalBuffer(expected * 1.1 + 64, o.maxRequests);
      let complete = true;
      for (const st of steps) {
        complete = poissonArrivals(buf, s, st.ratePerS, st.startMs, st.endMs, m.laptops, st.index);
        if (!complete) break;
      }
      return finish(buf, o, {
        truncated: !complete,
        fleetStartUtcMs: at,
        timeScale: 1,
        initialRatePerS: start,
        laptopsAtWork: present.length,
        steps,
        outage: null,
      });
    }
  }
}

function finish(
  buf: ArrivalBuffer,
  o: ScheduleOptions,
  rest: Omit<LoadSchedule, 'intendedMs' | 'laptop' | 'step' | 'count' | 'durationMs'>,
): LoadSchedule {
  return {
    ...rest,
    intendedMs: buf.intendedMs.subarray(0, buf.count),
    laptop: buf.laptop.subarray(0, buf.count),
    step: buf.step.subarray(0, buf.count),
    count: buf.count,
    durationMs: o.durationMs,
  };
}

/**
 * The part of a schedule a shard sends: the arrivals of the laptops `keep`
 * accepts (and only those laptops' spools), with each kept arrival's index in
 * the whole schedule, so its body is the one the unsharded run would send.
 */
export function sliceSchedule(
  sch: LoadSchedule,
  keep: (laptop: number) => boolean,
): { readonly schedule: LoadSchedule; readonly globalIndex: Uint32Array } {
  let n = 0;
  for (let j = 0; j < sch.count; j++) if (keep(sch.laptop[j]!)) n++;
  const intendedMs = new Float64Array(n);
  const laptop = new Uint32Array(n);
  const step = new Uint16Array(n);
  const globalIndex = new Uint32Array(n);
  let k = 0;
  for (let j = 0; j < sch.count; j++) {
    if (!keep(sch.laptop[j]!)) continue;
    intendedMs[k] = sch.intendedMs[j]!;
    laptop[k] = sch.laptop[j]!;
    step[k] = sch.step[j]!;
    globalIndex[k++] = j;
  }
  const outage = sch.outage ? { ...sch.outage, laptops: sch.outage.laptops.filter(keep) } : null;
  // Rates are the slice's share, so the shards' rates add up to the whole run's.
  const share = sch.count === 0 ? 0 : n / sch.count;
  const steps = sch.steps.map((st) => ({ ...st, ratePerS: st.ratePerS * share }));
  return {
    schedule: { ...sch, intendedMs, laptop, step, count: n, outage, steps, initialRatePerS: sch.initialRatePerS * share },
    globalIndex,
  };
}
