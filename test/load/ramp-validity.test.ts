import { describe, expect, it } from 'vitest';
import { mergeLoadResults } from '../../src/load/merge.js';
import { rampResult } from './ramp-fixture.js';

// Four ramp steps of 1 s at 100, 200, 400, 800/s; each test says per step how
// late the generator sent (lag), how busy it was, and whether the SLO held.
interface StepSpec {
  readonly lagMs: number;
  readonly headroom: number;
  readonly held: boolean | null;
}

/** Every upload answered 200 5 ms after it was sent; a held step's p99 is 6 ms, a broken one's 500 ms; null: not judged. */
function rampRun(spec: readonly StepSpec[]) {
  return rampResult(
    spec.map((s) => ({
      lagMs: s.lagMs,
      answeredAfterMs: s.lagMs + 5,
      headroom: s.headroom,
      judgement: s.held === null ? null : { p99Ms: s.held ? 6 : 500, held: s.held },
    })),
    1,
  );
}

const ok = (held: boolean | null): StepSpec => ({ lagMs: 1, headroom: 0.8, held });

describe('ramp validity is judged per step', () => {
  it('reports lag and headroom per step and takes the knee from valid steps below a valid break', () => {
    const r = rampRun([ok(true), ok(true), ok(true), ok(false)]);
    expect(r.ramp!.steps.map((s) => s.valid)).toEqual([true, true, true, true]);
    expect(r.ramp!.steps[0]!.lag_p99_ms).toBeCloseTo(1, 1);
    expect(r.ramp!.steps[0]!.cpu_headroom).toBe(0.8);
    expect(r.ramp!.knee_rate_per_s).toBe(400);
    expect(r.ramp!.broke_at_rate_per_s).toBe(800);
    expect(r.valid).toBe(true);
  });

  it('leaves a held step where the generator fell behind out of the knee, without condemning the run', () => {
    const r = rampRun([ok(true), ok(true), { lagMs: 50, headroom: 0.8, held: true }, ok(false)]);
    expect(r.ramp!.steps.map((s) => s.valid)).toEqual([true, true, false, true]);
    expect(r.ramp!.knee_rate_per_s).toBe(200);
    expect(r.ramp!.generator_limited_at_rate_per_s).toBe(400);
    expect(r.valid).toBe(true);
  });

  it('a break in a step where the generator ran out of CPU is no knee, and the run is invalid', () => {
    const r = rampRun([ok(true), ok(true), { lagMs: 1, headroom: 0.02, held: false }]);
    expect(r.ramp!.steps[2]!.valid).toBe(false);
    expect(r.ramp!.knee_rate_per_s).toBeNull();
    expect(r.ramp!.broke_at_rate_per_s).toBeNull();
    expect(r.ramp!.held_up_to_rate_per_s).toBe(200);
    expect(r.valid).toBe(false);
    expect(r.invalid_reasons.join(' ')).toMatch(/step 2 .*knee is not measured/);
  });

  it('a generator that falls behind before any break leaves the knee unmeasured (invalid), though a whole-run lag would have hidden which step', () => {
    const r = rampRun([ok(true), ok(true), { lagMs: 80, headroom: 0.5, held: true }, { lagMs: 90, headroom: 0.5, held: true }]);
    expect(r.ramp!.knee_rate_per_s).toBeNull();
    expect(r.ramp!.held_up_to_rate_per_s).toBe(200);
    expect(r.valid).toBe(false);
    expect(r.invalid_reasons.join(' ')).toMatch(/fell behind at step 2 .*above 200\/s/);
  });

  it('a lagging last step after a valid break does not make the run invalid (whole-run lag p99 would)', () => {
    const r = rampRun([
      ok(true),
      ok(true),
      ok(true),
      ok(true),
      ok(true),
      ok(true),
      ok(true),
      ok(false),
      ...Array.from({ length: 1 }, () => ({ lagMs: 500, headroom: 0.01, held: null })),
    ]);
    expect(r.schedule_lag.p99_ms!).toBeGreaterThan(20);
    expect(r.ramp!.knee_rate_per_s).toBe(6400);
    expect(r.valid).toBe(true);
  });
});

describe('merging ramp shards', () => {
  it('adds step counts, takes p99 from the added histograms, and a step is valid only where every shard kept up', () => {
    const a = { ...rampRun([ok(true), ok(true), ok(true), ok(false)]), shard: { index: 0, count: 2 } };
    const b = { ...rampRun([ok(true), { lagMs: 60, headroom: 0.8, held: true }, ok(true), ok(false)]), shard: { index: 1, count: 2 } };
    const m = mergeLoadResults([a, b]);
    expect(m.ramp!.steps.map((s) => s.requests)).toEqual([80, 80, 80, 80]);
    expect(m.ramp!.steps.map((s) => s.rate_per_s)).toEqual([200, 400, 800, 1600]);
    expect(m.ramp!.steps.map((s) => s.valid)).toEqual([true, false, true, true]);
    // Step 1's latency includes shard b's 60 ms lag: the merged p99 shows it.
    expect(m.ramp!.steps[1]!.p99_ms!).toBeGreaterThan(60);
    expect(m.ramp!.knee_rate_per_s).toBe(800);
    expect(m.ramp!.broke_at_rate_per_s).toBe(1600);
    expect(m.requests.sent).toBe(a.requests.sent + b.requests.sent);
    expect(m.valid).toBe(true);
  });
});
