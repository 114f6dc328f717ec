import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { ruleEffects, runSweep } from '../../src/sweep/index.js';
import { fixtureSweep } from './fixture.js';

describe('what each rule costs, and who loses', () => {
  it('finds the cost of each rule, averaged over the other rules, and the groups that lose most (known effects)', () => {
    const [cap, approval] = ruleEffects(fixtureSweep());
    expect(cap!.path).toBe('policy.pauseCapMinutes');
    expect(cap!.highest_yield_value).toBe('60');
    expect(cap!.lowest_yield_value).toBe('15');
    // Engineering loses 10 points, Sales 2: the whole workforce (half each) 6.
    expect(cap!.cost.mean).toBeCloseTo(0.06, 2);
    expect(cap!.cost.n).toBe(3);
    expect(cap!.cost.ci95).not.toBeNull();
    expect(Math.abs(cap!.cost.mean - 0.06)).toBeLessThanOrEqual(cap!.cost.ci95! + 1e-9);
    expect(
      cap!.groups
        .slice(0, 2)
        .map((g) => `${g.dimension}:${g.group}`)
        .sort(),
    ).toEqual(['department:Engineering', 'role:Developer']);
    expect(cap!.groups[0]!.loss.mean).toBeCloseTo(0.1, 2);
    expect(cap!.groups.find((g) => g.group === 'Sales')!.loss.mean).toBeCloseTo(0.02, 2);
    expect(cap!.groups.find((g) => g.group === 'Sales')!.produced_share).toBeCloseTo(0.5, 6);
    // Every value against the highest-yield one: 0 for itself.
    expect(cap!.values.map((v) => v.label)).toEqual(['15', '60']);
    expect(cap!.values[1]!.cost.mean).toBe(0);
    expect(cap!.values[0]!.cost.mean).toBeCloseTo(0.06, 2);
    expect(approval!.highest_yield_value).toBe('0.25');
    expect(approval!.cost.mean).toBeCloseTo(0.02, 2);
    for (const g of approval!.groups) expect(g.loss.mean).toBeCloseTo(0.02, 2);
  });

  it('on a real sweep, a rule that approves more exemptions costs yield, with an interval from the replicas', async () => {
    const s = resolveScenario({
      name: 'effects',
      seed: 'effects',
      fleet: { employees: 30, exemptionRequestShare: 0.5 },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      sweep: { replicas: 3, policy: { exemptionApprovalRate: [0, 1], pauseCapMinutes: [15, 60] } },
    });
    const effects = ruleEffects(await runSweep(s, { mode: 'fast', workers: 0 }));
    const approval = effects.find((e) => e.path === 'policy.exemptionApprovalRate');
    const cap = effects.find((e) => e.path === 'policy.pauseCapMinutes');
    expect(approval!.highest_yield_value).toBe('0');
    expect(approval!.lowest_yield_value).toBe('1');
    expect(approval!.cost.mean).toBeGreaterThan(0.1);
    expect(approval!.cost.ci95).not.toBeNull();
    expect(approval!.groups.length).toBeGreaterThan(3);
    expect(new Set(approval!.groups.map((g) => g.dimension))).toEqual(new Set(['department', 'role', 'timezone']));
    expect(cap!.values).toHaveLength(2);
  });
});
