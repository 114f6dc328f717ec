/**
 * What one replica of one cell counted: produced and captured events by
 * group, plus per-employee figures. Plain data, summed across shards.
 */
import { EventType } from '../events/index.js';

/** Activity types the representativeness figures compare (keydown/keyup; mouse move/down/up; wheel). */
export const ACTIVITY_TYPES = ['key', 'mouse', 'scroll'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Index into ACTIVITY_TYPES of each EventType code (keydown/keyup → key; mousemove/down/up → mouse; wheel → scroll). */
export const ACTIVITY_OF_TYPE: Readonly<Uint8Array> = (() => {
  const a = new Uint8Array(8);
  a[EventType.mousemove] = a[EventType.mousedown] = a[EventType.mouseup] = 1;
  a[EventType.wheel] = 2;
  return a;
})();

/** Dimensions yield and representativeness are broken down by. */
export const DIMENSIONS = ['department', 'role', 'timezone', 'utc_hour', 'local_hour', 'activity'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** [produced, captured] per group of a dimension. */
export type GroupCounts = Record<string, [produced: number, captured: number]>;

export interface CellTally {
  employees: number;
  exempt: number;
  /** Employee-days worked. */
  workedDays: number;
  /** Pauses granted on worked days. */
  pauses: number;
  pausedMinutes: number;
  produced: number;
  captured: number;
  /** Clock minutes with input, and with at least one captured event. */
  activeMinutes: number;
  capturedActiveMinutes: number;
  groups: Record<Dimension, GroupCounts>;
}

export function emptyTally(): CellTally {
  return {
    employees: 0,
    exempt: 0,
    workedDays: 0,
    pauses: 0,
    pausedMinutes: 0,
    produced: 0,
    captured: 0,
    activeMinutes: 0,
    capturedActiveMinutes: 0,
    groups: { department: {}, role: {}, timezone: {}, utc_hour: {}, local_hour: {}, activity: {} },
  };
}

export function addGroup(g: GroupCounts, key: string, produced: number, captured: number): void {
  const c = (g[key] ??= [0, 0]);
  c[0] += produced;
  c[1] += captured;
}

/** a += b. */
export function mergeTally(a: CellTally, b: CellTally): CellTally {
  a.employees += b.employees;
  a.exempt += b.exempt;
  a.workedDays += b.workedDays;
  a.pauses += b.pauses;
  a.pausedMinutes += b.pausedMinutes;
  a.produced += b.produced;
  a.captured += b.captured;
  a.activeMinutes += b.activeMinutes;
  a.capturedActiveMinutes += b.capturedActiveMinutes;
  for (const d of Object.keys(b.groups) as Dimension[]) {
    for (const [k, [p, c]] of Object.entries(b.groups[d])) addGroup(a.groups[d], k, p, c);
  }
  return a;
}
