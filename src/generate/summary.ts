import type { GenerateOptions, GenerateResult } from './fleet.js';
import { distribution, r3, type Distribution } from '../metrics/distribution.js';
import type { EmployeeSummary } from './shard.js';

export { distribution, type Distribution };

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
  /** Shares of employees exempt at enrolment and by the end of the generated days (approved asks included). */
  readonly exemptShareAtEnrolment: number;
  readonly exemptShareAtEnd: number;
  /** Exemption asks (the cap cut a pause short and the employee asked) over the generated days. */
  readonly exemptionAsks: number;
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

export function summarizeGeneration(opts: GenerateOptions, result: GenerateResult, version: string): GenerateSummary {
  const worked = result.employees.filter((e) => e.days_worked > 0);
  const perDay = (f: (e: EmployeeSummary) => number) => distribution(worked.map((e) => f(e) / e.days_worked));
  const employeeDays = opts.employees * opts.days;
  const wallS = result.wallMs / 1000;
  const cpuS = result.cpuMs / 1000;
  const share = (f: (e: EmployeeSummary) => boolean) =>
    result.employees.length ? result.employees.filter(f).length / result.employees.length : 0;
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
    exemptShareAtEnrolment: share((e) => e.exempt_at_enrolment),
    exemptShareAtEnd: share((e) => e.exempt_at_end),
    exemptionAsks: result.employees.reduce((a, e) => a + e.exemption_asks, 0),
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
