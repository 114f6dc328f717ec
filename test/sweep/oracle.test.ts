/**
 * The fast counter against a brute-force oracle that decides every event on its
 * own with the policy functions (pauseWindowAt, exemptions, withinCaptureHours):
 * the interval arithmetic (pause windows ∪ hours outside capture, split by hour
 * and minute) must give exactly the same counts. The oracle reads each event's
 * local hour off the employee's wall clock with Intl (independently of the
 * code under test), so days on which the timezone switches DST are covered too.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_PARAMS, planPauses, simulateEmployeeDay } from '../../src/behaviour/index.js';
import {
  DEFAULT_POLICY_RULES,
  afterExemptionAsks,
  enrolmentExemption,
  exemptionOnDay,
  pauseWindowAt,
  withinCaptureHours,
  type PolicyRules,
} from '../../src/policy/index.js';
import { createEmployee, DEFAULT_POPULATION_PARAMS, employeeStream } from '../../src/population/index.js';
import { deriveStream } from '../../src/random/index.js';
import { createCalendar } from '../../src/time/index.js';
import { ACTIVITY_TYPES, runFastTask } from '../../src/sweep/index.js';

const MINUTE_MS = 60_000;
const seed = 'oracle';

/** Wall-clock time of day (fractional hours) in `timezone` at a UTC instant: Intl, per UTC minute (offsets are whole minutes). */
function wallClock(timezone: string): (utcMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
  const cache = new Map<number, number>();
  return (utcMs) => {
    const minute = Math.floor(utcMs / MINUTE_MS);
    let h = cache.get(minute);
    if (h === undefined) {
      const parts = format.formatToParts(new Date(minute * MINUTE_MS));
      h = Number(parts.find((p) => p.type === 'hour')!.value) + Number(parts.find((p) => p.type === 'minute')!.value) / 60;
      cache.set(minute, h);
    }
    return h + (utcMs - minute * MINUTE_MS) / 3_600_000;
  };
}

interface Case {
  readonly name: string;
  readonly startDate: string;
  readonly offices: readonly { name: string; timezone: string }[];
  readonly workdays: readonly number[];
  readonly captureHours: PolicyRules['captureHours'];
}

function setup(c: Case) {
  const population = {
    ...DEFAULT_POPULATION_PARAMS,
    offices: c.offices,
    officeMix: Object.fromEntries(c.offices.map((o) => [o.name, 1])),
    activeMinutesLogMu: Math.log(40),
    exemptionRequestShare: 0.15,
    pause: { ...DEFAULT_POPULATION_PARAMS.pause, neverPauseShare: 0 },
  };
  const behaviour = { ...DEFAULT_BEHAVIOUR_PARAMS, schedule: { ...DEFAULT_BEHAVIOUR_PARAMS.schedule, workdays: c.workdays } };
  const calendar = createCalendar(
    c.startDate,
    population.offices.map((o) => o.timezone),
  );
  return { population, behaviour, calendar };
}

function oracle(c: Case, rules: PolicyRules, employees: number, days: number) {
  const { population, behaviour, calendar } = setup(c);
  let produced = 0;
  let captured = 0;
  /** Events whose elapsed hours since local midnight differ from the wall clock's hour (after a DST switch). */
  let offClock = 0;
  const localHour = new Map<number, [number, number]>();
  const activity = [
    [0, 0],
    [0, 0],
    [0, 0],
  ] as [number, number][];
  for (let i = 0; i < employees; i++) {
    const e = createEmployee(seed, i, population);
    const clock = wallClock(e.timezone);
    let exemption = enrolmentExemption(e.exemptionRequested, e.exemptionDraw, rules);
    for (let d = 0; d < days; d++) {
      const exempt = exemptionOnDay(exemption, d).kind !== 'none';
      const events: [number, number][] = [];
      const day = simulateEmployeeDay(
        e,
        d,
        { seed, calendar, behaviour, pauseTraits: population.pause, rules },
        { push: (t: number, type: number) => events.push([t, type]) },
      );
      const pauses = planPauses(
        e,
        day.plan,
        deriveStream(deriveStream(employeeStream(seed, i, 'day'), d), 'pause'),
        rules,
        population.pause,
      );
      const windows = pauses.windows;
      exemption = afterExemptionAsks(exemption, d, pauses.exemptionAskDraws, rules);
      for (const [t, type] of events) {
        const r = Math.round(t);
        const local = clock(r + calendar.epochUtcMs);
        const h = Math.floor(local);
        if (h !== Math.floor((r - day.plan.dayStartMs) / 3_600_000)) offClock++;
        const ok = !exempt && pauseWindowAt(windows, r) < 0 && withinCaptureHours(local, rules);
        const a = type <= 1 ? 0 : type <= 4 ? 1 : 2;
        produced++;
        const lh = localHour.get(h) ?? [0, 0];
        lh[0]++;
        activity[a]![0]++;
        if (ok) {
          captured++;
          lh[1]++;
          activity[a]![1]++;
        }
        localHour.set(h, lh);
      }
    }
  }
  return { produced, captured, offClock, localHour, activity };
}

