import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/run/index.js';
import type { Scenario } from '../../src/scenario/index.js';

/** One paced step: N laptops at real time over a window of the busiest UTC hours. */
export interface RealtimeStep {
  readonly laptops: number;
  readonly wall_s: number;
  readonly setup_s: number;
  readonly uploads: number;
  readonly upload_errors: number;
  /** Answers by HTTP status (or network error), the errors' breakdown. */
  readonly upload_statuses: Readonly<Record<string, number>>;
  readonly lag_p50_ms: number | null;
  readonly lag_p99_ms: number | null;
  readonly lag_max_ms: number | null;
  readonly on_schedule: boolean;
  /** Peak resident memory of the process so far (MB; the largest step so far sets it): the fleet's state lives in the worker threads. */
  readonly peak_rss_mb: number;
  /** Peak RSS over what the process held before its first step, per laptop (KB): what each laptop costs. */
  readonly rss_kb_per_laptop: number;
}

/** Resident memory before any fleet was set up (MB), the base of rss_kb_per_laptop. */
const BASE_RSS_MB = process.memoryUsage().rss / 2 ** 20;

/**
 * Runs `base` with speed 1 over `minutes` from day 1 at `at` UTC for N
 * laptops, through real HTTP to the embedded ingest service: how late the
 * agents' timers fired tells whether the machine kept real time.
 */
export async function realtimeStep(base: Scenario, laptops: number, workers: number, at: string, minutes: number): Promise<RealtimeStep> {
  const [hh = 0, mm = 0] = at.split(':').map(Number);
  const startMs = (hh * 60 + mm) * 60_000;
  const s: Scenario = {
    ...base,
    fleet: { ...base.fleet, employees: laptops },
    simulation: {
      ...base.simulation,
      days: 1,
      speed: 1,
      window: { day: 1, at, durationMinutes: minutes, startMs, endMs: startMs + minutes * 60_000 },
    },
    thresholds: [],
  };
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-bench-realtime-'));
  try {
    const r = await runScenario(s, { reportDir: dir, workers });
    const f = r.figures;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    return {
      laptops,
      wall_s: f.simulation.wall_seconds,
      setup_s: Math.round((f.simulation.wall_seconds - minutes * 60) * 10) / 10,
      uploads: f.ingest.requests,
      upload_errors: f.ingest.errors,
      upload_statuses: f.ingest.by_status,
      lag_p50_ms: f.paced?.schedule_lag_p50_ms ?? null,
      lag_p99_ms: f.paced?.schedule_lag_p99_ms ?? null,
      lag_max_ms: f.paced?.schedule_lag_max_ms ?? null,
      on_schedule: (f.paced?.on_schedule ?? false) && f.ingest.errors === 0,
      peak_rss_mb: Math.round(peakRssMb),
      rss_kb_per_laptop: Math.round(((peakRssMb - BASE_RSS_MB) * 1024) / laptops),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The most laptops this machine keeps in real time: steps up through `steps`
 * and stops at the first that falls behind (p99 timer lateness over 1 s, or
 * upload errors). Null when even the first step falls behind.
 */
export async function findRealtimeLaptops(
  base: Scenario,
  o: {
    readonly steps: readonly number[];
    readonly workers: number;
    readonly at: string;
    readonly minutes: number;
    readonly onStep?: (s: RealtimeStep) => void;
  },
): Promise<{ readonly realtime_laptops: number | null; readonly steps: readonly RealtimeStep[] }> {
  const steps: RealtimeStep[] = [];
  let best: number | null = null;
  for (const n of o.steps) {
    const step = await realtimeStep(base, n, o.workers, o.at, o.minutes);
    steps.push(step);
    o.onStep?.(step);
    if (!step.on_schedule) break;
    best = n;
  }
  return { realtime_laptops: best, steps };
}
