/**
 * The full path's per-cell figures, from what the agent path accounted for
 * and what the ingest service stored — not from the policy code fast mode uses:
 *
 * - overall yield, exempt share, pauses per employee-day, and yield by
 *   department, role and timezone: the run's per-laptop rows (each laptop's
 *   ledger: captured = produced − dropped_paused − dropped_exempt − lost − spooled);
 * - yield by UTC and local hour and by activity type, and captured active
 *   hours: the events in the service's store (decoded, per device) against the
 *   events the employees produced. Produced events are generated again from
 *   the same seed (behaviour is deterministic; their total must equal the
 *   ledger's `produced`, checked).
 *
 * The store holds exactly the captured events only when the agent does not
 * merge mouse moves, so full-path sweeps run the agent with coalescing off
 * (FULL_PATH_COALESCE). Coalescing decides how moves are stored, never whether
 * they are captured, so none of the sweep's figures depend on it.
 */
import { join } from 'node:path';
import { simulateEmployeeDay } from '../behaviour/index.js';
import { createCalendar, dayWallClock, localDayStartMs, wallClockHour, type DayWallClock, type SimulationCalendar } from '../time/index.js';
import { EXIT_CODES, FleetsimError } from '../errors.js';
import { openStore } from '../ingest/index.js';
import { createEmployee, employeeId, employeeOffice } from '../population/index.js';
import type { FleetRunResult, LaptopRow } from '../run/index.js';
import type { Scenario } from '../scenario/index.js';
import { decodeBatch, decompress } from '../wire/index.js';
import { ACTIVITY_OF_TYPE, ACTIVITY_TYPES, addGroup, emptyTally, type CellTally } from './tally.js';

export const FULL_PATH_COALESCE = { mode: 'none' } as const;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DAY_WINDOW_MS = 36 * HOUR_MS;

/** Per device, counts by [utc hour][activity] and [local hour][activity], and the set of minutes with events. */
interface DeviceCounts {
  readonly utc: Float64Array;
  readonly local: Float64Array;
  readonly minutes: Set<number>;
  total: number;
}

const emptyCounts = (): DeviceCounts => ({ utc: new Float64Array(24 * 3), local: new Float64Array(24 * 3), minutes: new Set(), total: 0 });

/**
 * Adds one event (virtual ms since the epoch, whole ms) of an employee's day
 * whose wall clock is `clock`: hours as fast mode reckons them (UTC hour of day;
 * local hour = the employee's wall-clock hour at that instant; minute since the epoch).
 */
