import type { GenerateOptions, GenerateResult } from './fleet.js';
import type { EmployeeSummary } from './shard.js';

/** The figures of a `generate` run (summary.json): computed here, only presented by writers. */
export interface GenerateSummary {
  readonly fleetsim: { readonly version: string };
  readonly seed: string;
  readonly employees: number;
  readonly days: number;
  readonly startDate: string;
  /** t_ms = 0 in traces is this UTC instant. */
  readonly epochUtc: string;
  readonly events: number;
  readonly perEmployeeDay: {
    readonly keystrokes: Distribution;
    readonly clicks: Distribution;
    readonly mouseMoves: Distribution;
    readonly scrolls: Distribution;
    readonly activeMinutes: Distribution;
    readonly pauses: Distribution;
  };
  readonly wpm: Distribution;
  readonly exemptShare: number;
  readonly canariesPlanted: number;
  readonly measured: {
    readonly wallSeconds: number;
    readonly cpuSeconds: number;
    readonly workers: number;
    readonly eventsPerSecond: number;
    readonly eventsPerCpuSecond: number;
    readonly employeeDaysPerMinute: number;
  };
}

export interface Distribution {
  readonly mean: number;
  readonly sd: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { mean: 0, sd: 0, p10: 0, p50: 0, p90: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))] as number;
  return { mean: r3(mean), sd: r3(n > 1 ? Math.sqrt(ss / (n - 1)) : 0), p10: r3(q(0.1)), p50: r3(q(0.5)), p90: r3(q(0.9)), max: r3(sorted[n - 1] as number) };
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function summarizeGeneration(opts: GenerateOptions, result: GenerateResult, version: string): GenerateSummary {
  const worked = result.employees.filter((e) => e.days_worked > 0);
  const perDay = (f: (e: EmployeeSummary) => number) => distribution(worked.map((e) => f(e) / e.days_worked));
  const employeeDays = opts.employees * opts.days;
  const wallS = result.wallMs / 1000;
  const cpuS = result.cpuMs / 1000;
  return {
    fleetsim: { version },
    seed: opts.seed,
    employees: opts.employees,
    days: opts.days,
    startDate: opts.startDate,
    epochUtc: new Date(result.epochUtcMs).toISOString(),
    events: result.events,
    perEmployeeDay: {
      keystrokes: perDay((e) => e.keystrokes),
      clicks: perDay((e) => e.clicks),
      mouseMoves: perDay((e) => e.mouse_moves),
      scrolls: perDay((e) => e.scrolls),
      activeMinutes: perDay((e) => e.active_minutes),
      pauses: perDay((e) => e.pauses),
    },
    wpm: distribution(result.employees.map((e) => e.wpm)),
    exemptShare: result.employees.length ? result.employees.filter((e) => e.exempt).length / result.employees.length : 0,
    canariesPlanted: result.employees.reduce((a, e) => a + e.canaries_planted, 0),
    measured: {
      wallSeconds: r3(wallS),
      cpuSeconds: r3(cpuS),
      workers: result.workers,
      eventsPerSecond: Math.round(result.events / Math.max(wallS, 1e-9)),
      eventsPerCpuSecond: Math.round(result.events / Math.max(cpuS, 1e-9)),
      employeeDaysPerMinute: r3(employeeDays / Math.max(wallS / 60, 1e-9)),
    },
  };
}
