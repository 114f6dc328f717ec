import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { expectAgentDropsWhatFastDrops } from './agent-and-fast.js';

describe('fast mode counts what the real agent drops', () => {
  it('captures exactly the events the agent does not drop as paused or exempt (same seed, transport null)', async () => {
    const population = {
      ...DEFAULT_POPULATION_PARAMS,
      exemptionRequestShare: 0.2,
      pause: { ...DEFAULT_POPULATION_PARAMS.pause, neverPauseShare: 0.2 },
    };
    const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 15, exemptionApprovalRate: 0.5 };
    const same = { seed: 'fast-vs-agent', employees: 12, days: 1, startDate: '2026-03-02', population, rules };
    const { fleet, tally: t } = await expectAgentDropsWhatFastDrops(same);
    const l = fleet.ledger;
    expect(t.pauses).toBe(fleet.laptops.reduce((a, x) => a + x.pauses, 0));
    expect(l.dropped_paused).toBeGreaterThan(0);
    expect(l.dropped_exempt).toBeGreaterThan(0);
    expect(t.activeMinutes).toBe(fleet.laptops.reduce((a, x) => a + x.active_minutes, 0));
  }, 60_000);
});
