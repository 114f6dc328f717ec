import { computeLoadResult, type LoadResult, type LoadRunContext } from '../../src/load/results.js';
import { LoadRecorder } from '../../src/load/recorder.js';
import type { LoadSchedule } from '../../src/load/schedule.js';
import type { SenderOutcome, StepJudgement } from '../../src/load/sender.js';

/** Uploads sent in each ramp step, one every 20 ms of its second. */
export const UPLOADS_PER_STEP = 40;

/** One ramp step as the sender would have seen it. */
export interface RampStepSpec {
  /** How late the generator sent each upload, ms after its intended time. */
  readonly lagMs: number;
  /** From the intended send time to the answer, ms. */
  readonly answeredAfterMs: number;
  /** The first n uploads of the step refused with this status and reason; the rest answered 200. */
  readonly refused?: { readonly n: number; readonly status: string; readonly reason: string };
  /** The generator's CPU headroom (1 − event-loop utilisation) over the step. */
  readonly headroom: number;
  /** The SLO's judgement of the step (its error rate is the refused share); null: the step was never judged. */
  readonly judgement: { readonly p99Ms: number; readonly held: boolean } | null;
}

/**
 * The result of a ramp of 1 s steps at 100, 200, 400, 800/s … that recorded
 * what each spec says, computed as `fleetsim load` computes it: the pure
 * judging code, without a server or a sender. `devices` is both the laptops
 * and the devices of the run.
 */
export function rampResult(spec: readonly RampStepSpec[], devices: number): LoadResult {
  const steps = spec.map((_, k) => ({ index: k, startMs: k * 1000, endMs: (k + 1) * 1000, ratePerS: 100 * 2 ** k }));
  const sch: LoadSchedule = {
    intendedMs: new Float64Array(0),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: UPLOADS_PER_STEP * spec.length,
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
    for (let i = 0; i < UPLOADS_PER_STEP; i++) {
      const intended = k * 1000 + i * 20;
      rec.recordSent(intended + s.lagMs, intended, true, k);
      const refused = s.refused !== undefined && i < s.refused.n ? s.refused : null;
      rec.recordDone(
        'upload',
        k,
        intended,
        intended + s.answeredAfterMs,
        refused?.status ?? '200',
        refused?.reason ?? null,
        !refused,
        10,
        100,
      );
    }
    if (s.judgement !== null)
      judgements.push({ step: k, p99Ms: s.judgement.p99Ms, errorRate: (s.refused?.n ?? 0) / UPLOADS_PER_STEP, broken: !s.judgement.held });
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
