import { OFFSET_STEP_MS, utcOffsetMinutes } from './zones.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A day of work, from local midnight, fits in 36 h. */
const WALL_CLOCK_SPAN_MS = 36 * HOUR_MS;

/**
 * The wall clock of one employee-day. The local hour of an event is the hour the
 * employee's clock shows at that instant (what the agent and the ingest service judge
 * capture hours by), not hours since local midnight: the two differ after a DST switch
 * (a 23- or 25-hour day). Offsets change at most once in a 36-hour window in every real
 * zone, so a day needs two shifts and the instant between them, found once per day.
 */
export interface DayWallClock {
  /** Virtual ms + shift = local wall-clock ms (epoch + UTC offset), before switchMs and from it on. */
  readonly beforeMs: number;
  readonly afterMs: number;
  /** Virtual ms of the offset change; Infinity when the window has none. */
  readonly switchMs: number;
}

/** The wall clock of `timezone` over [fromMs, fromMs + spanMs) (virtual ms; a day of work fits in 36 h). */
export function dayWallClock(timezone: string, fromMs: number, epochUtcMs: number, spanMs = WALL_CLOCK_SPAN_MS): DayWallClock {
  const u0 = fromMs + epochUtcMs;
  const u1 = u0 + spanMs;
  const before = utcOffsetMinutes(timezone, u0);
  const after = utcOffsetMinutes(timezone, u1);
  const beforeMs = epochUtcMs + before * MINUTE_MS;
  if (before === after) return { beforeMs, afterMs: beforeMs, switchMs: Infinity };
  // utcOffsetMinutes is one value per quarter hour of UTC (offsets change only there): bisect quarter hours.
  let lo = Math.floor(u0 / OFFSET_STEP_MS);
  let hi = Math.floor(u1 / OFFSET_STEP_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetMinutes(timezone, mid * OFFSET_STEP_MS) === before) lo = mid;
    else hi = mid;
  }
  return { beforeMs, afterMs: epochUtcMs + after * MINUTE_MS, switchMs: hi * OFFSET_STEP_MS - epochUtcMs };
}

/** Hour of the day, fractional (0 to < 24), of an instant in local wall-clock ms (UTC ms + the zone's offset). */
export function localHourOfDay(localMs: number): number {
  return (((localMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Local wall-clock hour (0–23) at virtual time tMs. */
export function wallClockHour(c: DayWallClock, tMs: number): number {
  const local = tMs + (tMs < c.switchMs ? c.beforeMs : c.afterMs);
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/**
 * Virtual ms at which clock `c` shows the local time `sinceMidnightMs` past the midnight that
 * starts a local date, `wallMidnightMs` being that midnight in local wall-clock ms (the date's
 * Date.UTC, as `c`'s shifts count them). On a DST-switch day two local times are special:
 * - one in the hour a spring-forward switch skips maps to the switch instant, when the clock
 *   jumps past it (New York 2026-03-08: 02:30 → the instant 03:00 EDT);
 * - one in the hour a fall-back switch repeats maps to its first occurrence (Berlin
 *   2026-10-25: 02:30 → 02:30 CEST, not CET).
 * Why these: both keep the mapping non-decreasing in local time, so a day planned in local
 * minutes keeps its order on the real clock (arrival before leaving, sessions sorted and
 * apart), and someone who means to act at 02:30 does so as soon as the clock has reached it.
 * (Temporal's 'compatible' choice also takes the first occurrence but moves a skipped time on
 * by the gap, 02:30 → 03:30, which would put it after 03:10.)
 */
export function virtualMsAtWallClock(c: DayWallClock, wallMidnightMs: number, sinceMidnightMs: number): number {
  // Grouped as (midnight − shift) + time: without a switch that is localDayStartMs + time, the
  // same floating-point operations as planning in time since midnight (identical plans).
  const early = wallMidnightMs - c.beforeMs + sinceMidnightMs;
  if (early < c.switchMs) return early;
  const late = wallMidnightMs - c.afterMs + sinceMidnightMs;
  return late >= c.switchMs ? late : c.switchMs;
}
