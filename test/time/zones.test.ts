import { describe, expect, it } from 'vitest';
import { isKnownTimezone, utcOffsetMinutes } from '../../src/time/index.js';

describe('isKnownTimezone', () => {
  it('answers as Intl does, the same on every call', () => {
    const intlKnows = (tz: string) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    };
    const zones = ['Europe/Berlin', 'America/St_Johns', 'UTC', 'europe/berlin', 'Mars/Olympus_Mons', '', 'Europe/Berlin ', 'GMT'];
    for (let round = 0; round < 3; round++) for (const tz of zones) expect(isKnownTimezone(tz), tz).toBe(intlKnows(tz));
  });

  it('knows a zone whose offsets were read first', () => {
    expect(utcOffsetMinutes('Asia/Kathmandu', Date.UTC(2026, 0, 1))).toBe(345);
    expect(isKnownTimezone('Asia/Kathmandu')).toBe(true);
  });

  it('keeps refusing unknown names, however many are asked about', () => {
    for (let i = 0; i < 1000; i++) expect(isKnownTimezone(`Nowhere/Zone_${i}`)).toBe(false);
    expect(isKnownTimezone('Nowhere/Zone_0')).toBe(false);
    expect(isKnownTimezone('Australia/Lord_Howe')).toBe(true);
  });
});
