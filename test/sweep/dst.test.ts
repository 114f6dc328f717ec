/**
 * Local hours on days the employee's timezone switches DST: the hour is what the wall
 * clock shows at that instant, not hours since local midnight (a 23- or 25-hour day).
 * Hand-computed instants, then fast mode against the full path (agent + ingest) on
 * a switch day.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCalendar, dayWallClock, DEFAULT_POLICY_RULES, localDayStartMs, wallClockHour } from '../../src/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { outsideCaptureHours } from '../../src/sweep/fast.js';
import { DIMENSIONS, runSweep } from '../../src/sweep/index.js';

const HOUR_MS = 3_600_000;

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

  it('puts the capture hours on the wall clock: 10:00–16:00 EDT on 2026-03-08 is 9–15 h after midnight', () => {
    const cal = createCalendar('2026-03-08', ['America/New_York']);
    const day = localDayStartMs(cal, 'America/New_York', 0);
    const clock = dayWallClock('America/New_York', day, cal.epochUtcMs);
    const rules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 10, endHour: 16 } };
    const outside = outsideCaptureHours(day, day + 36 * HOUR_MS, clock, rules).map((w) => [(w.startMs - day) / HOUR_MS, (w.endMs - day) / HOUR_MS]);
    expect(merge(outside)).toEqual([
      [0, 9], // 00:00 EST – 10:00 EDT
      [15, 33], // 16:00 EDT – 10:00 EDT the next day
    ]);
  });
});

/** Sorted union of [start, end] intervals. */
function merge(intervals: number[][]): number[][] {
  const out: number[][] = [];
  for (const [a, b] of [...intervals].sort((x, y) => x[0]! - y[0]!)) {
    const last = out[out.length - 1];
    if (last && a! <= last[1]!) last[1] = Math.max(last[1]!, b!);
    else out.push([a!, b!]);
  }
  return out;
}

describe('fast mode and --full-path on a DST-switch day', () => {
  it('agree on every per-cell output, local hours and capture hours included (New York, 2026-03-08)', async () => {
    const s = resolveScenario({
      name: 'dst-fast-vs-full',
      seed: 'dst-fast-vs-full',
      fleet: {
        employees: 3, activeMinutesLogMu: Math.log(40), offices: [{ name: 'New York', timezone: 'America/New_York' }],
      },
      // The switch is on a Sunday: these people work every day.
      behaviour: { schedule: { workdays: [0, 1, 2, 3, 4, 5, 6] } },
      simulation: { days: 1, startDate: '2026-03-08' },
      transport: 'null',
      policy: { captureHours: { startHour: 10, endHour: 16 } },
      sweep: { replicas: 1, policy: { pauseCapMinutes: [30] } },
    });
    const fast = await runSweep(s, { mode: 'fast', workers: 0 });
    const full = await runSweep(s, { mode: 'full-path', workers: 1, reportDir: mkdtempSync(join(tmpdir(), 'fleetsim-sweep-dst-')) });
    const rf = fast.cells[0]!.replicas[0]!;
    const rp = full.cells[0]!.replicas[0]!;
    expect(rp.produced).toBe(rf.produced);
    expect(rp.captured).toBe(rf.captured);
    expect(rp.captured_active_hours_per_employee).toBe(rf.captured_active_hours_per_employee);
    for (const d of DIMENSIONS) {
      expect(rp.groups[d], d).toEqual(rf.groups[d]);
      expect(rp.tvd[d], d).toBe(rf.tvd[d]);
    }
    // What the agent and the service stored is all within 10:00–16:00 on the wall clock, and some of it in each hour.
    const local = full.cells[0]!.groups.local_hour!;
    for (const g of local) if (Number(g.group) < 10 || Number(g.group) >= 16) expect(g.yield.mean, g.group).toBe(0);
    for (let h = 10; h < 16; h++) expect(local.find((g) => g.group === String(h))?.yield.mean, String(h)).toBeGreaterThan(0);
  }, 60_000);
});
