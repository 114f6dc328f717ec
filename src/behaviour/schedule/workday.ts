import type { Employee } from '../../population/index.js';
import { clamp, lognormal, normal, standardNormal, uniform, type RandomStream } from '../../random/index.js';
import {
  dayWallClock,
  localDayStartMs,
  localWeekday,
  virtualMsAtWallClock,
  type DayWallClock,
  type SimulationCalendar,
} from '../../time/index.js';

export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * One employee's day: when they are at work, away, in meetings, and when they use the laptop.
 * All times are virtual ms, at the local times planned as the employee's wall clock shows them
 * (DST-switch days included).
 */
export interface WorkdayPlan {
  readonly day: number;
  readonly weekday: number;
  /** Virtual ms of local midnight. */
  readonly dayStartMs: number;
  /** The employee's wall clock over the day (its UTC offsets and the switch between them, if any). */
  readonly wallClock: DayWallClock;
  readonly working: boolean;
  readonly arriveMs: number;
  readonly leaveMs: number;
  readonly lunch: Interval | null;
  readonly meetings: readonly Interval[];
  /** Stretches of continuous input (sorted, non-overlapping): the behaviour models fill them. */
  readonly sessions: readonly Interval[];
  readonly targetActiveMinutes: number;
}

/** Assumptions on the shape of a working day (BEHAVIOUR.md, active minutes row). */
export interface ScheduleParams {
  /** Local weekdays worked (0 Sunday … 6 Saturday). */
  readonly workdays: readonly number[];
  readonly arrivalJitterSdMinutes: number;
  readonly lengthJitterSdMinutes: number;
  readonly lunchStartMeanMinutes: number;
  readonly lunchStartSdMinutes: number;
  readonly lunchMinMinutes: number;
  readonly lunchMaxMinutes: number;
  /** Activity session length, LogNormal(ln median, sigma) minutes, clipped to [1, max]. */
  readonly sessionMedianMinutes: number;
  readonly sessionLogSigma: number;
  readonly sessionMaxMinutes: number;
  /** Relative activity by local hour 0–23: morning and afternoon peaks, afternoon about 10–15 % lower. */
  readonly hourlyActivity: readonly number[];
  /** Activity inside meetings relative to desk time (WTI: meetings at 20–40 % activity). */
  readonly meetingActivity: number;
  /** Friday active time relative to other days (assumption: −10 %). */
  readonly fridayFactor: number;
  readonly meetingMinutesChoices: readonly number[];
}

