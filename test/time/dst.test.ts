/**
 * Wall clocks on days a timezone switches DST: the local hour of an instant is what the clock
 * shows then, not hours since local midnight (a 23- or 25-hour day); local times the clock
 * skips or shows twice; zones that switch at half past a UTC hour; dates without a midnight.
 * Instants are hand-computed or read back with Intl, independently of the code under test.
 */
import { describe, expect, it } from 'vitest';
import {
  createCalendar,
  dayWallClock,
  localDayStartMs,
  virtualMsAtWallClock,
  wallClockHour,
  type SimulationCalendar,
} from '../../src/time/index.js';
import { wallClock } from './intl.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const HOUR_MS = HOUR;

/** Real UTC instant of virtual time t. */
const utc = (cal: SimulationCalendar, t: number) => cal.epochUtcMs + t;

describe('the wall-clock hour of an employee-day', () => {
  it('New York, 2026-03-08 (springs forward at 02:00 EST = 07:00 UTC): after the switch, hours since midnight + 1', () => {
    const cal = createCalendar('2026-03-08', ['America/New_York']);
    // A fleet west of UTC starts its virtual time at UTC midnight; local midnight is 05:00 UTC.
    expect(cal.epochUtcMs).toBe(Date.UTC(2026, 2, 8));
    const day = localDayStartMs(cal, 'America/New_York', 0);
    expect(day).toBe(5 * HOUR_MS);
    const clock = dayWallClock('America/New_York', day, cal.epochUtcMs);
    expect(clock.switchMs).toBe(day + 2 * HOUR_MS);
    expect(wallClockHour(clock, day + 1.5 * HOUR_MS)).toBe(1); // 06:30 UTC = 01:30 EST
    expect(wallClockHour(clock, day + 2.5 * HOUR_MS)).toBe(3); // 07:30 UTC = 03:30 EDT (02:30 does not exist that day)
    expect(wallClockHour(clock, day + 9.25 * HOUR_MS)).toBe(10); // 14:15 UTC = 10:15 EDT
    expect(wallClockHour(clock, day + 23.5 * HOUR_MS)).toBe(0); // 04:30 UTC on the 9th = 00:30 EDT, the next day
  });

  it('Berlin, 2026-10-25 (falls back at 03:00 CEST = 01:00 UTC): after the switch, hours since midnight − 1', () => {
    const cal = createCalendar('2026-10-25', ['Europe/Berlin']);
    expect(cal.epochUtcMs).toBe(Date.UTC(2026, 9, 24, 22));
    const day = localDayStartMs(cal, 'Europe/Berlin', 0);
    expect(day).toBe(0);
    const clock = dayWallClock('Europe/Berlin', day, cal.epochUtcMs);
    expect(clock.switchMs).toBe(3 * HOUR_MS);
    expect(wallClockHour(clock, 2.5 * HOUR_MS)).toBe(2); // 00:30 UTC = 02:30 CEST
    expect(wallClockHour(clock, 3.5 * HOUR_MS)).toBe(2); // 01:30 UTC = 02:30 CET, the same hour again
    expect(wallClockHour(clock, 10.5 * HOUR_MS)).toBe(9); // 08:30 UTC = 09:30 CET
    expect(wallClockHour(clock, 24.5 * HOUR_MS)).toBe(23); // 22:30 UTC = 23:30 CET
  });

  it('has no switch on an ordinary day', () => {
    const cal = createCalendar('2026-03-03', ['America/New_York']);
    const day = localDayStartMs(cal, 'America/New_York', 0);
    const clock = dayWallClock('America/New_York', day, cal.epochUtcMs);
    expect(clock.switchMs).toBe(Infinity);
    expect(wallClockHour(clock, day + 9.25 * HOUR_MS)).toBe(9);
  });
});

