/**
 * IANA time zones: the UTC offset of a zone at an instant (with DST), read from the runtime's
 * Intl data. The leaf every layer uses for local time: the workforce's offices, the behaviour
 * models' working days, the agent's and the ingest service's capture hours.
 */
const offsetCache = new Map<string, number>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Offsets change only at whole quarter hours of UTC in every zone in use: most
 * switch on the hour, but America/St_Johns, Australia/Adelaide and
 * Australia/Lord_Howe switch at :30 UTC. The offset cache and the search for a
 * day's switch instant (wall-clock.ts) work in these steps.
 */
export const OFFSET_STEP_MS = 15 * 60_000;

/**
 * Minutes east of UTC in `timezone` at the UTC instant `utcMs`
 * (e.g. +330 for Asia/Kolkata). Cached per quarter hour: Intl formatting is slow.
 */
export function utcOffsetMinutes(timezone: string, utcMs: number): number {
  const key = `${timezone}@${Math.floor(utcMs / OFFSET_STEP_MS)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    formatters.set(timezone, format);
  }
  // The offset of the step's first instant, so that the cached value does not depend on which instant asked first.
  const part = format.formatToParts(new Date(Math.floor(utcMs / OFFSET_STEP_MS) * OFFSET_STEP_MS)).find((p) => p.type === 'timeZoneName');
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(part?.value ?? '');
  if (!m) throw new RangeError(`cannot read the UTC offset of timezone ${timezone}`);
  const offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  offsetCache.set(key, offset);
  return offset;
}

/**
 * Zones found valid. Building an Intl.DateTimeFormat costs about 40 µs, and enrolling a fleet asks once per
 * laptop about the same few zones. Only known zones are kept, and at most KNOWN_ZONES_MAX of them: the ingest
 * service asks about any text a client sends, and must not grow a cache from it.
 */
const knownZones = new Set<string>();
const KNOWN_ZONES_MAX = 4096;

/** True when the runtime knows this IANA timezone. */
export function isKnownTimezone(timezone: string): boolean {
  if (knownZones.has(timezone) || formatters.has(timezone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return false;
  }
  if (knownZones.size < KNOWN_ZONES_MAX) knownZones.add(timezone);
  return true;
}
