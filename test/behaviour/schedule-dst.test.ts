/**
 * Work-day plans on days the employee's timezone switches DST: every planned local time is a
 * time on the employee's wall clock on that date (a 09:00 arrival is 09:00 on the clock), not
 * that many hours after local midnight. Instants are read back with Intl, independently of the
 * code under test.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_PARAMS, planWorkday, type ScheduleParams, type WorkdayPlan } from '../../src/behaviour/schedule/index.js';
import { createCalendar, localDayStartMs, type SimulationCalendar } from '../../src/time/index.js';
import { wallClock } from '../time/intl.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, type Employee } from '../../src/population/index.js';
import { createStream } from '../../src/random/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const EVERY_DAY: ScheduleParams = { ...DEFAULT_SCHEDULE_PARAMS, workdays: [0, 1, 2, 3, 4, 5, 6] };
/** No daily jitter and a fixed lunch: the plan's local times are known by hand. */
const FIXED: ScheduleParams = {
  ...EVERY_DAY,
  arrivalJitterSdMinutes: 0,
  lengthJitterSdMinutes: 0,
  lunchStartSdMinutes: 0,
  lunchMinMinutes: 45,
  lunchMaxMinutes: 45,
};

function employeeIn(timezone: string, index: number, habits: Partial<Employee> = {}): Employee {
  return { ...createEmployee('dst-schedule', index, DEFAULT_POPULATION_PARAMS), timezone, ...habits };
}

/** Real UTC instant of virtual time t. */
const utc = (cal: SimulationCalendar, t: number) => cal.epochUtcMs + t;

/** Every time a plan names, in order: arrival, leaving, lunch, meetings, sessions. */
function planTimes(plan: WorkdayPlan): number[] {
  return [
    plan.arriveMs,
    plan.leaveMs,
    ...(plan.lunch ? [plan.lunch.startMs, plan.lunch.endMs] : []),
    ...plan.meetings.flatMap((m) => [m.startMs, m.endMs]),
    ...plan.sessions.flatMap((s) => [s.startMs, s.endMs]),
  ];
}

// Real switches in 2026. New York and Berlin switch on Sundays (worked here by people who work
// every day); Israel switches on a Friday, a default working day.
const SWITCH_DAYS = [
  {
    name: 'New York springs forward',
    timezone: 'America/New_York',
    date: '2026-03-08',
    weekBefore: '2026-03-01',
    params: EVERY_DAY,
    arrive: Date.UTC(2026, 2, 8, 13),
    leave: Date.UTC(2026, 2, 8, 21),
    lunch: Date.UTC(2026, 2, 8, 16, 15),
    sinceMidnightH: 8,
  }, // 09:00 / 17:00 / 12:15 EDT
  {
    name: 'New York falls back',
    timezone: 'America/New_York',
    date: '2026-11-01',
    weekBefore: '2026-10-25',
    params: EVERY_DAY,
    arrive: Date.UTC(2026, 10, 1, 14),
    leave: Date.UTC(2026, 10, 1, 22),
    lunch: Date.UTC(2026, 10, 1, 17, 15),
    sinceMidnightH: 10,
  }, // EST
  {
    name: 'Berlin springs forward',
    timezone: 'Europe/Berlin',
    date: '2026-03-29',
    weekBefore: '2026-03-22',
    params: EVERY_DAY,
    arrive: Date.UTC(2026, 2, 29, 7),
    leave: Date.UTC(2026, 2, 29, 15),
    lunch: Date.UTC(2026, 2, 29, 10, 15),
    sinceMidnightH: 8,
  }, // CEST
  {
    name: 'Berlin falls back',
    timezone: 'Europe/Berlin',
    date: '2026-10-25',
    weekBefore: '2026-10-18',
    params: EVERY_DAY,
    arrive: Date.UTC(2026, 9, 25, 8),
    leave: Date.UTC(2026, 9, 25, 16),
    lunch: Date.UTC(2026, 9, 25, 11, 15),
    sinceMidnightH: 10,
  }, // CET
  {
    name: 'Jerusalem springs forward on a Friday',
    timezone: 'Asia/Jerusalem',
    date: '2026-03-27',
    weekBefore: '2026-03-20',
    params: DEFAULT_SCHEDULE_PARAMS,
    arrive: Date.UTC(2026, 2, 27, 6),
    leave: Date.UTC(2026, 2, 27, 14),
    lunch: Date.UTC(2026, 2, 27, 9, 15),
    sinceMidnightH: 8,
  }, // IDT, UTC+3
] as const;