describe('local times the clock skips or shows twice', () => {
  it('New York 2026-03-08: 02:00–02:59 do not exist and map to the switch instant (03:00 EDT = 07:00 UTC)', () => {
    const cal = createCalendar('2026-03-08', ['America/New_York']);
    const clock = dayWallClock('America/New_York', localDayStartMs(cal, 'America/New_York', 0), cal.epochUtcMs);
    const at = (h: number, m: number) => utc(cal, virtualMsAtWallClock(clock, Date.UTC(2026, 2, 8), (h * 60 + m) * MIN));
    expect(at(1, 59)).toBe(Date.UTC(2026, 2, 8, 6, 59)); // 01:59 EST
    expect(at(2, 0)).toBe(Date.UTC(2026, 2, 8, 7));
    expect(at(2, 30)).toBe(Date.UTC(2026, 2, 8, 7));
    expect(at(2, 59)).toBe(Date.UTC(2026, 2, 8, 7));
    expect(at(3, 0)).toBe(Date.UTC(2026, 2, 8, 7)); // 03:00 EDT
    expect(at(3, 1)).toBe(Date.UTC(2026, 2, 8, 7, 1));
  });

  it('Berlin 2026-10-25: 02:00–02:59 happen twice and map to the first time (CEST); 03:00 is CET', () => {
    const cal = createCalendar('2026-10-25', ['Europe/Berlin']);
    const clock = dayWallClock('Europe/Berlin', localDayStartMs(cal, 'Europe/Berlin', 0), cal.epochUtcMs);
    const at = (h: number, m: number) => utc(cal, virtualMsAtWallClock(clock, Date.UTC(2026, 9, 25), (h * 60 + m) * MIN));
    expect(at(1, 30)).toBe(Date.UTC(2026, 9, 24, 23, 30)); // 01:30 CEST
    expect(at(2, 30)).toBe(Date.UTC(2026, 9, 25, 0, 30)); // 02:30 CEST, not 01:30 UTC (02:30 CET)
    expect(at(2, 59)).toBe(Date.UTC(2026, 9, 25, 0, 59));
    expect(at(3, 0)).toBe(Date.UTC(2026, 9, 25, 2)); // 03:00 CET
  });

  it('is local midnight + time on a day without a switch', () => {
    const cal = createCalendar('2026-03-03', ['America/New_York']);
    const day = localDayStartMs(cal, 'America/New_York', 0);
    const clock = dayWallClock('America/New_York', day, cal.epochUtcMs);
    for (const t of [0, 2.5 * HOUR, 9.25 * HOUR + 1234.5, 23.9 * HOUR])
      expect(virtualMsAtWallClock(clock, Date.UTC(2026, 2, 3), t)).toBe(day + t);
  });
});

describe('zones that switch at half past a UTC hour', () => {
  // St John's and Adelaide change offset at :30 UTC, Lord Howe by 30 minutes at :30 UTC: the clock must find the
  // switch to the minute, whatever instant was asked first (the offset cache is per quarter hour of UTC).
  const cases = [
    { timezone: 'America/St_Johns', date: '2026-03-08' },
    { timezone: 'America/St_Johns', date: '2026-11-01' },
    { timezone: 'Australia/Adelaide', date: '2026-04-05' },
    { timezone: 'Australia/Adelaide', date: '2026-10-04' },
    { timezone: 'Australia/Lord_Howe', date: '2026-04-05' },
    { timezone: 'Australia/Lord_Howe', date: '2026-10-04' },
  ];
  for (const c of cases) {
    it(`${c.timezone} ${c.date}: the wall-clock hour of every minute of the day, and each local time's instant, agree with Intl`, () => {
      const cal = createCalendar(c.date, [c.timezone]);
      const dayStart = localDayStartMs(cal, c.timezone, 0);
      const clock = dayWallClock(c.timezone, dayStart, cal.epochUtcMs);
      expect(clock.switchMs).toBeLessThan(Infinity);
      const wrong: string[] = [];
      for (let t = dayStart; t < dayStart + 24 * HOUR; t += MIN) {
        const shown = Math.floor(wallClock(c.timezone, utc(cal, t)).sinceMidnightMs / HOUR);
        if (wallClockHour(clock, t) !== shown) wrong.push(new Date(utc(cal, t)).toISOString());
      }
      expect(wrong).toEqual([]);
      // 05:00 to 20:00 exist once on every switch day here: each maps to the instant the clock shows it.
      const midnight = Date.parse(`${c.date}T00:00:00Z`);
      for (let m = 5 * 60; m < 20 * 60; m += 7) {
        const t = virtualMsAtWallClock(clock, midnight, m * MIN);
        expect(wallClock(c.timezone, utc(cal, t))).toEqual({ date: c.date, sinceMidnightMs: m * MIN });
      }
    });
  }
});

describe('days whose local midnight does not exist', () => {
  for (const c of [
    { timezone: 'America/Havana', date: '2026-03-08' },
    { timezone: 'America/Santiago', date: '2026-09-06' },
  ]) {
    it(`${c.timezone} ${c.date}: the day starts when the clock first shows the date (01:00), not at 23:00 the day before`, () => {
      const cal = createCalendar(c.date, [c.timezone]);
      const start = localDayStartMs(cal, c.timezone, 0);
      expect(wallClock(c.timezone, utc(cal, start))).toEqual({ date: c.date, sinceMidnightMs: HOUR });
      expect(wallClock(c.timezone, utc(cal, start - 1)).date).not.toBe(c.date);
      // The next day has a midnight: it starts there.
      expect(wallClock(c.timezone, utc(cal, localDayStartMs(cal, c.timezone, 1))).sinceMidnightMs).toBe(0);
    });
  }
});
