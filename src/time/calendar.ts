import { utcOffsetMinutes } from './zones.js';

/**
 * Virtual time. t_ms = 0 is midnight at the start of the simulation's first
 * date in the fleet's easternmost timezone, so every employee's first local
 * day starts at t_ms >= 0. summary outputs record epochUtcMs so any t_ms maps
 * back to a real instant (epochUtcMs + t_ms).
 */
export interface SimulationCalendar {
  /** UTC ms of virtual t = 0. */
  readonly epochUtcMs: number;
  /** UTC ms of midnight UTC on the first simulated date. */
  readonly startDateUtcMs: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** True when `s` is an ISO calendar date (YYYY-MM-DD) that exists. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Parses an ISO calendar date (YYYY-MM-DD) to UTC midnight, or throws RangeError. */
export function parseStartDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`start date must look like 2026-03-02, got "${date}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) {
    throw new RangeError(`start date ${date} is not a calendar date`);
  }
  return ms;
}

export function createCalendar(startDate: string, timezones: readonly string[]): SimulationCalendar {
  const startDateUtcMs = parseStartDate(startDate);
  let maxOffset = 0;
  for (const tz of new Set(timezones)) maxOffset = Math.max(maxOffset, utcOffsetMinutes(tz, startDateUtcMs));
  return { epochUtcMs: startDateUtcMs - maxOffset * MINUTE_MS, startDateUtcMs };
}

/**
 * Virtual ms of the first instant of simulated day `day` (0-based) in `timezone`: local midnight,
 * or, where the clock jumps past midnight (America/Havana 2026-03-08, America/Santiago 2026-09-06),
 * the jump, when the clock first shows that date.
 */
export function localDayStartMs(cal: SimulationCalendar, timezone: string, day: number): number {
  const utcMidnight = cal.startDateUtcMs + day * DAY_MS;
  // The offset at local midnight: evaluate at UTC midnight minus the offset found there (a fixed point for real zones).
  const guess = utcOffsetMinutes(timezone, utcMidnight);
  const offset = utcOffsetMinutes(timezone, utcMidnight - guess * MINUTE_MS);
  const start = utcMidnight - offset * MINUTE_MS;
  const shown = utcOffsetMinutes(timezone, start);
  if (shown === offset) return start - cal.epochUtcMs;
  // The clock at `start` still shows the day before, on the old offset: midnight is skipped, and the date begins
  // when the old offset reaches it.
  return utcMidnight - shown * MINUTE_MS - cal.epochUtcMs;
}

/** Day of the week (0 Sunday … 6 Saturday) of simulated day `day` in local terms. */
export function localWeekday(cal: SimulationCalendar, day: number): number {
  return new Date(cal.startDateUtcMs + day * DAY_MS).getUTCDay();
}