const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
const plain: Omit<Case, 'captureHours'> = {
  name: 'default offices, no DST switch',
  startDate: '2026-03-03',
  offices: DEFAULT_POPULATION_PARAMS.offices,
  workdays: WEEKDAYS,
};
const cases: Case[] = [
  ...[{ startHour: 9.5, endHour: 17 }, { startHour: 13, endHour: 10 }, null].map((captureHours) => ({ ...plain, captureHours })),
  // Switch days are Sundays in the US and Europe: the people here work every day so that the switch day is worked.
  {
    name: 'New York springs forward on 2026-03-08 (23-hour day)',
    startDate: '2026-03-07',
    offices: [
      { name: 'New York', timezone: 'America/New_York' },
      { name: 'Berlin', timezone: 'Europe/Berlin' },
    ],
    workdays: EVERY_DAY,
    captureHours: { startHour: 10, endHour: 16 },
  },
  {
    name: 'Berlin and London fall back on 2026-10-25 (25-hour day)',
    startDate: '2026-10-24',
    offices: [
      { name: 'Berlin', timezone: 'Europe/Berlin' },
      { name: 'London', timezone: 'Europe/London' },
    ],
    workdays: EVERY_DAY,
    captureHours: { startHour: 10, endHour: 16 },
  },
  // Israel switches on a Friday, a default workday.
  {
    name: 'Jerusalem springs forward on Friday 2026-03-27',
    startDate: '2026-03-26',
    offices: [{ name: 'Tel Aviv', timezone: 'Asia/Jerusalem' }],
    workdays: WEEKDAYS,
    captureHours: { startHour: 9, endHour: 17 },
  },
];

describe('fast counter vs a per-event oracle', () => {
  for (const c of cases) {
    it(`counts exactly what the policy functions decide per event, by wall-clock hour (${c.name}; capture hours ${JSON.stringify(c.captureHours)}, cap 20 min, cooldown 10 min)`, () => {
      const rules: PolicyRules = {
        ...DEFAULT_POLICY_RULES,
        pauseCapMinutes: 20,
        cooldownMinutes: 10,
        exemptionApprovalRate: 0.6,
        captureHours: c.captureHours,
      };
      const want = oracle(c, rules, 10, 2);
      const { population, behaviour, calendar } = setup(c);
      const got = runFastTask({
        seed,
        from: 0,
        to: 10,
        days: 2,
        calendar,
        population,
        behaviour,
        cells: [{ rules, pause: population.pause, exemptionRequestShare: population.exemptionRequestShare }],
      }).tallies[0]!;
      // On a switch day every event after the switch is an hour off the elapsed-hours count; on other days none is.
      if (c.startDate === plain.startDate) expect(want.offClock).toBe(0);
      else expect(want.offClock).toBeGreaterThan(want.produced / 10);
      expect(got.produced).toBe(want.produced);
      expect(got.captured).toBe(want.captured);
      expect(want.captured).toBeGreaterThan(0);
      expect(want.captured).toBeLessThan(want.produced);
      expect(got.groups.local_hour).toEqual(Object.fromEntries([...want.localHour].map(([h, pc]) => [String(h), pc])));
      ACTIVITY_TYPES.forEach((name, a) => expect(got.groups.activity[name]).toEqual(want.activity[a]));
    });
  }
});