function count(c: DeviceCounts, tMs: number, type: number, clock: DayWallClock, epochUtcMs: number): void {
  const a = ACTIVITY_OF_TYPE[type] as number;
  const utcH = Math.floor(((((tMs + epochUtcMs) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  const localH = wallClockHour(clock, tMs);
  c.utc[utcH * 3 + a]! += 1;
  c.local[localH * 3 + a]! += 1;
  c.minutes.add(Math.floor(tMs / MINUTE_MS));
  c.total++;
}

/** The same scenario and seed's produced events again, counted per employee. */
export function producedCounts(s: Scenario, seed: string, calendar: SimulationCalendar): DeviceCounts[] {
  const env = { seed, calendar, behaviour: s.behaviour, pauseTraits: s.population.pause, rules: s.rules };
  const out: DeviceCounts[] = [];
  for (let i = 0; i < s.fleet.employees; i++) {
    const e = createEmployee(seed, i, s.population);
    const c = emptyCounts();
    for (let d = 0; d < s.simulation.days; d++) {
      const clock = dayWallClock(e.timezone, localDayStartMs(calendar, e.timezone, d), calendar.epochUtcMs, DAY_WINDOW_MS);
      // The agent gates on whole milliseconds and the wire carries them: count the rounded time.
      simulateEmployeeDay(e, d, env, { push: (t: number, type: number) => count(c, Math.round(t), type, clock, calendar.epochUtcMs) });
    }
    out.push(c);
  }
  return out;
}

/**
 * The cell-replica's tally from one `fleetsim run` over HTTP: its per-laptop
 * rows, its ingest store, and the produced events counted again.
 */
export function tallyFromRun(
  s: Scenario,
  laptops: readonly LaptopRow[],
  produced: readonly DeviceCounts[],
  stored: readonly DeviceCounts[],
): CellTally {
  const t = emptyTally();
  const timezoneOf = new Map(s.population.offices.map((o) => [o.name, o.timezone]));
  laptops.forEach((x) => {
    const captured = x.produced - x.dropped_paused - x.dropped_exempt - x.lost - x.spooled;
    t.employees++;
    if (x.exempt) t.exempt++;
    t.workedDays += x.days_worked;
    t.pauses += x.pauses;
    t.pausedMinutes += x.paused_minutes;
    t.produced += x.produced;
    t.captured += captured;
    t.activeMinutes += x.active_minutes;
    addGroup(t.groups.department, x.department, x.produced, captured);
    addGroup(t.groups.role, x.role, x.produced, captured);
    addGroup(t.groups.timezone, timezoneOf.get(x.office) ?? x.office, x.produced, captured);
  });
  produced.forEach((p, i) => {
    const c = stored[i] ?? emptyCounts();
    t.capturedActiveMinutes += c.minutes.size;
    const activity = [
      [0, 0],
      [0, 0],
      [0, 0],
    ] as [number, number][];
    for (let h = 0; h < 24; h++) {
      let pl = 0;
      let cl = 0;
      let pu = 0;
      let cu = 0;
      for (let a = 0; a < 3; a++) {
        pl += p.local[h * 3 + a]!;
        cl += c.local[h * 3 + a]!;
        pu += p.utc[h * 3 + a]!;
        cu += c.utc[h * 3 + a]!;
        activity[a]![0] += p.local[h * 3 + a]!;
        activity[a]![1] += c.local[h * 3 + a]!;
      }
      if (pl > 0 || cl > 0) addGroup(t.groups.local_hour, String(h), pl, cl);
      if (pu > 0 || cu > 0) addGroup(t.groups.utc_hour, String(h), pu, cu);
    }
    ACTIVITY_TYPES.forEach((name, a) => addGroup(t.groups.activity, name, activity[a]![0], activity[a]![1]));
  });
  return t;
}

/** Reads back a finished full-path run (its fleet result, and the ingest.sqlite in its folder) into a tally. */
export async function fullPathTally(
  s: Scenario,
  seed: string,
  run: { readonly reportDir: string; readonly fleet: FleetRunResult },
): Promise<CellTally> {
  const reportDir = run.reportDir;
  const laptops = run.fleet.laptops;
  const calendar = createCalendar(
    s.simulation.startDate,
    s.population.offices.map((o) => o.timezone),
  );
  const produced = producedCounts(s, seed, calendar);
  const ledgerProduced = laptops.reduce((a, x) => a + x.produced, 0);
  const replayed = produced.reduce((a, x) => a + x.total, 0);
  if (replayed !== ledgerProduced) {
    throw new FleetsimError(
      'INTERNAL',
      `the full path's replay produced ${replayed} events where the run's ledger says ${ledgerProduced}: behaviour is no longer deterministic in (seed, employee, day)`,
      EXIT_CODES.internal,
    );
  }
  const store = await openStore(`sqlite:${join(reportDir, 'ingest.sqlite')}`);
  const stored: DeviceCounts[] = [];
  try {
    for (let i = 0; i < s.fleet.employees; i++) {
      const timezone = employeeOffice(seed, i, s.population).timezone;
      const starts = Array.from({ length: s.simulation.days }, (_, d) => localDayStartMs(calendar, timezone, d));
      const clocks = starts.map((start) => dayWallClock(timezone, start, calendar.epochUtcMs, DAY_WINDOW_MS));
      const c = emptyCounts();
      for (const row of await store.listBatches(employeeId(i))) {
        const b = decodeBatch(decompress(row.payloadCodec, row.payload, { maxOutputBytes: 256 << 20 })).events;
        for (let k = 0; k < b.length; k++) {
          const tMs = (b.t_ms[k] as number) - calendar.epochUtcMs;
          // The day an event belongs to: the last one that started before it.
          let d = starts.length - 1;
          while (d > 0 && starts[d]! > tMs) d--;
          count(c, tMs, b.type[k] as number, clocks[d]!, calendar.epochUtcMs);
        }
      }
      stored.push(c);
    }
  } finally {
    await store.close();
  }
  return tallyFromRun(s, laptops, produced, stored);
}
