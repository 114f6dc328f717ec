/**
 * The fleet as the ingest service sees it: which laptops are at work at a
 * given UTC instant, and how often one at work uploads. Pure functions over
 * the scenario's population parameters and a seeded stream.
 *
 * Each laptop gets an office (the scenario's office mix) and a habitual local
 * start and length of the working day, drawn from the same parameters the
 * behaviour model uses (population.workStart*, workLength*). Its uploads while
 * at work arrive as a Poisson process whose rate is measured from the corpus
 * (batches per laptop-day ÷ working hours) when there is one, or derived from
 * the agent's batch age otherwise.
 */
import { utcOffsetMinutes } from '../time/index.js';
import type { PopulationParams } from '../population/index.js';
import { clamp, createStream, normal, weightedIndex } from '../random/index.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

export interface FleetModel {
  readonly laptops: number;
  /** Per laptop: minutes east of UTC of its office at the reference instant. */
  readonly offsetMinutes: Int16Array;
  /** Per laptop: local minute the working day starts, and its length in minutes. */
  readonly startMinute: Float32Array;
  readonly lengthMinutes: Float32Array;
  /** Office name per laptop, by index into `offices`. */
  readonly office: Uint8Array;
  readonly offices: readonly string[];
  /** Uploads per second of one laptop while it is at work. */
  readonly uploadsPerSecondAtWork: number;
}

export function createFleetModel(
  p: PopulationParams,
  laptops: number,
  seed: string,
  referenceUtcMs: number,
  uploadsPerSecondAtWork: number,
): FleetModel {
  const s = createStream(seed, 'load', 'fleet-model');
  const offices = p.offices.map((o) => o.name);
  const weights = p.offices.map((o) => p.officeMix[o.name] ?? 1);
  const offsets = p.offices.map((o) => utcOffsetMinutes(o.timezone, referenceUtcMs));
  const offsetMinutes = new Int16Array(laptops);
  const startMinute = new Float32Array(laptops);
  const lengthMinutes = new Float32Array(laptops);
  const office = new Uint8Array(laptops);
  for (let i = 0; i < laptops; i++) {
    const k = weightedIndex(s, weights);
    office[i] = k;
    offsetMinutes[i] = offsets[k]!;
    startMinute[i] = clamp(normal(s, p.workStartMeanMinutes, p.workStartSdMinutes), p.workStartMinMinutes, p.workStartMaxMinutes);
    lengthMinutes[i] = clamp(normal(s, p.workLengthMeanMinutes, p.workLengthSdMinutes), 360, 660);
  }
  return { laptops, offsetMinutes, startMinute, lengthMinutes, office, offices, uploadsPerSecondAtWork };
}

/** True when laptop i is inside its working day at the UTC instant (weekends are not modelled: load tests pick a working day). */
export function atWork(m: FleetModel, i: number, utcMs: number): boolean {
  const local = (((utcMs / MINUTE_MS + m.offsetMinutes[i]!) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const start = m.startMinute[i]!;
  const end = start + m.lengthMinutes[i]!;
  return (local >= start && local < end) || (end > DAY_MINUTES && local < end - DAY_MINUTES);
}

export function laptopsAtWork(m: FleetModel, utcMs: number): number {
  let n = 0;
  for (let i = 0; i < m.laptops; i++) if (atWork(m, i, utcMs)) n++;
  return n;
}

/** The UTC instant of the fleet's day (5-minute grid from `dayStartUtcMs`) with the most laptops at work. */
export function busiestInstant(m: FleetModel, dayStartUtcMs: number): number {
  let best = dayStartUtcMs;
  let bestN = -1;
  for (let t = dayStartUtcMs; t < dayStartUtcMs + DAY_MINUTES * MINUTE_MS; t += 5 * MINUTE_MS) {
    const n = laptopsAtWork(m, t);
    if (n > bestN) {
      bestN = n;
      best = t;
    }
  }
  return best;
}

/**
 * The start of the fleet's steepest log-in wave: the instant, on a 5-minute grid,
 * an hour before the largest one-hour rise in laptops at work.
 */
export function surgeStart(m: FleetModel, dayStartUtcMs: number): number {
  let best = dayStartUtcMs;
  let bestRise = -Infinity;
  for (let t = dayStartUtcMs; t < dayStartUtcMs + DAY_MINUTES * MINUTE_MS; t += 5 * MINUTE_MS) {
    const rise = laptopsAtWork(m, t + 60 * MINUTE_MS) - laptopsAtWork(m, t);
    if (rise > bestRise) {
      bestRise = rise;
      best = t;
    }
  }
  return best - 30 * MINUTE_MS;
}
