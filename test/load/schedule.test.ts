import { describe, expect, it } from 'vitest';
import { DEFAULT_UPLOAD_CONFIG } from '../../src/agent/index.js';
import {
  buildSchedule,
  createFleetModel,
  DEFAULT_CAPACITY_MAX_REQUESTS,
  defaultCapacityBodies,
  laptopsAtWork,
  OutageModel,
  sliceSchedule,
  type LoadProfile,
} from '../../src/load/index.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';

const DAY = Date.UTC(2026, 2, 2);
const fleet = (n = 2000) => createFleetModel(DEFAULT_POPULATION_PARAMS, n, 'sched', DAY + 12 * 3600_000, 4 / 3600);
const build = (profile: LoadProfile, over: Partial<Parameters<typeof buildSchedule>[1]> = {}) =>
  buildSchedule(fleet(), {
    profile,
    durationMs: 60_000,
    maxRequests: 1_000_000,
    atUtcMs: null,
    dayStartUtcMs: DAY,
    rateOverridePerS: null,
    seed: 's1',
    ...over,
  });

describe('arrival schedules', () => {
  it('are the same for the same seed and differ for another', () => {
    const a = build({ kind: 'steady' });
    const b = build({ kind: 'steady' });
    const c = build({ kind: 'steady' }, { seed: 's2' });
    expect(Array.from(a.intendedMs)).toEqual(Array.from(b.intendedMs));
    expect(Array.from(a.laptop)).toEqual(Array.from(b.laptop));
    expect(Array.from(c.intendedMs.subarray(0, 10))).not.toEqual(Array.from(a.intendedMs.subarray(0, 10)));
  });

  it("steady: Poisson arrivals at laptops at work × one laptop's upload rate, in order, inside the run", () => {
    const s = build({ kind: 'steady' });
    const m = fleet();
    expect(s.laptopsAtWork).toBe(laptopsAtWork(m, s.fleetStartUtcMs));
    const expected = ((s.laptopsAtWork * 4) / 3600) * 60;
    // Poisson count: within 4 standard deviations.
    expect(Math.abs(s.count - expected)).toBeLessThan(4 * Math.sqrt(expected));
    for (let i = 1; i < s.count; i++) expect(s.intendedMs[i]!).toBeGreaterThanOrEqual(s.intendedMs[i - 1]!);
    expect(s.intendedMs[s.count - 1]!).toBeLessThan(60_000);
  });

  it('a rate override holds that rate (±4σ) and the request bound truncates, saying so', () => {
    const s = build({ kind: 'steady' }, { rateOverridePerS: 500 });
    expect(Math.abs(s.count - 30_000)).toBeLessThan(4 * Math.sqrt(30_000));
    const t = build({ kind: 'steady' }, { rateOverridePerS: 500, maxRequests: 1000 });
    expect(t.count).toBe(1000);
    expect(t.truncated).toBe(true);
  });

  it('morning surge: the log-in wave raises the rate across the run', () => {
    const s = build({ kind: 'morning-surge', fleetWindowMs: 3 * 3600_000 });
    const firstQuarter = s.intendedMs.filter((t) => t < 15_000).length;
    const lastQuarter = s.intendedMs.filter((t) => t >= 45_000).length;
    expect(s.timeScale).toBe(180);
    expect(lastQuarter).toBeGreaterThan(1.5 * Math.max(1, firstQuarter));
  });

  it('outage recovery: no arrivals while the target is down; steady traffic before (warm-up) and after', () => {
    const s = build({ kind: 'outage-recovery', outageMs: 30 * 60_000, warmupMs: 10_000, outageScale: 90 }, { rateOverridePerS: 200 });
    expect(s.outage).toEqual(expect.objectContaining({ startMs: 10_000, endMs: 30_000, fleetMs: 1_800_000 }));
    const during = Array.from(s.intendedMs).filter((t) => t >= 10_000 && t < 30_000).length;
    expect(during).toBe(0);
    const before = Array.from(s.intendedMs).filter((t) => t < 10_000).length;
    const after = Array.from(s.intendedMs).filter((t) => t >= 30_000).length;
    expect(Math.abs(before - 2000)).toBeLessThan(4 * Math.sqrt(2000));
    expect(Math.abs(after - 6000)).toBeLessThan(4 * Math.sqrt(6000));
  });

  it("outage recovery: the agent's own uploader spools the outage's batches and its full-jitter backoff spreads the first retries", async () => {
    const s = build({ kind: 'outage-recovery', outageMs: 30 * 60_000 });
    const m = await OutageModel.simulate({
      laptops: s.outage!.laptops,
      outageMs: 30 * 60_000,
      uploadsPerSecond: 4 / 3600,
      upload: DEFAULT_UPLOAD_CONFIG,
      templateBytes: Uint32Array.of(2000, 2500),
      seed: 's1',
    });
    const f = m.figures();
    const expected = s.laptopsAtWork * (4 / 3600) * 1800;
    expect(f.backlog).toBeGreaterThan(0.85 * expected);
    expect(f.backlog).toBeLessThan(1.15 * expected + 10);
    expect(f.left).toBe(f.backlog);
    expect(f.lostSpoolFull).toBe(0);
    const retries = Array.from(m.firstRetriesAfterRecoveryMs(30 * 60_000)).sort((x, y) => x - y);
    expect(retries.length).toBe(f.laptops);
    expect(retries[0]!).toBeGreaterThanOrEqual(0);
    // After 30 minutes of failures every uploader waits U·C (C = the 5-minute ceiling, U uniform): the recovery
    // falls inside one of those waits, so the time left is the renewal residual, density 2(1 − r/C)/C on [0, C]:
    // median (1 − 1/√2)·C ≈ 0.29 C, mean C/3. Spread over minutes, not a herd at t = 0.
    const C = DEFAULT_UPLOAD_CONFIG.retryMaxMs;
    expect(retries.at(-1)!).toBeLessThanOrEqual(C);
    const median = retries[Math.floor(retries.length / 2)]!;
    expect(median).toBeGreaterThan(0.22 * C);
    expect(median).toBeLessThan(0.37 * C);
    const mean = retries.reduce((a, x) => a + x, 0) / retries.length;
    expect(mean).toBeGreaterThan(0.27 * C);
    expect(mean).toBeLessThan(0.4 * C);
    // The same seed gives the same spools.
    const again = await OutageModel.simulate({
      laptops: s.outage!.laptops,
      outageMs: 30 * 60_000,
      uploadsPerSecond: 4 / 3600,
      upload: DEFAULT_UPLOAD_CONFIG,
      templateBytes: Uint32Array.of(2000, 2500),
      seed: 's1',
    });
    expect(Array.from(again.firstRetriesAfterRecoveryMs(30 * 60_000))).toEqual(Array.from(m.firstRetriesAfterRecoveryMs(30 * 60_000)));
  });

  it('outage recovery: a spool bound the outage overflows drops the oldest batches and counts them', async () => {
    const s = build({ kind: 'outage-recovery', outageMs: 60 * 60_000 });
    const laptops = s.outage!.laptops.subarray(0, 20);
    const m = await OutageModel.simulate({
      laptops,
      outageMs: 60 * 60_000,
      uploadsPerSecond: 60 / 3600,
      upload: { ...DEFAULT_UPLOAD_CONFIG, spoolMaxBytes: 10 * 1000 },
      templateBytes: Uint32Array.of(1000),
      seed: 's1',
    });
    const f = m.figures();
    // 60 batches an hour each, 10 fit.
    expect(f.backlog).toBe(laptops.length * 10);
    expect(f.lostSpoolFull).toBeGreaterThan(laptops.length * 30);
  });

  it('shards: slices of the laptops split arrivals and spools exactly, each arrival keeping its place in the whole schedule', async () => {
    const whole = build({ kind: 'outage-recovery', outageMs: 20 * 60_000 }, { rateOverridePerS: 300 });
    const opts = (laptops: Uint32Array) => ({
      laptops,
      outageMs: 20 * 60_000,
      uploadsPerSecond: 6 / 3600,
      upload: DEFAULT_UPLOAD_CONFIG,
      templateBytes: Uint32Array.of(2000),
      seed: 's1',
    });
    const all = (await OutageModel.simulate(opts(whole.outage!.laptops))).figures();
    let count = 0;
    let backlog = 0;
    const seen = new Set<number>();
    for (let k = 0; k < 3; k++) {
      const { schedule, globalIndex } = sliceSchedule(whole, (laptop) => (laptop % 50) % 3 === k);
      count += schedule.count;
      for (let j = 0; j < schedule.count; j++) {
        expect(schedule.intendedMs[j]).toBe(whole.intendedMs[globalIndex[j]!]);
        seen.add(globalIndex[j]!);
      }
      backlog += (await OutageModel.simulate(opts(schedule.outage!.laptops))).figures().backlog;
    }
    expect(count).toBe(whole.count);
    expect(seen.size).toBe(whole.count);
    expect(backlog).toBe(all.backlog);
  });

  it('ramp: steps at start × factor^k', () => {
    const s = build({ kind: 'ramp', startRatePerS: 100, stepFactor: 2, stepMs: 10_000 });
    expect(s.steps.map((x) => x.ratePerS)).toEqual([100, 200, 400, 800, 1600, 3200]);
    const inStep = (k: number) => Array.from(s.step).filter((x) => x === k).length;
    expect(Math.abs(inStep(3) - 8000)).toBeLessThan(4 * Math.sqrt(8000));
  });
});

describe('--mode capacity prepares bodies for the run it was given, one fresh batch per request', () => {
  it('5,000 a second of --duration, at least 10,000, at most 100,000', () => {
    expect(defaultCapacityBodies(1_000)).toBe(10_000);
    expect(defaultCapacityBodies(3_000)).toBe(15_000);
    expect(defaultCapacityBodies(2_500)).toBe(15_000);
    expect(defaultCapacityBodies(20_000)).toBe(100_000);
    expect(defaultCapacityBodies(3_600_000)).toBe(DEFAULT_CAPACITY_MAX_REQUESTS);
  });
});
