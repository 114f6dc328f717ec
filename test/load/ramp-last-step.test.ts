import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOptions, runLoad, smallScenario, startSlowServer, writeCorpus } from './helpers.js';

// A ramp of three 500 ms steps (20, 40, 80 uploads/s) against a fast loopback
// server: every answer is in long before the last step's judging time
// (its end + the SLO's p99), so the run ends first. The last step must still
// be judged, or the knee is reported one step too low.
describe('a ramp judges every step it ran', { retry: 2 }, () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
  });
  afterAll(() => corpus?.cleanup());

  const ramp = (url: string) =>
    loadOptions(s, url, corpus.dir, {
      profile: { kind: 'ramp', startRatePerS: 20, stepFactor: 2, stepMs: 500 },
      durationMs: 1500,
      rateOverridePerS: null,
      // A p99 SLO longer than the run's wait for answers: only the end of the run can judge the last step.
      slo: { p99Ms: 1000, errorRate: 0.01 },
      graceMs: 3000,
      bounds: { maxLagP99Ms: 50, minCpuHeadroom: 0.05 },
    });

  it('judges the last step when every answer is in before its judging time', async () => {
    const srv = await startSlowServer({ delayMs: 1 });
    try {
      const r = await runLoad(ramp(srv.url));
      expect(r.ramp!.steps.map((x) => x.held)).toEqual([true, true, true]);
      expect(r.ramp!.steps.map((x) => x.valid)).toEqual([true, true, true]);
      expect(r.ramp!.held_up_to_rate_per_s).toBe(80);
      expect(r.ramp!.knee_rate_per_s).toBeNull();
      expect(r.valid).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  it('finds the knee below a last step that fails only through fast refusals', async () => {
    // The server refuses everything from 1 s after the first upload: the 80/s step fails at once.
    const srv = await startSlowServer({ delayMs: 1, refuseFromMs: 1000 });
    try {
      const r = await runLoad(ramp(srv.url));
      const last = r.ramp!.steps[2]!;
      expect(last.held).toBe(false);
      expect(last.error_rate!).toBeGreaterThan(0.5);
      expect(r.ramp!.broke_at_rate_per_s).toBe(80);
      expect(r.ramp!.knee_rate_per_s).toBe(40);
      expect(r.stopped_by).toBe('slo');
    } finally {
      await srv.stop();
    }
  });
});
