import { describe, expect, it } from 'vitest';
import { LoadRecorder } from '../../src/load/recorder.js';
import { computeLoadResult, type LoadRunContext } from '../../src/load/results.js';
import type { LoadSchedule } from '../../src/load/schedule.js';
import type { SenderOutcome } from '../../src/load/sender.js';

// One second of steady traffic: 10 uploads sent and answered 5 ms late; the first `refused` answered 429 INGEST_RATE_LIMITED.
function steadyRun(ctx: LoadRunContext, truncated = false, refused = 0) {
  const sch: LoadSchedule = {
    intendedMs: Float64Array.from({ length: 10 }, (_, i) => i * 10),
    laptop: new Uint32Array(0),
    step: new Uint16Array(0),
    count: 10,
    steps: [{ index: 0, startMs: 0, endMs: 1000, ratePerS: 10 }],
    outage: null,
    durationMs: 1000,
    truncated,
    fleetStartUtcMs: Date.UTC(2026, 2, 2, 9),
    timeScale: 1,
    initialRatePerS: 10,
    laptopsAtWork: 40,
  };
  const rec = new LoadRecorder(2, 1);
  for (let i = 0; i < 10; i++) {
    rec.recordSent(i * 100, i * 100, true, 0);
    if (i < refused) rec.recordDone('upload', 0, i * 100, i * 100 + 5, '429', 'INGEST_RATE_LIMITED', false, 10, 100);
    else rec.recordDone('upload', 0, i * 100, i * 100 + 5, '200', null, true, 10, 100);
  }
  const out: SenderOutcome = {
    recorder: rec,
    wallMs: 1000,
    dispatchMs: 900,
    cpuMs: 50,
    eventLoopUtilization: 0.2,
    drainMs: null,
    backlogLeft: 0,
    judgements: [],
    stepCpuHeadroom: [0.8],
    stoppedBy: 'schedule',
  };
  return computeLoadResult(ctx, sch, out);
}

const context: LoadRunContext = {
  run: {
    mode: 'open',
    profile: 'steady',
    target: 'http://127.0.0.1:8080',
    seed: 'results-test',
    laptops: 120,
    devices: 40,
    connections: 16,
    started_at: '2026-03-02T09:00:00.000Z',
  },
  durationMs: 1000,
  uploadsPerLaptopHour: 4,
  corpus: {
    source: 'generated',
    templates: 3,
    bodies: 10,
    body_bytes_p50: 900,
    body_bytes_p95: 1200,
    body_bytes_max: 1300,
    unique_bodies: true,
  },
  bounds: { maxLagP99Ms: 20, minCpuHeadroom: 0.1 },
  slo: null,
  shard: { index: 1, count: 3 },
};

describe('the load result', () => {
  it('carries the run fields the runner handed over under their snake_case keys, in the order users read them', () => {
    const r = steadyRun(context);
    expect(Object.keys(r).slice(0, 11)).toEqual([
      'format',
      'mode',
      'profile',
      'target',
      'seed',
      'laptops',
      'devices',
      'connections',
      'started_at',
      'duration_s',
      'wall_s',
    ]);
    expect(r).toMatchObject({
      format: 'fleetsim-load/1',
      mode: 'open',
      profile: 'steady',
      target: 'http://127.0.0.1:8080',
      seed: 'results-test',
      laptops: 120,
      devices: 40,
      connections: 16,
      started_at: '2026-03-02T09:00:00.000Z',
      duration_s: 1,
      shard: { index: 1, count: 3 },
      corpus: context.corpus,
      validity_bounds: { max_lag_p99_ms: 20, min_cpu_headroom: 0.1 },
    });
    // Only the result's own keys: no camelCase copy of a context field leaks into the JSON.
    expect(Object.keys(r).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(r.requests.accepted).toBe(10);
  });

  it('a whole run (no shard handed over) says shard null', () => {
    const { shard: _s, ...whole } = context;
    expect(steadyRun(whole).shard).toBeNull();
  });

  it('says when --max-requests cut the schedule, and says nothing when it did not', () => {
    expect(steadyRun(context).notes).toEqual([]);
    const cut = steadyRun(context, true);
    expect(cut.notes).toEqual([
      '--max-requests cut the schedule at 10 uploads, the last due at 0.09 s of the 1 s --duration: the profile planned more; raise --max-requests to send them all',
    ]);
    expect(cut.requests.truncated_by_max_requests).toBe(true);
    expect(cut.valid).toBe(true);
  });

  it("blames 429 refusals on the run's per-device rate, not on the target, and says how many devices would do", () => {
    const one = { ...context, maxErrorRate: 0.01, run: { ...context.run, devices: 1, laptops: 200 } };
    const r = steadyRun(one, false, 6);
    expect(r.target_failed).toBe(true);
    const why = r.invalid_reasons.join('\n');
    expect(why).toMatch(/6 of 10 uploads failed .*the target did not hold/);
    expect(why).toMatch(
      /but 6 of the failures were 429 rate-limit answers \(INGEST_RATE_LIMITED: a device over its limit\): the run asked each of its 1 device for about 10 uploads\/s/,
    );
    expect(why).toMatch(/raise --devices \(to 5 or more, 2\/s each\)/);
    // Without 429 answers, no such hint.
    expect(steadyRun({ ...one }, false, 0).invalid_reasons.join('\n')).not.toMatch(/429/);
  });
});
