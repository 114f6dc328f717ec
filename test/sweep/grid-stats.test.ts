import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { estimate, expandGrid, replicaSeed, runSweep, tQuantile975, totalVariation } from '../../src/sweep/index.js';

describe('sweep grid', () => {
  it('expands the axes in file order, the last varying fastest, applying each value where the scenario keeps it', () => {
    const s = resolveScenario({
      name: 'grid',
      seed: 'g',
      sweep: {
        replicas: 2,
        policy: { pauseCapMinutes: [15, 60], captureHours: [null, { startHour: 8, endHour: 18 }] },
        fleet: { pause: { reactionWeights: [{ 're-pause': 1 }, { 'give-up': 1 }] }, exemptionRequestShare: [0.1] },
      },
    });
    const cells = expandGrid(s);
    expect(cells).toHaveLength(8);
    expect(cells.map((c) => c.values['policy.pauseCapMinutes'])).toEqual([15, 15, 15, 15, 60, 60, 60, 60]);
    expect(cells[1]!.scenario.population.pause.reactionWeights).toEqual({ 're-pause': 0, 'give-up': 1, 'ask-exemption': 0 });
    expect(cells[2]!.scenario.rules.captureHours).toEqual({ startHour: 8, endHour: 18 });
    expect(cells[2]!.labels['policy.captureHours']).toBe('startHour=8 endHour=18');
    expect(cells[0]!.labels['policy.captureHours']).toBe('none');
    expect(cells[7]!.scenario.rules.pauseCapMinutes).toBe(60);
    expect(cells[7]!.scenario.population.exemptionRequestShare).toBe(0.1);
    // The base scenario is untouched.
    expect(s.rules.pauseCapMinutes).toBe(30);
    expect(replicaSeed('g', 3)).toBe('g/replica-3');
  });

  it('names agent configurations by their labels', () => {
    const s = resolveScenario({
      name: 'agents',
      sweep: {
        agents: [
          { name: 'default', agent: {} },
          { name: 'gz', agent: { codec: 'gzip' } },
        ],
      },
    });
    const cells = expandGrid(s);
    expect(cells.map((c) => c.labels.agent)).toEqual(['default', 'gz']);
    expect(cells[1]!.scenario.agent.codec).toBe('gzip');
  });
});

describe('statistics over replicas', () => {
  it('uses Student t(0.975, n − 1) for the 95 % interval (tables: 12.706 at 1, 2.262 at 9, 2.042 at 30; 1.984 at 100)', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(9)).toBe(2.262);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(100)).toBeCloseTo(1.984, 3);
    const e = estimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(e.ci95).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 10);
    expect(estimate([0.5]).ci95).toBeNull();
  });

  it('total variation distance: 0 for the same mix, 1 for disjoint ones, half the L1 distance otherwise', () => {
    expect(totalVariation({ a: 2, b: 2 }, { a: 5, b: 5 })).toBe(0);
    expect(totalVariation({ a: 1 }, { b: 1 })).toBe(1);
    expect(totalVariation({ a: 3, b: 1 }, { a: 1, b: 1 })).toBeCloseTo(0.25, 12);
    expect(totalVariation({ a: 1 }, { a: 0 })).toBeNaN();
  });
});

describe('runSweep', () => {
  it('gives the same figures whatever the worker count, and uses the same replica seeds in every cell', async () => {
    const s = resolveScenario({
      name: 'det',
      seed: 'det',
      fleet: { employees: 12, activeMinutesLogMu: Math.log(30), pause: { neverPauseShare: 0.3 } },
      simulation: { days: 1, startDate: '2026-03-03' },
      sweep: { replicas: 2, policy: { pauseCapMinutes: [15, 60] } },
    });
    const a = await runSweep(s, { mode: 'fast', workers: 0, shardSize: 5 });
    const b = await runSweep(s, { mode: 'fast', workers: 2, shardSize: 3 });
    expect(b.cells.map((c) => c.replicas)).toEqual(a.cells.map((c) => c.replicas));
    expect(a.cells[0]!.replicas.map((r) => r.seed)).toEqual(['det/replica-0', 'det/replica-1']);
    // Common random numbers: the cells see the same produced events, only the captured share differs.
    expect(a.cells[0]!.replicas.map((r) => r.produced)).toEqual(a.cells[1]!.replicas.map((r) => r.produced));
  }, 30_000);
});
