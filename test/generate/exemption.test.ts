/**
 * employees.csv's exemption columns: exempt_at_enrolment is the status before
 * day 0; exempt_at_end also counts exemption asks approved during the generated
 * days that took effect by their end, as `fleetsim run` reckons `exempt`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { runFleet } from '../../src/run/index.js';
import { EMPLOYEE_SUMMARY_COLUMNS, generateFleet, summarizeGeneration } from '../../src/generate/index.js';

// People who pause often and always ask for an exemption when the short cap cuts a pause, half approved.
const population = {
  ...DEFAULT_POPULATION_PARAMS,
  activeMinutesLogMu: Math.log(40),
  exemptionRequestShare: 0.2,
  pause: { ...DEFAULT_POPULATION_PARAMS.pause, neverPauseShare: 0, reactionWeights: { 're-pause': 0, 'give-up': 0, 'ask-exemption': 1 } },
};
const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 5, exemptionApprovalRate: 0.5 };
const base = { employees: 8, days: 3, startDate: '2026-03-02', workers: 0, population, rules } as const;

describe('generate: exemption at enrolment and at the end', () => {
  it('shows an employee whose ask was approved as exempt at the end but not at enrolment, as fleetsim run does', async () => {
    // Search seeds for a fleet with such an employee (asks and approvals are seeded draws).
    let found: { seed: string; index: number; employees: Awaited<ReturnType<typeof generateFleet>>['employees'] } | null = null;
    for (let k = 0; k < 20 && !found; k++) {
      const seed = `exempt-${k}`;
      const g = await generateFleet({ ...base, seed });
      const index = g.employees.findIndex((e) => e.exempt_at_end && !e.exempt_at_enrolment);
      if (index >= 0) found = { seed, index, employees: g.employees };
    }
    expect(found, 'a seed with an ask approved within the days').not.toBeNull();
    const { seed, index, employees } = found!;
    expect(employees[index]!.exemption_asks).toBeGreaterThan(0);
    for (const e of employees) {
      // Exempt at enrolment stays exempt; becoming exempt later needs an ask.
      if (e.exempt_at_enrolment) expect(e.exempt_at_end).toBe(true);
      if (e.exempt_at_end && !e.exempt_at_enrolment) expect(e.exemption_asks).toBeGreaterThan(0);
    }

    // The same people through the real agent: its exempt column is the end status, and the agent really dropped events as exempt.
    const run = await runFleet({
      ...base,
      seed,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      agent: DEFAULT_AGENT_CONFIG,
      energy: DEFAULT_ENERGY_MODEL,
      transport: { kind: 'null' },
    });
    expect(run.laptops.map((l) => l.exempt)).toEqual(employees.map((e) => e.exempt_at_end));
    expect(run.laptops[index]!.dropped_exempt).toBeGreaterThan(0);
    expect(run.laptops[index]!.dropped_exempt).toBeLessThan(run.laptops[index]!.produced);

    // On the first day alone no ask can have taken effect yet (review takes a day).
    const oneDay = await generateFleet({ ...base, seed, days: 1 });
    expect(oneDay.employees.map((e) => e.exempt_at_end)).toEqual(oneDay.employees.map((e) => e.exempt_at_enrolment));
  }, 60_000);

  it('names both columns in employees.csv and both shares in the summary', async () => {
    expect(EMPLOYEE_SUMMARY_COLUMNS).toContain('exempt_at_enrolment');
    expect(EMPLOYEE_SUMMARY_COLUMNS).toContain('exempt_at_end');
    expect(EMPLOYEE_SUMMARY_COLUMNS).not.toContain('exempt');
    const opts = { ...base, seed: 'exempt-summary', employees: 20 };
    const g = await generateFleet(opts);
    const s = summarizeGeneration(opts, g, 'test');
    expect(s.exemptShareAtEnrolment).toBe(g.employees.filter((e) => e.exempt_at_enrolment).length / 20);
    expect(s.exemptShareAtEnd).toBe(g.employees.filter((e) => e.exempt_at_end).length / 20);
    expect(s.exemptShareAtEnd).toBeGreaterThan(s.exemptShareAtEnrolment);
    expect(s.exemptionAsks).toBe(g.employees.reduce((a, e) => a + e.exemption_asks, 0));
  }, 60_000);
});
