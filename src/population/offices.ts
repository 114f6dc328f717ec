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