export const DEFAULT_SCHEDULE_PARAMS: ScheduleParams = {
  workdays: [1, 2, 3, 4, 5],
  arrivalJitterSdMinutes: 15,
  lengthJitterSdMinutes: 20,
  lunchStartMeanMinutes: 12 * 60 + 15,
  lunchStartSdMinutes: 20,
  lunchMinMinutes: 30,
  lunchMaxMinutes: 60,
  sessionMedianMinutes: 6,
  sessionLogSigma: 0.8,
  sessionMaxMinutes: 60,
  hourlyActivity: [
    0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.1, 0.8, 0.85, 0.95, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3,
  ],
  meetingActivity: 0.3,
  fridayFactor: 0.9,
  meetingMinutesChoices: [30, 30, 60],
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * One employee's plan for simulated day `day`. Times are drawn in local minutes (09:00 is 540)
 * and placed where the employee's wall clock shows them on that date: on a DST-switch day a
 * 09:00 arrival is 09:00 on the clock, not nine hours after midnight. The draws do not depend
 * on the clock, so a day without a switch is planned exactly as in minutes since midnight.
 */
export function planWorkday(employee: Employee, day: number, cal: SimulationCalendar, s: RandomStream, p: ScheduleParams): WorkdayPlan {
  const dayStartMs = localDayStartMs(cal, employee.timezone, day);
  const weekday = localWeekday(cal, day);
  // Draw the day's active-time factor before branching so a day's draws do not depend on whether it is worked.
  const zActive = standardNormal(s);
  // The day's two UTC offsets and the switch between them, once per employee-day.
  const clock = dayWallClock(employee.timezone, dayStartMs, cal.epochUtcMs);
  if (!p.workdays.includes(weekday)) {
    return {
      day,
      weekday,
      dayStartMs,
      wallClock: clock,
      working: false,
      arriveMs: dayStartMs,
      leaveMs: dayStartMs,
      lunch: null,
      meetings: [],
      sessions: [],
      targetActiveMinutes: 0,
    };
  }
  const arriveMin = clamp(employee.workStartMinutes + normal(s, 0, p.arrivalJitterSdMinutes), 4 * 60, 13 * 60);
  const lengthMin = clamp(employee.workLengthMinutes + normal(s, 0, p.lengthJitterSdMinutes), 4 * 60, 12 * 60);
  const leaveMin = Math.min(arriveMin + lengthMin, 23.9 * 60);
  const wallMidnightMs = cal.startDateUtcMs + day * DAY_MS;
  const atLocalMs = (sinceMidnightMs: number) => virtualMsAtWallClock(clock, wallMidnightMs, sinceMidnightMs);
  const toMs = (localMinute: number) => atLocalMs(localMinute * MINUTE_MS);
  const switches = clock.switchMs !== Infinity;
  // Minute slots on whole local clock minutes: active minutes are counted on clock minutes.
  const firstSlotMin = Math.ceil(arriveMin);
  const slots = Math.max(1, Math.floor(leaveMin) - firstSlotMin);

  const lunchStart = clamp(normal(s, p.lunchStartMeanMinutes, p.lunchStartSdMinutes), arriveMin + 60, leaveMin - 60);
  const lunchLen = uniform(s, p.lunchMinMinutes, p.lunchMaxMinutes);
  const hasLunch = leaveMin - arriveMin > 5 * 60;

  // Meetings: whole blocks on the half hour, avoiding lunch.
  const meetings: Interval[] = [];
  let meetingMinutes = employee.meetingHoursPerDay * 60 * lognormal(s, 0, 0.3);
  for (let tries = 0; meetingMinutes >= 15 && tries < 40; tries++) {
    const len = p.meetingMinutesChoices[Math.floor(s.next() * p.meetingMinutesChoices.length)] as number;
    const startMin = Math.ceil(uniform(s, arriveMin, leaveMin - len) / 30) * 30;
    const endMin = startMin + len;
    if (endMin > leaveMin) continue;
    if (hasLunch && startMin < lunchStart + lunchLen && endMin > lunchStart) continue;
    if (meetings.some((m) => startMin * MINUTE_MS < m.endMs && endMin * MINUTE_MS > m.startMs)) continue;
    meetings.push({ startMs: startMin * MINUTE_MS, endMs: endMin * MINUTE_MS });
    meetingMinutes -= len;
  }
  meetings.sort((a, b) => a.startMs - b.startMs);

  // Weight of each minute of the working day for session placement.
  const weights = new Float64Array(slots);
  let capacity = 0;
  for (let i = 0; i < slots; i++) {
    const minute = firstSlotMin + i;
    let w = p.hourlyActivity[Math.floor(minute / 60) % 24] ?? 1;
    // A slot that does not last one real minute holds a DST switch: it is in the skipped hour
    // (no time at all) or runs into the repeated one (61 minutes). No session covers it, so a
    // session lasts as many real minutes as it has slots.
    if (switches && toMs(minute + 1) - toMs(minute) !== MINUTE_MS) w = 0;
    // A slot touching lunch at all is away: sessions never overlap it.
    if (hasLunch && minute + 1 > lunchStart && minute < lunchStart + lunchLen) w = 0;
    else if (meetings.some((m) => minute * MINUTE_MS >= m.startMs && minute * MINUTE_MS < m.endMs)) w *= p.meetingActivity;
    weights[i] = w;
    if (w > 0) capacity++;
  }
  const dayFactor = weekday === 5 ? p.fridayFactor : 1;
  const wanted = Math.exp(employee.activeMinutesLogMu + employee.activeMinutesDayLogSigma * zActive) * dayFactor;
  const target = Math.min(wanted, capacity * 0.85);
  const sessions = placeSessions(s, weights, target, p);

  return {
    day,
    weekday,
    dayStartMs,
    wallClock: clock,
    working: true,
    arriveMs: toMs(arriveMin),
    leaveMs: toMs(leaveMin),
    lunch: hasLunch ? { startMs: toMs(lunchStart), endMs: toMs(lunchStart + lunchLen) } : null,
    meetings: meetings.map((m) => ({ startMs: atLocalMs(m.startMs), endMs: atLocalMs(m.endMs) })),
    sessions: sessions.map((x) => ({
      // Start a few seconds into the first minute and stop early enough in the last one that the
      // action in progress (a burst, a movement) ends inside it: the minutes a session touches,
      // which is how active minutes are measured from events, then equal its length in minutes.
      startMs: toMs(firstSlotMin + x.start) + uniform(s, 0, 5_000),
      endMs: toMs(firstSlotMin + x.start + x.length) - uniform(s, 15_000, 20_000),
    })),
    targetActiveMinutes: target,
  };
}

/** Sessions as [start slot, length] over free minute slots, drawn by weight until `target` minutes are placed. */
function placeSessions(s: RandomStream, weights: Float64Array, target: number, p: ScheduleParams): { start: number; length: number }[] {
  const n = weights.length;
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += weights[i] as number;
  const occupied = new Uint8Array(n);
  const out: { start: number; length: number }[] = [];
  let placed = 0;
  for (let tries = 0; placed < target - 0.5 && tries < 4000 && total > 0; tries++) {
    const want = Math.min(
      Math.max(1, Math.round(clamp(lognormal(s, Math.log(p.sessionMedianMinutes), p.sessionLogSigma), 1, p.sessionMaxMinutes))),
      Math.max(1, Math.round(target - placed)),
    );
    const start = upperBound(cumulative, s.next() * total);
    // Keep a free minute on each side so sessions stay distinct.
    if (occupied[start] || (start > 0 && occupied[start - 1]) || weights[start] === 0) continue;
    let length = 0;
    while (
      length < want &&
      start + length < n &&
      !occupied[start + length + 1] &&
      !occupied[start + length] &&
      weights[start + length]! > 0
    )
      length++;
    if (length === 0) continue;
    for (let i = start; i < start + length; i++) occupied[i] = 1;
    out.push({ start, length });
    placed += length;
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

function upperBound(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
