import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFICES } from '../../src/population/index.js';
import { createCalendar, isCalendarDate, localDayStartMs, localHourOfDay, parseStartDate } from '../../src/time/index.js';

const MIN = 60_000;
// 2026-03-02 is a Monday.
const cal = createCalendar(
  '2026-03-02',
  DEFAULT_OFFICES.map((o) => o.timezone),
);

describe('virtual calendar', () => {
  it('starts at local midnight of the first date in the easternmost office (Sydney, UTC+11 in March)', () => {
    expect(new Date(cal.epochUtcMs).toISOString()).toBe('2026-03-01T13:00:00.000Z');
    expect(localDayStartMs(cal, 'Australia/Sydney', 0)).toBe(0);
  });

  it('places each office’s local midnight at its UTC offset, DST included', () => {
    // New York is UTC−5 on 2 March 2026 and UTC−4 from 8 March (DST).
    expect(localDayStartMs(cal, 'America/New_York', 0)).toBe((11 + 5) * 60 * MIN);
    expect(localDayStartMs(cal, 'America/New_York', 7) - localDayStartMs(cal, 'America/New_York', 6)).toBe(23 * 60 * MIN);
  });
});

describe('calendar dates', () => {
  it('accepts dates that exist and refuses others, the same as parseStartDate', () => {
    for (const d of ['2026-03-02', '2028-02-29', '2026-12-31']) {
      expect(isCalendarDate(d)).toBe(true);
      expect(parseStartDate(d)).toBe(Date.parse(`${d}T00:00:00Z`));
    }
    for (const d of ['2026-02-29', '2026-13-01', '2026-3-2', '2026-03-02T00:00', '']) {
      expect(isCalendarDate(d)).toBe(false);
      expect(() => parseStartDate(d)).toThrow(RangeError);
    }
  });
});

describe('the hour of the day of a local instant', () => {
  it('is fractional, and wraps before the epoch', () => {
    expect(localHourOfDay(Date.UTC(2026, 2, 8, 9, 30))).toBe(9.5);
    expect(localHourOfDay(0)).toBe(0);
    expect(localHourOfDay(-30 * MIN)).toBe(23.5);
    expect(localHourOfDay(Date.UTC(2026, 2, 9) - 1)).toBeCloseTo(24, 6);
    expect(localHourOfDay(Date.UTC(2026, 2, 9) - 1)).toBeLessThan(24);
  });
});
