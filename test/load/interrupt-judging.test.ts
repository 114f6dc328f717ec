import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLoad } from '../../src/report/text.js';
import { loadOptions, runLoad, smallScenario, startSlowServer, writeCorpus } from './helpers.js';

// Ctrl-C cuts the step (or run) it falls in: what was in flight was cut by the user, not failed by the target.
// The run as a whole stays invalid (interrupted); the cut part is not judged.
describe('an interrupted load run does not blame the target for what it cut', { retry: 2 }, () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let srv: Awaited<ReturnType<typeof startSlowServer>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    // 100 ms per answer: well inside the SLO, but some uploads are always in flight when the signal comes.
    srv = await startSlowServer({ delayMs: 100 });
  });
  afterAll(async () => {
    await srv?.stop();
    corpus?.cleanup();
  });

  /** Runs with an abort 1.8 s after the sending begins (the sender starts some 100 ms after that). */
  const interrupted = (over: Parameters<typeof loadOptions>[3]) => {
    const stop = new AbortController();
    return runLoad(
      loadOptions(s, srv.url, corpus.dir, {
        ...over,
        signal: stop.signal,
        onSending: () => void setTimeout(() => stop.abort(), 1800),
      }),
    );
  };

  it('a ramp reports the step the interrupt cut as not judged, and keeps the steps judged before it', async () => {
    const r = await interrupted({
      profile: { kind: 'ramp', startRatePerS: 20, stepFactor: 2, stepMs: 1000 },
      durationMs: 4000,
      rateOverridePerS: null,
      // Step 0 is judged at 1 s + 500 ms, before the interrupt; step 1 (40/s) is cut in its middle.
      slo: { p99Ms: 500, errorRate: 0.01 },
      bounds: { maxLagP99Ms: 50, minCpuHeadroom: 0.05 },
    });
    expect(r.stopped_by).toBe('interrupted');
    expect(r.valid).toBe(false);
    expect(r.invalid_reasons.join(' ')).toMatch(/interrupted after/);
    const steps = r.ramp!.steps;
    expect(steps[0]!.held).toBe(true);
    expect(steps[1]!.requests).toBeGreaterThan(0);
    expect(steps[1]!.held).toBeNull();
    expect(r.ramp!.broke_at_rate_per_s).toBeNull();
    expect(r.target_failed).toBe(false);
    const text = formatLoad(r, [], [], ['report.html']);
    expect(text).toMatch(/step {2}1 .* interrupted, not judged/);
    expect(text).not.toMatch(/BROKE/);
  });

  it('a steady run does not count the uploads it cut against the target', async () => {
    const r = await interrupted({ rateOverridePerS: 50, durationMs: 5000 });
    expect(r.stopped_by).toBe('interrupted');
    expect(r.requests.unfinished).toBeGreaterThan(0);
    expect(r.valid).toBe(false);
    expect(r.target_failed).toBe(false);
    expect(r.invalid_reasons.join(' ')).not.toMatch(/did not hold/);
    expect(r.invalid_reasons.join(' ')).toMatch(/interrupted after/);
  });
});