describe('a work-day plan on a DST-switch day', () => {
  for (const c of SWITCH_DAYS) {
    it(`${c.name} (${c.date}): arrives at 09:00, lunches at 12:15–13:00 and leaves at 17:00 on the wall clock`, () => {
      const cal = createCalendar(c.date, [c.timezone]);
      const e = employeeIn(c.timezone, 0, { workStartMinutes: 9 * 60, workLengthMinutes: 8 * 60 });
      const plan = planWorkday(e, 0, cal, createStream('dst-fixed', c.date), { ...FIXED, workdays: c.params.workdays });
      expect(plan.working).toBe(true);
      expect(new Date(utc(cal, plan.arriveMs)).toISOString()).toBe(new Date(c.arrive).toISOString());
      expect(new Date(utc(cal, plan.leaveMs)).toISOString()).toBe(new Date(c.leave).toISOString());
      expect(plan.lunch && new Date(utc(cal, plan.lunch.startMs)).toISOString()).toBe(new Date(c.lunch).toISOString());
      expect(plan.lunch && plan.lunch.endMs - plan.lunch.startMs).toBe(45 * MIN);
      // The switch at 02:00/03:00 lies between midnight and 09:00: an hour less or more has passed.
      expect(plan.arriveMs - localDayStartMs(cal, c.timezone, 0)).toBe(c.sinceMidnightH * HOUR);
    });

    it(`${c.name} (${c.date}): the drawn arrival, lunch, meetings and sessions show the same wall-clock times as the same draws a week before`, () => {
      // The week before has no switch and the same weekday; the schedule stream is the same, so
      // the draws are too: every planned time must read the same on the clock.
      const switchCal = createCalendar(c.date, [c.timezone]);
      const refCal = createCalendar(c.weekBefore, [c.timezone]);
      let compared = 0;
      for (let i = 0; i < 40; i++) {
        const e = employeeIn(c.timezone, i);
        const onSwitch = planWorkday(e, 0, switchCal, createStream('dst-drawn', i), c.params);
        const before = planWorkday(e, 0, refCal, createStream('dst-drawn', i), c.params);
        expect(onSwitch.working && before.working).toBe(true);
        const a = planTimes(onSwitch).map((t) => wallClock(c.timezone, utc(switchCal, t)));
        const b = planTimes(before).map((t) => wallClock(c.timezone, utc(refCal, t)));
        expect(a.length).toBe(b.length);
        a.forEach((x, k) => {
          expect(x.date).toBe(c.date);
          expect(x.sinceMidnightMs).toBeCloseTo(b[k]!.sinceMidnightMs, 3);
        });
        compared += a.length;
      }
      expect(compared).toBeGreaterThan(40 * 20);
    });
  }
});

describe('work-day plans whose local times the clock skips or shows twice', () => {
  // Greenland switches at 01:00 UTC, 23:00 local on the Saturday: the evening's last hour is
  // skipped in March and repeated in October, inside a long working day.
  const NUUK = 'America/Nuuk';
  const lateShift = (i: number) => employeeIn(NUUK, i, { workStartMinutes: 13 * 60, workLengthMinutes: 11 * 60 });
  const LATE = { ...EVERY_DAY, arrivalJitterSdMinutes: 0, lengthJitterSdMinutes: 0 };

  it('Nuuk 2026-03-28 (23:00–24:00 skipped): a day planned until 23:54 ends at the switch, and no session lies in the skipped hour', () => {
    const cal = createCalendar('2026-03-28', [NUUK]);
    const ref = createCalendar('2026-03-21', [NUUK]);
    const switchUtc = Date.UTC(2026, 2, 29, 1);
    let lateSessionsBefore = 0;
    for (let i = 0; i < 30; i++) {
      const plan = planWorkday(lateShift(i), 0, cal, createStream('nuuk', i), LATE);
      expect(utc(cal, plan.arriveMs)).toBe(Date.UTC(2026, 2, 28, 15)); // 13:00 UTC−2
      expect(utc(cal, plan.leaveMs)).toBe(switchUtc); // 23:54 does not exist: the clock jumps to 00:00 UTC−1 then
      let prevEnd = -Infinity;
      for (const s of plan.sessions) {
        expect(s.startMs).toBeGreaterThan(prevEnd);
        expect(s.endMs).toBeGreaterThan(s.startMs);
        expect(utc(cal, s.endMs)).toBeLessThanOrEqual(switchUtc - 15_000);
        prevEnd = s.endMs;
      }
      // The same habits a week earlier do work in the 23:00 hour: the switch day is what removes it.
      const usual = planWorkday(lateShift(i), 0, ref, createStream('nuuk', i), LATE);
      lateSessionsBefore += usual.sessions.filter((s) => wallClock(NUUK, utc(ref, s.endMs)).sinceMidnightMs > 23 * HOUR).length;
    }
    expect(lateSessionsBefore).toBeGreaterThan(0);
  });

  it('Nuuk 2026-10-24 (23:00–24:00 shown twice): a day planned until 23:54 ends at its first occurrence', () => {
    const cal = createCalendar('2026-10-24', [NUUK]);
    const plan = planWorkday(lateShift(0), 0, cal, createStream('nuuk', 0), LATE);
    expect(utc(cal, plan.arriveMs)).toBe(Date.UTC(2026, 9, 24, 14)); // 13:00 UTC−1
    expect(utc(cal, plan.leaveMs)).toBe(Date.UTC(2026, 9, 25, 0, 54)); // 23:54 UTC−1, not 23:54 UTC−2
  });
});
