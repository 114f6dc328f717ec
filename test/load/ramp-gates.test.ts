import { describe, expect, it } from 'vitest';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../src/load/thresholds.js';
import { rampResult, type RampStepSpec } from './ramp-fixture.js';
import { loadJson } from '../../src/report/load-report.js';
import { formatLoad } from '../../src/report/text.js';

// Four ramp steps of 1 s at 100, 200, 400, 800/s, 40 answered uploads each;
// per step: the answers' latency, how many were refused (and why), whether the SLO held.
interface StepSpec {
  readonly latencyMs: number;
  readonly refused?: RampStepSpec['refused'];
  readonly held: boolean;
}

/** The generator keeps up (1 ms late, 80 % headroom); the SLO judges each step by its answers' latency. */
function rampRun(spec: readonly StepSpec[], devices = 1000) {
  return rampResult(
    spec.map((s) => ({
      lagMs: 1,
      answeredAfterMs: s.latencyMs,
      refused: s.refused,
      headroom: 0.8,
      judgement: { p99Ms: s.latencyMs, held: s.held },
    })),
    devices,
  );
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

describe('a ramp that breaks its SLO at the first step', () => {
  it('leaves the gates on ingest.* not judged (no step below the knee), and judges the rest', () => {
    const r = rampRun([
      { latencyMs: 900, held: false },
      { latencyMs: 950, held: false },
    ]);
    expect(r.ramp!.gates_below_step).toBe(0);
    expect(r.ingest.p99_ms).toBeNull();
    const verdict = evaluateLoadThresholds(r, parseLoadThresholds(['errors.rate < 0.5']), parseLoadThresholds(['ingest.p99_ms < 200']));
    expect(verdict.outcomes[0]).toMatchObject({
      expression: 'ingest.p99_ms < 200',
      actual: null,
      not_judged: expect.stringMatching(/first step.*--ramp-start/),
    });
    expect(verdict.outcomes[1]).toMatchObject({ expression: 'errors.rate < 0.5', pass: true });
    expect(verdict.outcomes[1]!.not_judged).toBeUndefined();
    expect(verdict.passed).toBe(true);
  });
});

describe('thresholds of an interrupted load run', () => {
  it('are not judged: the figures before Ctrl-C neither pass nor fail them, and --json says null', () => {
    const r = { ...rampRun([{ latencyMs: 20, held: true }]), stopped_by: 'interrupted' };
    const verdict = evaluateLoadThresholds(r, parseLoadThresholds(['ingest.p99_ms < 1']), parseLoadThresholds(['ingest.p99_ms < 200']));
    expect(verdict.outcomes.map((o) => o.not_judged)).toEqual([
      'the run was interrupted: its figures are of the part before it',
      'the run was interrupted: its figures are of the part before it',
    ]);
    expect(loadJson('/r', r, verdict).thresholds_passed).toBeNull();
    expect(formatLoad(r, verdict.outcomes, [], [])).toContain('  threshold   not judged  ingest.p99_ms < 1  (the run was interrupted');
    expect(formatLoad(r, verdict.outcomes, [], [])).not.toMatch(/threshold {3}(pass|FAIL)/);
  });
});
