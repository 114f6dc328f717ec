import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFICES } from '../../src/population/index.js';
import { createCalendar, localDayStartMs } from '../../src/time/index.js';

const MIN = 60_000;
// 2026-03-02 is a Monday.
const cal = createCalendar('2026-03-02', DEFAULT_OFFICES.map((o) => o.timezone));

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
