/**
 * Cases whose yield is known by hand, through the whole fast path (population →
 * behaviour → real policy code → tallies → replica statistics).
 */
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { runSweep, type CellResult } from '../../src/sweep/index.js';

/** Active minutes per day around 30 instead of 135: the shares below do not depend on it, the test runs 4x faster. */
const QUIET_DAY = Math.log(30);

const base = {
  seed: 'exact',
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
};

/** |mean − exact| within twice the 95 % CI half-width over replicas (≈ 4 standard errors): sampling error only. */
function withinSampling(c: CellResult['yield'], exact: number): void {
  expect(c.ci95).not.toBeNull();
  expect(Math.abs(c.mean - exact)).toBeLessThanOrEqual(2 * c.ci95!);
}

describe('yield that can be computed by hand', () => {
  it('a fixed exemption share q approved at rate r leaves 1 − q·r of the data, and q·r of the people exempt', async () => {
    // Nobody pauses; q = 0.3 request an exemption; approval 1 and 0.5 → exact yields 0.7 and 0.85.
    const s = resolveScenario({
      ...base,
      name: 'exact-exemption',
      fleet: {
        employees: 200,
        activeMinutesLogMu: QUIET_DAY,
        exemptionRequestShare: 0.3,
        pause: { neverPauseShare: 1, occasionalShare: 0 },
      },
      sweep: { replicas: 6, policy: { exemptionApprovalRate: [1, 0.5] } },
    });
    const r = await runSweep(s, { mode: 'fast', workers: 2 });
    const [all, half] = r.cells as [CellResult, CellResult];
    withinSampling(all.yield, 0.7);
    withinSampling(half.yield, 0.85);
    withinSampling(all.exempt_share, 0.3);
    withinSampling(half.exempt_share, 0.15);
    expect(all.pauses_per_employee_day.mean).toBe(0);
    // Approval draws are the employees' own: raising the rate only adds people to the exempt set (common random numbers).
    for (let i = 0; i < r.replicas; i++) expect(all.replicas[i]!.captured).toBeLessThanOrEqual(half.replicas[i]!.captured);
  }, 60_000);

  it('a pause limit of 0 per day leaves every event captured and no pause granted', async () => {
    const s = resolveScenario({
      ...base,
      name: 'exact-no-pauses',
      fleet: { employees: 40, activeMinutesLogMu: QUIET_DAY, exemptionRequestShare: 0, pause: { neverPauseShare: 0, occasionalShare: 1 } },
      sweep: { replicas: 2, policy: { maxPausesPerDay: [0] } },
    });
    const r = await runSweep(s, { mode: 'fast', workers: 0 });
    expect(r.cells[0]!.yield.mean).toBe(1);
    expect(r.cells[0]!.pauses_per_employee_day.mean).toBe(0);
    for (const tvd of Object.values(r.cells[0]!.tvd)) expect(tvd.mean).toBe(0);
  }, 60_000);

  it('everyone pausing about twice a day for the full cap loses (granted pauses)·cap ÷ the pause-start span of the day', async () => {
    // λ = 2 ± 0.2 for everyone (Gamma(100, 0.02)), every pause runs to the cap C, the working day is exactly 510 min,
    // no exemptions. Pause starts are uniform over [arrive, leave − 5 min] (505 min) and independent of activity, so
    // a pause covers C/505 of the day's events on average. An intent that falls inside an earlier pause is not asked
    // (Poisson(2) gives E[n(n−1)/2] = 2 ordered pairs, each overlapping with probability C/505), so by hand:
    //   granted pauses per day = 2 − 2·C/505        (1.941 for C = 15, 1.881 for C = 30)
    //   yield = 1 − granted·C/505                   (0.9424 for C = 15, 0.8883 for C = 30)
    // Left out: a pause in the first C minutes or running past leaving covers a little less (< 0.3 points by hand).
    // Tolerance: sampling (2 × the 95 % CI over replicas) plus 0.5 points for what is left out.
    const s = resolveScenario({
      ...base,
      name: 'exact-pauses',
      fleet: {
        employees: 250,
        activeMinutesLogMu: QUIET_DAY,
        exemptionRequestShare: 0,
        workLengthSdMinutes: 0,
        pause: {
          neverPauseShare: 0,
          occasionalShare: 1,
          occasionalGammaShape: 100,
          occasionalGammaScale: 0.02,
          longPrivacyShare: 0,
          untilAutoResumeShare: 1,
        },
      },
      behaviour: { schedule: { lengthJitterSdMinutes: 0 } },
      sweep: { replicas: 6, policy: { pauseCapMinutes: [15, 30] } },
    });
    const r = await runSweep(s, { mode: 'fast', workers: 2 });
    for (const [k, cap] of [
      [0, 15],
      [1, 30],
    ] as const) {
      const c = r.cells[k]!;
      const granted = 2 - (2 * cap) / 505;
      expect(Math.abs(c.pauses_per_employee_day.mean - granted)).toBeLessThanOrEqual(2 * c.pauses_per_employee_day.ci95!);
      expect(Math.abs(c.yield.mean - (1 - (granted * cap) / 505))).toBeLessThanOrEqual(2 * c.yield.ci95! + 0.005);
    }
  }, 60_000);
});
