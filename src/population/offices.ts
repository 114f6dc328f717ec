/** An office: where an employee works, which fixes their timezone. */
export interface Office {
  readonly name: string;
  /** IANA timezone; offsets (with DST) are computed per simulated date. */
  readonly timezone: string;
}

export const DEFAULT_OFFICES: readonly Office[] = [
  { name: 'New York', timezone: 'America/New_York' },
  { name: 'San Francisco', timezone: 'America/Los_Angeles' },
  { name: 'London', timezone: 'Europe/London' },
  { name: 'Berlin', timezone: 'Europe/Berlin' },
  { name: 'Bangalore', timezone: 'Asia/Kolkata' },
  { name: 'Singapore', timezone: 'Asia/Singapore' },
  { name: 'Sydney', timezone: 'Australia/Sydney' },
  { name: 'São Paulo', timezone: 'America/Sao_Paulo' },
];

const offsetCache = new Map<string, number>();

/**
 * Minutes east of UTC in `timezone` at the UTC instant `utcMs`
 * (e.g. +330 for Asia/Kolkata). Cached: Intl formatting is slow.
 */
export function utcOffsetMinutes(timezone: string, utcMs: number): number {
  // Offsets only change on the hour in every real zone; key the cache by hour.
  const hourKey = `${timezone}@${Math.floor(utcMs / 3_600_000)}`;
  const cached = offsetCache.get(hourKey);
  if (cached !== undefined) return cached;
  const part = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(utcMs))
    .find((p) => p.type === 'timeZoneName');
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(part?.value ?? '');
  if (!m) throw new RangeError(`cannot read the UTC offset of timezone ${timezone}`);
  const offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  offsetCache.set(hourKey, offset);
  return offset;
}

/** True when the runtime knows this IANA timezone. */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
