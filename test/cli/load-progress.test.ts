import { describe, expect, it } from 'vitest';
import { loadProgressLine } from '../../src/cli/load-progress.js';

const progress = (elapsedMs: number, inFlight = 0, spooled?: number) => ({
  elapsedMs,
  sent: 100,
  accepted: 90,
  failed: 0,
  inFlight,
  ...(spooled === undefined ? {} : { spooled }),
});

// The progress of `fleetsim load` says what the run is doing and what remains of it, grace period included.
describe('load progress', () => {
  const steady = { durationMs: 10_000, plannedEndMs: 10_000, graceMs: 10_000, steps: null };

  it('while sending: the schedule left, then the grace period answers may still take', () => {
    const l = loadProgressLine(progress(4000, 3), steady);
    expect(l).toMatchObject({ done: 4, total: 10 });
    expect(l.left).toBe('about 6 s left, then up to 10 s for answers in flight');
    expect(l.detail).toBe('sent 100, accepted 90, failed 0, in flight 3');
  });

  it('after the schedule: never "done" while answers may still come, but what it waits for and for how long at most', () => {
    const l = loadProgressLine(progress(11_200, 3), steady);
    expect(l).toMatchObject({ done: 10, total: 10 });
    expect(l.left).toBe('schedule done; waiting up to 9 s for 3 answers in flight');
    expect(l.left).not.toMatch(/^done/);
  });

  it('outage recovery: the spools still draining are part of what it waits for', () => {
    const l = loadProgressLine(progress(12_000, 1, 40), steady);
    expect(l.left).toBe('schedule done; waiting up to 8 s for 1 answer in flight and 40 spooled batches to drain');
    expect(l.detail).toBe('sent 100, accepted 90, failed 0, in flight 1, spooled 40');
    expect(loadProgressLine(progress(12_000, 0, 1), steady).left).toBe('schedule done; waiting up to 8 s for 1 spooled batch to drain');
  });

  it('a ramp: the step it is at, and the time left to its last step, not to --duration', () => {
    const steps = [0, 1, 2].map((k) => ({ index: k, startMs: k * 2000, endMs: (k + 1) * 2000, ratePerS: 20 * 2 ** k }));
    // 7 s of --duration holds three whole 2 s steps: the ramp ends at 6 s, and the run stops at the latest at 7 + 5 s.
    const l = loadProgressLine(progress(2500, 2), { durationMs: 7000, plannedEndMs: 6000, graceMs: 5000, steps });
    expect(l).toMatchObject({ done: 2, total: 6 });
    expect(l.left).toBe('about 4 s left (sooner if a step breaks the SLO), then up to 6 s for answers in flight');
    expect(l.detail).toBe('step 1 of 0–2 at 40/s; sent 100, accepted 90, failed 0, in flight 2');
  });

  it('without a grace period (a capacity run) it says nothing of one', () => {
    const plan = { durationMs: 3000, plannedEndMs: 3000, graceMs: 0, steps: null };
    expect(loadProgressLine(progress(1000), plan).left).toBe('about 2 s left');
    expect(loadProgressLine(progress(3100, 4), plan).left).toBe('schedule done; waiting for 4 answers in flight');
  });
});
