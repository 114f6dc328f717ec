import { describe, expect, it } from 'vitest';
import { computeLoadResult, type LoadRunContext } from '../../src/load/results.js';
import { LoadRecorder } from '../../src/load/recorder.js';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../src/load/thresholds.js';
import type { LoadSchedule } from '../../src/load/schedule.js';
import type { SenderOutcome, StepJudgement } from '../../src/load/sender.js';

// Four ramp steps of 1 s at 100, 200, 400, 800/s, 40 answered uploads each;
// per step: the answers' latency, how many were refused (and why), whether the SLO held.
interface StepSpec {
  readonly latencyMs: number;
  readonly refused?: { readonly n: number; readonly status: string; readonly reason: string };
  readonly held: boolean;
}

function rampRun(spec: readonly StepSpec[], devices = 1000) {
  const steps = spec.map((_, k) => ({ index: k, startMs: k * 1000, endMs: (k + 1) * 1000, ratePerS: 100 * 2 ** k }));
  const sch: LoadSchedule = {
    intendedMs: new Float64Array(0),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: 40 * spec.length,
    steps,
    outage: null,
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
      rec.recordSent(intended + 1, intended, true, k);
      const refused = s.refused && i < s.refused.n;
      rec.recordDone(
        'upload',
        k,
        intended,
        intended + s.latencyMs,
        refused ? s.refused!.status : '200',
        refused ? s.refused!.reason : null,
        !refused,
        10,
        100,
      );
    }
    judgements.push({ step: k, p99Ms: s.latencyMs, errorRate: (s.refused?.n ?? 0) / 40, broken: !s.held });
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
    stepCpuHeadroom: spec.map(() => 0.8),
    stoppedBy: judgements.some((j) => j.broken) ? 'slo' : 'schedule',
  } as unknown as SenderOutcome;
  const ctx: LoadRunContext = {
    run: {
      mode: 'open',
      profile: 'ramp',
      target: 'http://127.0.0.1:1',
      seed: 's',
      laptops: devices,
      devices,
      connections: 1,
      started_at: '',
    },
    durationMs: 1000 * spec.length,
    uploadsPerLaptopHour: 1,
    corpus: { source: '', templates: 1, bodies: 1, body_bytes_p50: 1, body_bytes_p95: 1, body_bytes_max: 1, unique_bodies: true },
    bounds: { maxLagP99Ms: 20, minCpuHeadroom: 0.1 },
    slo: { p99Ms: 200, errorRate: 0.01 },
  };
  return computeLoadResult(ctx, sch, out);
}

describe('a ramp that finds its knee', () => {
  it('passes: the gates (ingest.*) are judged on the steps below the knee, not on the overloaded ones', () => {
    const r = rampRun([
      { latencyMs: 20, held: true },
      { latencyMs: 30, held: true },
      { latencyMs: 40, held: true },
      { latencyMs: 900, refused: { n: 8, status: '503', reason: 'INGEST_OVERLOADED' }, held: false },
    ]);
    expect(r.ramp!.knee_rate_per_s).toBe(400);
    expect(r.ramp!.gates_below_step).toBe(3);
    expect(r.valid).toBe(true);
    // Whole-run latency still shows the overload; the gates' figures do not.
    expect(r.latency.all.p99_ms).toBeGreaterThan(800);
    expect(r.ingest.p99_ms).toBeLessThan(45);
    expect(r.ingest.errors).toBe(0);
    expect(r.errors.total).toBe(8);
    const verdict = evaluateLoadThresholds(
      r,
      parseLoadThresholds(['ingest.error_rate <= 0.01']),
      parseLoadThresholds(['ingest.p99_ms < 200']),
    );
    expect(verdict.passed).toBe(true);
  });

  it('without a knee, the gates see every step', () => {
    const r = rampRun([
      { latencyMs: 20, held: true },
      { latencyMs: 150, held: true },
    ]);
    expect(r.ramp!.gates_below_step).toBeNull();
    expect(r.ingest.p99_ms).toBe(r.latency.all.p99_ms);
  });

  it('a knee that comes with per-device rate-limit answers (429) is called out: it may be the limit, not the capacity', () => {
    const r = rampRun(
      [
        { latencyMs: 20, held: true },
        { latencyMs: 30, held: true },
        { latencyMs: 40, refused: { n: 10, status: '429', reason: 'INGEST_RATE_LIMITED' }, held: false },
      ],
      40,
    );
    expect(r.ramp!.broke_at_rate_per_s).toBe(400);
    expect(r.valid).toBe(false);
    expect(r.invalid_reasons.join('\n')).toMatch(
      /429 INGEST_RATE_LIMITED \(its per-device rate limit\): with 40 devices each sent about 10\/s, so the knee may be the limit's.*raise --devices/,
    );
  });
});
