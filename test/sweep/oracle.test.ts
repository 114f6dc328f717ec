/**
 * The fast counter against a brute-force oracle that decides every event on its
 * own with the policy functions (pauseWindowAt, exemptions, withinCaptureHours):
 * the interval arithmetic (pause windows ∪ hours outside capture, split by hour
 * and minute) must give exactly the same counts.
 */
import { describe, expect, it } from 'vitest';
import {
  createCalendar, createEmployee, DEFAULT_BEHAVIOUR_PARAMS, DEFAULT_POLICY_RULES, DEFAULT_POPULATION_PARAMS, deriveStream, employeeStream,
  afterExemptionAsks, enrolmentExemption, exemptionOnDay, pauseWindowAt, planPauses, simulateEmployeeDay, withinCaptureHours, type PolicyRules,
} from '../../src/index.js';
import { ACTIVITY_TYPES, runFastTask } from '../../src/sweep/index.js';

const population = { ...DEFAULT_POPULATION_PARAMS, activeMinutesLogMu: Math.log(40), exemptionRequestShare: 0.15, pause: { ...DEFAULT_POPULATION_PARAMS.pause, neverPauseShare: 0 } };
const calendar = createCalendar('2026-03-03', population.offices.map((o) => o.timezone));
const seed = 'oracle';
const HOUR_MS = 3_600_000;

function oracle(rules: PolicyRules, employees: number, days: number) {
  let produced = 0;
  let captured = 0;
  const localHour = new Map<number, [number, number]>();
  const activity = [[0, 0], [0, 0], [0, 0]] as [number, number][];
  for (let i = 0; i < employees; i++) {
    const e = createEmployee(seed, i, population);
    let exemption = enrolmentExemption(e.exemptionRequested, e.exemptionDraw, rules);
    for (let d = 0; d < days; d++) {
      const exempt = exemptionOnDay(exemption, d).kind !== 'none';
      const events: [number, number][] = [];
      const day = simulateEmployeeDay(e, d, { seed, calendar, behaviour: DEFAULT_BEHAVIOUR_PARAMS, pauseTraits: population.pause, rules }, { push: (t: number, type: number) => events.push([t, type]) });
      const pauses = planPauses(e, day.plan, deriveStream(deriveStream(employeeStream(seed, i, 'day'), d), 'pause'), rules, population.pause);
      const windows = pauses.windows;
      exemption = afterExemptionAsks(exemption, d, pauses.exemptionAskDraws, rules);
      for (const [t, type] of events) {
        const r = Math.round(t);
        const h = Math.floor((r - day.plan.dayStartMs) / HOUR_MS);
        const ok = !exempt && pauseWindowAt(windows, r) < 0 && withinCaptureHours((r - day.plan.dayStartMs) / HOUR_MS, rules);
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
  return { produced, captured, localHour, activity };
}

describe('fast counter vs a per-event oracle', () => {
  for (const captureHours of [{ startHour: 9.5, endHour: 17 }, { startHour: 13, endHour: 10 }, null]) {
    it(`counts exactly what the policy functions decide per event (capture hours ${JSON.stringify(captureHours)}, cap 20 min, cooldown 10 min)`, () => {
      const rules: PolicyRules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 20, cooldownMinutes: 10, exemptionApprovalRate: 0.6, captureHours };
      const want = oracle(rules, 10, 2);
      const got = runFastTask({ seed, from: 0, to: 10, days: 2, calendar, population, behaviour: DEFAULT_BEHAVIOUR_PARAMS, cells: [{ rules, pause: population.pause, exemptionRequestShare: population.exemptionRequestShare }] }).tallies[0]!;
      expect(got.produced).toBe(want.produced);
      expect(got.captured).toBe(want.captured);
      expect(want.captured).toBeGreaterThan(0);
      expect(want.captured).toBeLessThan(want.produced);
      for (const [h, [p, c]] of want.localHour) expect(got.groups.local_hour[String(h)]).toEqual([p, c]);
      ACTIVITY_TYPES.forEach((name, a) => expect(got.groups.activity[name]).toEqual(want.activity[a]));
    });
  }
});
