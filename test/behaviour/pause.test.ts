import { describe, expect, it } from 'vitest';
import { planPauses } from '../../src/behaviour/pause.js';
import {
  DEFAULT_PAUSE_TRAIT_PARAMS,
  DEFAULT_POPULATION_PARAMS,
  createEmployee,
  type CapReaction,
  type Employee,
} from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createStream } from '../../src/random/index.js';

const MIN = 60_000;
const work = { arriveMs: 9 * 60 * MIN, leaveMs: 17 * 60 * MIN, dayStartMs: 0 };

function employeeWith(pausesPerDay: number, capReaction: CapReaction): Employee {
  return { ...createEmployee('p', 0, DEFAULT_POPULATION_PARAMS), pause: { pausesPerDay, capReaction } };
}
/** Every pause wants 2 hours of privacy. */
const longOnly = { ...DEFAULT_PAUSE_TRAIT_PARAMS, longPrivacyShare: 1, longPrivacyLogMuMinutes: Math.log(120), longPrivacyLogSigma: 0 };

describe('pause habits under the cap', () => {
  it('someone wanting 2 hours under a 30-minute cap who re-pauses gets back-to-back capped windows', () => {
    const day = planPauses(employeeWith(1, 're-pause'), work, createStream('x'), DEFAULT_POLICY_RULES, longOnly);
    // Poisson(1) may draw 0, 1 or more intents; check each intent's chain.
    for (let i = 1; i < day.windows.length; i++) expect(day.windows[i]!.startMs).toBeGreaterThanOrEqual(day.windows[i - 1]!.endMs);
    for (const w of day.windows) expect(w.endMs - w.startMs).toBeLessThanOrEqual(30 * MIN);
  });

  it('re-pausing recovers the whole wanted time; giving up keeps only the cap', () => {
    let repauseMinutes = 0;
    let giveUpMinutes = 0;
    let intents = 0;
    for (let i = 0; i < 200; i++) {
      const a = planPauses(employeeWith(1, 're-pause'), work, createStream('r', i), DEFAULT_POLICY_RULES, longOnly);
      const b = planPauses(employeeWith(1, 'give-up'), work, createStream('r', i), DEFAULT_POLICY_RULES, longOnly);
      repauseMinutes += a.grantedMinutes;
      giveUpMinutes += b.grantedMinutes;
      intents += b.windows.length;
      expect(b.windows.every((w) => w.endMs - w.startMs === 30 * MIN)).toBe(true);
    }
    expect(giveUpMinutes).toBe(intents * 30);
    expect(repauseMinutes).toBeGreaterThan(giveUpMinutes * 2.5);
  });

  it('a per-day limit refuses the re-pauses beyond it', () => {
    const rules = { ...DEFAULT_POLICY_RULES, maxPausesPerDay: 2 };
    for (let i = 0; i < 50; i++) {
      const day = planPauses(employeeWith(3, 're-pause'), work, createStream('lim', i), rules, longOnly);
      expect(day.windows.length).toBeLessThanOrEqual(2);
      if (day.requests > 2) expect(day.refused).toBeGreaterThan(0);
    }
  });

  it('the number of pauses follows the habit: mean windows per day ≈ λ for short pauses (λ = 2, n = 2,000, ± 0.1)', () => {
    const short = { ...DEFAULT_PAUSE_TRAIT_PARAMS, longPrivacyShare: 0, untilAutoResumeShare: 0, shortPauseMaxMinutes: 6 };
    let windows = 0;
    for (let i = 0; i < 2000; i++)
      windows += planPauses(employeeWith(2, 'give-up'), work, createStream('lam', i), DEFAULT_POLICY_RULES, short).windows.length;
    // Overlapping intents merge (someone already paused does not ask again), so slightly under λ.
    expect(windows / 2000).toBeGreaterThan(1.85);
    expect(windows / 2000).toBeLessThanOrEqual(2.05);
  });
});
