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
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createCalendar, dayWallClock, localDayStartMs } from '../../src/time/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { outsideCaptureHours } from '../../src/sweep/fast.js';
import { DIMENSIONS, runSweep } from '../../src/sweep/index.js';

const HOUR_MS = 3_600_000;

describe('capture hours on the wall clock of an employee-day', () => {
  it('puts the capture hours on the wall clock: 10:00–16:00 EDT on 2026-03-08 is 9–15 h after midnight', () => {
    const cal = createCalendar('2026-03-08', ['America/New_York']);
    const day = localDayStartMs(cal, 'America/New_York', 0);
    const clock = dayWallClock('America/New_York', day, cal.epochUtcMs);
    const rules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 10, endHour: 16 } };
    const outside = outsideCaptureHours(day, day + 36 * HOUR_MS, clock, rules).map((w) => [
      (w.startMs - day) / HOUR_MS,
      (w.endMs - day) / HOUR_MS,
    ]);
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
        employees: 3,
        activeMinutesLogMu: Math.log(40),
        offices: [{ name: 'New York', timezone: 'America/New_York' }],
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
