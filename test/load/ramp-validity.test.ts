import { describe, expect, it } from 'vitest';
import { computeLoadResult, type LoadRunContext } from '../../src/load/results.js';
import { LoadRecorder } from '../../src/load/recorder.js';
import { mergeLoadResults } from '../../src/load/merge.js';
import type { LoadSchedule } from '../../src/load/schedule.js';
import type { SenderOutcome, StepJudgement } from '../../src/load/sender.js';

// Four ramp steps of 1 s at 100, 200, 400, 800/s; each test says per step how
// late the generator sent (lag), how busy it was, and whether the SLO held.
interface StepSpec {
  readonly lagMs: number;
  readonly headroom: number;
  readonly held: boolean | null;
}

function rampRun(spec: readonly StepSpec[]) {
  const steps = spec.map((_, k) => ({ index: k, startMs: k * 1000, endMs: (k + 1) * 1000, ratePerS: 100 * 2 ** k }));
  const sch: LoadSchedule = {
    intendedMs: new Float64Array(0),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: 40 * spec.length,
    steps,
    backlog: null,
    durationMs: 1000 * spec.length,
    truncated: false,
    fleetStartUtcMs: 0,
    timeScale: 1,
    initialRatePerS: 100,
    laptopsAtWork: 0,
  };
  const rec = new LoadRecorder(10, spec.length);
  const judgements: StepJudgement[] = [];
  spec.forEach((s, k) => {
    for (let i = 0; i < 40; i++) {
      const intended = k * 1000 + i * 20;
      rec.recordSent(intended + s.lagMs, intended, true, k);
      rec.recordDone('upload', k, intended, intended + s.lagMs + 5, '200', null, true, 10, 100);
    }
    if (s.held !== null) judgements.push({ step: k, p99Ms: s.held ? 6 : 500, errorRate: 0, broken: !s.held });
  });
  const out: SenderOutcome = {
    recorder: rec,
    wallMs: 1000 * spec.length,
    dispatchMs: 1000 * spec.length,
    cpuMs: 100,
    eventLoopUtilization: 0.5,
    drainMs: null,
    backlogLeft: 0,
    judgements,
    stepCpuHeadroom: spec.map((s) => s.headroom),
    stoppedBy: judgements.some((j) => j.broken) ? 'slo' : 'schedule',
  };
  const ctx: LoadRunContext = {
    run: { mode: 'open', profile: 'ramp', target: 'http://127.0.0.1:1', seed: 's', laptops: 1, devices: 1, connections: 1, started_at: '' },
    durationMs: 1000 * spec.length,
    uploadsPerLaptopHour: 1,
    corpus: { source: '', templates: 1, bodies: 1, body_bytes_p50: 1, body_bytes_p95: 1, body_bytes_max: 1, unique_bodies: true },
    bounds: { maxLagP99Ms: 20, minCpuHeadroom: 0.1 },
    slo: { p99Ms: 200, errorRate: 0.01 },
  };
  return computeLoadResult(ctx, sch, out);
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
