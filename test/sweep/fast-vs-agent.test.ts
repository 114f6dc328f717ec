import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { runFleet } from '../../src/run/index.js';
import { createCalendar } from '../../src/time/index.js';
import { runFastTask } from '../../src/sweep/index.js';

describe('fast mode counts what the real agent drops', () => {
  it('captures exactly the events the agent does not drop as paused or exempt (same seed, transport null)', async () => {
    const population = {
      ...DEFAULT_POPULATION_PARAMS,
      exemptionRequestShare: 0.2,
      pause: { ...DEFAULT_POPULATION_PARAMS.pause, neverPauseShare: 0.2 },
    };
    const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 15, exemptionApprovalRate: 0.5 };
    const employees = 12;
    const fleet = await runFleet({
      seed: 'fast-vs-agent',
      employees,
      days: 1,
      startDate: '2026-03-02',
      population,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      rules,
      agent: DEFAULT_AGENT_CONFIG,
      energy: DEFAULT_ENERGY_MODEL,
      transport: { kind: 'null' },
      workers: 0,
    });
    const fast = runFastTask({
      seed: 'fast-vs-agent',
      from: 0,
      to: employees,
      days: 1,
      calendar: createCalendar(
        '2026-03-02',
        population.offices.map((o) => o.timezone),
      ),
      population,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      cells: [{ rules, pause: population.pause, exemptionRequestShare: population.exemptionRequestShare }],
    });
    const t = fast.tallies[0]!;
    const l = fleet.ledger;
    expect(t.produced).toBe(l.produced);
    expect(t.produced - t.captured).toBe(l.dropped_paused + l.dropped_exempt + l.lost + l.spooled);
    expect(t.exempt).toBe(fleet.laptops.filter((x) => x.exempt).length);
    expect(t.pauses).toBe(fleet.laptops.reduce((a, x) => a + x.pauses, 0));
    expect(l.dropped_paused).toBeGreaterThan(0);
    expect(l.dropped_exempt).toBeGreaterThan(0);
    expect(t.activeMinutes).toBe(fleet.laptops.reduce((a, x) => a + x.active_minutes, 0));
  }, 60_000);
});
