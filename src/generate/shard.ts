import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { dayEnvironment, simulateEmployeeDay, type BehaviourParams } from '../behaviour/index.js';
import type { SimulationCalendar } from '../time/index.js';
import {
  EVENT_TYPE_NAMES,
  EventType,
  EventWriter,
  INPUT_CONTEXT_NAMES,
  MOUSE_BUTTON_NAMES,
  keyName,
  type EventBlock,
} from '../events/index.js';
import { ActivityCounter } from '../metrics/activity.js';
import { createEmployee, type PopulationParams } from '../population/index.js';
import { afterExemptionAsks, enrolmentExemption, exemptAtEnd, type PolicyRules } from '../policy/index.js';

/**
 * Employees [from, to) of a seeded fleet for some days, and everything their
 * behaviour depends on: what every worker task (generate, run, sweep) starts
 * from. Plain data, so it crosses thread boundaries.
 */
export interface FleetSlice {
  readonly seed: string;
  readonly from: number;
  readonly to: number;
  readonly days: number;
  readonly calendar: SimulationCalendar;
  readonly population: PopulationParams;
  readonly behaviour: BehaviourParams;
  readonly rules: PolicyRules;
}

export interface GenerateShardTask extends FleetSlice {
  /** When set, raw events of this shard are written here as CSV rows (no header). */
  readonly tracePartPath?: string;
}

/** One row of employees.csv. */
export interface EmployeeSummary {
  readonly employee_id: string;
  readonly department: string;
  readonly role: string;
  readonly wpm: number;
  readonly keystrokes: number;
  readonly clicks: number;
  readonly mouse_moves: number;
  readonly scrolls: number;
  readonly active_minutes: number;
  readonly pauses: number;
  readonly paused_minutes: number;
  /** Requested an exemption at enrolment and was approved: exempt from day 0. */
  readonly exempt_at_enrolment: boolean;
  /**
   * Exempt by the end of the generated days: at enrolment, or through an ask
   * (when the pause cap cut a pause short) approved and taking effect at the
   * start of one of the generated days. The same reckoning as `fleetsim run`'s `exempt`.
   */
  readonly exempt_at_end: boolean;
  readonly office: string;
  readonly timezone: string;
  readonly days_worked: number;
  readonly events: number;
  readonly canaries_planted: number;
  readonly pause_requests: number;
  readonly pauses_cut_by_cap: number;
  /** Exemption asks made when the cap cut a pause short (each approved at the policy's rate, effective after review). */
  readonly exemption_asks: number;
}

export interface GenerateShardResult {
  readonly from: number;
  readonly to: number;
  readonly employees: readonly EmployeeSummary[];
  readonly events: number;
  /** CPU time of this shard's thread, in ms (user + system). */
  readonly cpuMs: number;
}

export const EMPLOYEE_SUMMARY_COLUMNS: readonly (keyof EmployeeSummary)[] = [
  'employee_id',
  'department',
  'role',
  'wpm',
  'keystrokes',
  'clicks',
  'mouse_moves',
  'scrolls',
  'active_minutes',
  'pauses',
  'paused_minutes',
  'exempt_at_enrolment',
  'exempt_at_end',
  'office',
  'timezone',
  'days_worked',
  'events',
  'canaries_planted',
  'pause_requests',
  'pauses_cut_by_cap',
  'exemption_asks',
];

export const TRACE_COLUMNS = ['employee_id', 't_ms', 'type', 'key', 'x', 'y', 'button', 'context'] as const;

/** Generates employees [from, to) for every simulated day; deterministic in (seed, index) alone. */
export function generateShard(task: GenerateShardTask): GenerateShardResult {
  const cpuStart = process.cpuUsage();
  const counter = new ActivityCounter();
  const traceFd = task.tracePartPath ? openSync(task.tracePartPath, 'w') : null;
  let currentId = '';
  const writer = new EventWriter((block) => {
    counter.add(block);
    if (traceFd !== null) writeSync(traceFd, traceRows(currentId, block));
  });
  const env = dayEnvironment(task);
  const employees: EmployeeSummary[] = [];
  let events = 0;
  try {
    for (let i = task.from; i < task.to; i++) {
      const employee = createEmployee(task.seed, i, task.population);
      currentId = employee.id;
      let pauses = 0;
      let pausedMinutes = 0;
      let pauseRequests = 0;
      let cutByCap = 0;
      let daysWorked = 0;
      let canaries = 0;
      let asks = 0;
      // Carried over the days as `fleetsim run` carries it, with the same policy functions.
      const enrolment = enrolmentExemption(employee.exemptionRequested, employee.exemptionDraw, task.rules);
      let exemption = enrolment;
      for (let d = 0; d < task.days; d++) {
        const day = simulateEmployeeDay(employee, d, env, writer);
        if (day.plan.working) daysWorked++;
        pauses += day.pauses.windows.length;
        pausedMinutes += day.pauses.grantedMinutes;
        pauseRequests += day.pauses.requests;
        cutByCap += day.pauses.cutByCap;
        asks += day.pauses.exemptionAsks;
        canaries += day.canaries.length;
        exemption = afterExemptionAsks(exemption, d, day.pauses.exemptionAskDraws, task.rules);
      }
      writer.flush();
      const c = counter.reset();
      events += c.events;
      employees.push({
        employee_id: employee.id,
        department: employee.department,
        role: employee.role,
        wpm: round(employee.typing.wpm, 1),
        keystrokes: c.keystrokes,
        clicks: c.clicks,
        mouse_moves: c.mouseMoves,
        scrolls: c.scrolls,
        active_minutes: c.activeMinutes,
        pauses,
        paused_minutes: round(pausedMinutes, 1),
        exempt_at_enrolment: enrolment.kind === 'enrolled',
        exempt_at_end: exemptAtEnd(exemption, task.days),
        office: employee.office,
        timezone: employee.timezone,
        days_worked: daysWorked,
        events: c.events,
        canaries_planted: canaries,
        pause_requests: pauseRequests,
        pauses_cut_by_cap: cutByCap,
        exemption_asks: asks,
      });
    }
  } finally {
    if (traceFd !== null) closeSync(traceFd);
  }
  const cpu = process.cpuUsage(cpuStart);
  return { from: task.from, to: task.to, employees, events, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function traceRows(employeeId: string, b: EventBlock): string {
  const rows: (string | number)[][] = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const type = b.type[i] as number;
    const isKey = type === EventType.keydown || type === EventType.keyup;
    const isMouse = !isKey;
    rows[i] = [
      employeeId,
      Math.round((b.t_ms[i] as number) * 1000) / 1000,
      EVENT_TYPE_NAMES[type] ?? String(type),
      isKey ? keyName(b.key[i] as number) : type === EventType.wheel ? (b.key[i] as number) : '',
      isMouse ? (b.x[i] as number) : '',
      isMouse ? (b.y[i] as number) : '',
      type === EventType.mousedown || type === EventType.mouseup ? (MOUSE_BUTTON_NAMES[b.button[i] as number] ?? '') : '',
      INPUT_CONTEXT_NAMES[b.context[i] as number] ?? String(b.context[i]),
    ];
  }
  return stringify(rows);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
