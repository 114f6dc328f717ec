/**
 * The battery proxy on measured inputs: an observation window of a real agent
 * process (CPU, wake-ups from /proc) and the bytes and uploads it sent, run
 * through the same energy model as virtual-time runs (metrics/energy.ts).
 *
 * It lives in observe/ rather than metrics/ because it reads the observer's
 * ProcessObservation, and metrics/ sits below observe/ in DESIGN.md's
 * dependency order; the model itself (coefficients, estimateEnergy) stays in
 * metrics/ and is not duplicated here.
 *
 * Wake-ups are voluntary context switches: the agent slept (a timer, a read
 * on the input path, a socket) and was woken. Involuntary switches are the
 * scheduler preempting a running agent; they cost no exit from idle and are
 * not counted as wake-ups.
 */
import { DEFAULT_ENERGY_MODEL, estimateEnergy, type EnergyEstimate, type EnergyModel } from '../metrics/energy.js';
import { ObserveError } from './errors.js';
import type { ProcessObservation } from './types.js';

/**
 * How the window stands for a day.
 * - work_hours: the window's energy per hour, times the hours the laptop is at
 *   work. Right when the window is a representative slice of the day (for a
 *   window cut from a busy hour it overstates the day's idle stretches).
 * - active_minutes: the window's energy per active minute (a minute with
 *   input), times the day's active minutes. Right when the cost follows the
 *   input, as delivery does; it understates timers and uploads that run
 *   while the person is idle.
 */
export type DayScale =
  | { readonly kind: 'work_hours'; readonly hours_per_day: number }
  | { readonly kind: 'active_minutes'; readonly active_minutes_per_day: number };

/** A typical office day at the laptop (the generated workdays centre on 8 hours). */
export const DEFAULT_DAY_SCALE: DayScale = { kind: 'work_hours', hours_per_day: 8 };

export interface MeasuredWindow {
  readonly observation: ProcessObservation;
  /** Bytes the agent put on the radio in the window (request bodies and headers it sent). */
  readonly radio_bytes: number;
  /** Uploads (radio transmissions) in the window. */
  readonly transmissions: number;
  /** Minutes of the window in which the person produced input. */
  readonly active_minutes: number;
}

export interface MeasuredBattery {
  readonly window_hours: number;
  readonly cpu_seconds: number;
  readonly cpu_seconds_per_laptop_hour: number;
  readonly wakeups: number;
  /** null when the window held no active minute. */
  readonly wakeups_per_active_minute: number | null;
  /** Energy over the window, J, with its terms. */
  readonly window_energy: EnergyEstimate;
  /** Factor from the window to the day (see DayScale). */
  readonly day_factor: number;
  readonly energy_j_per_day: number;
  readonly battery_pct_per_day: number;
}

export function measuredBattery(
  w: MeasuredWindow,
  scale: DayScale = DEFAULT_DAY_SCALE,
  model: EnergyModel = DEFAULT_ENERGY_MODEL,
): MeasuredBattery {
  const o = w.observation;
  if (!(o.wall_ms > 0))
    throw new ObserveError(
      'OBSERVE_BAD_OPTION',
      `measured energy: the observation window is ${o.wall_ms} ms long; at least two samples over a positive span are needed`,
    );
  for (const [name, v] of [
    ['radio_bytes', w.radio_bytes],
    ['transmissions', w.transmissions],
    ['active_minutes', w.active_minutes],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      throw new ObserveError('OBSERVE_BAD_OPTION', `measured energy: ${name} must be a finite number >= 0, got ${v}`);
  }
  const windowHours = o.wall_ms / 3_600_000;
  const cpuSeconds = o.cpu_user_s + o.cpu_system_s;
  const wakeups = o.voluntary_switches;
  const windowEnergy = estimateEnergy({ cpuSeconds, wakeups, radioBytes: w.radio_bytes, transmissions: w.transmissions }, model);
  let dayFactor: number;
  if (scale.kind === 'work_hours') {
    if (!(scale.hours_per_day > 0 && scale.hours_per_day <= 24))
      throw new ObserveError('OBSERVE_BAD_OPTION', `measured energy: hours_per_day must be in (0, 24], got ${scale.hours_per_day}`);
    dayFactor = scale.hours_per_day / windowHours;
  } else {
    if (!(scale.active_minutes_per_day >= 0 && scale.active_minutes_per_day <= 1440)) {
      throw new ObserveError(
        'OBSERVE_BAD_OPTION',
        `measured energy: active_minutes_per_day must be in [0, 1440], got ${scale.active_minutes_per_day}`,
      );
    }
    if (!(w.active_minutes > 0))
      throw new ObserveError(
        'OBSERVE_BAD_OPTION',
        'measured energy: scaling by active minutes needs a window with at least one active minute',
      );
    dayFactor = scale.active_minutes_per_day / w.active_minutes;
  }
  return {
    window_hours: windowHours,
    cpu_seconds: cpuSeconds,
    cpu_seconds_per_laptop_hour: cpuSeconds / windowHours,
    wakeups,
    wakeups_per_active_minute: w.active_minutes > 0 ? wakeups / w.active_minutes : null,
    window_energy: windowEnergy,
    day_factor: dayFactor,
    energy_j_per_day: windowEnergy.joules * dayFactor,
    battery_pct_per_day: windowEnergy.batteryPct * dayFactor,
  };
}
