/**
 * Fast mode: each employee-day's events are generated once by the behaviour
 * model and counted, then every cell of the grid decides which of them it
 * would capture with the real policy code (planPauses → decidePause,
 * isExempt, withinCaptureHours). No agent: coalescing and redaction change
 * how events are stored, not whether they are captured, so the captured share
 * is the agent's `1 − (dropped_paused + dropped_exempt)/produced` (no spool or
 * loss without a network). Events do not depend on the rules or on the pause
 * and exemption traits (their streams are separate), so the cells share them.
 */
import { planPauses, simulateEmployeeDay, type WorkdayPlan } from '../behaviour/index.js';
import { wallClockHour, type DayWallClock } from '../time/index.js';
import type { EventOutput } from '../events/index.js';
import { createEmployee, employeeStream, type Employee, type PauseTraitParams } from '../population/index.js';
import {
  afterExemptionAsks,
  enrolmentExemption,
  exemptAtEnd,
  exemptionOnDay,
  withinCaptureHours,
  type ExemptionStatus,
  type PauseWindow,
  type PolicyRules,
} from '../policy/index.js';
import { deriveStream } from '../random/index.js';
import { ACTIVITY_OF_TYPE, ACTIVITY_TYPES, addGroup, emptyTally, type CellTally } from './tally.js';
import type { FleetSlice } from '../generate/shard.js';

/** What a cell changes that fast mode looks at. */
export interface FastCellSpec {
  readonly rules: PolicyRules;
  readonly pause: PauseTraitParams;
  readonly exemptionRequestShare: number;
}

/** Employees [from, to) of one replica, for every cell (each cell brings its own rules): plain data for a worker. */
export interface FastTask extends Omit<FleetSlice, 'rules'> {
  readonly cells: readonly FastCellSpec[];
}

export interface FastTaskResult {
  readonly from: number;
  readonly to: number;
  /** One tally per cell, in the task's cell order. */
  readonly tallies: CellTally[];
  readonly events: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 36 * 60;

/**
 * One employee-day's events, counted as they are written (never stored as
 * blocks): times per activity type, and produced counts per hour and minute.
 * The agent gates on whole milliseconds (Math.round), so hours and minutes here
 * are of the rounded time too.
 */
class DayCounter implements EventOutput {
  readonly times: Float64Array[] = ACTIVITY_TYPES.map(() => new Float64Array(1 << 16));
  readonly lengths = new Int32Array(ACTIVITY_TYPES.length);
  /** Events per [activity][clock minute since dayStart] (a day of work fits in 36 h). */
  readonly byMinute = new Int32Array(3 * DAY_MINUTES);
  /** Filled by seal(): all activities per minute; the wall-clock hour of each minute; per [local hour][activity] and [UTC hour][activity]. */
  readonly minutes = new Int32Array(DAY_MINUTES);
  readonly localHourOfMinute = new Uint8Array(DAY_MINUTES);
  readonly localHour = new Float64Array(24 * 3);
  readonly utcHour = new Float64Array(24 * 3);
  dayStartMs = 0;
  epochUtcMs = 0;
  wallClock: DayWallClock = { beforeMs: 0, afterMs: 0, switchMs: Infinity };
  total = 0;
  /** dayStart − 0.5: floor((t − this) / minute) is the minute of Math.round(t), as the agent gates on. */
  private minuteBase = -0.5;

  reset(dayStartMs: number, epochUtcMs: number, wallClock: DayWallClock): void {
    this.lengths.fill(0);
    this.byMinute.fill(0);
    this.dayStartMs = dayStartMs;
    this.epochUtcMs = epochUtcMs;
    this.wallClock = wallClock;
    this.minuteBase = dayStartMs - 0.5;
    this.total = 0;
  }

  push(tMs: number, type: number): void {
    const a = ACTIVITY_OF_TYPE[type] as number;
    let arr = this.times[a]!;
    const n = this.lengths[a]!;
    if (n === arr.length) {
      const grown = new Float64Array(arr.length * 2);
      grown.set(arr);
      this.times[a] = arr = grown;
    }
    arr[n] = tMs;
    this.lengths[a] = n + 1;
    this.byMinute[a * DAY_MINUTES + Math.floor((tMs - this.minuteBase) / MINUTE_MS)]!++;
  }

  /** Sorts each type's times (typing writes key-ups after later key-downs). */
  seal(): void {
    for (let a = 0; a < this.times.length; a++) {
      const arr = this.times[a]!;
      const n = this.lengths[a]!;
      let sorted = true;
      for (let i = 1; i < n; i++)
        if (arr[i]! < arr[i - 1]!) {
          sorted = false;
          break;
        }
      if (!sorted) arr.subarray(0, n).sort();
    }
    this.minutes.fill(0);
    this.localHour.fill(0);
    this.utcHour.fill(0);
    // Offsets are whole minutes and change only at whole quarter hours of UTC: each minute lies in one
    // local and one UTC hour. Local minute m is UTC minute-of-day (dayStart + epoch)/minute + m.
    const utcMinute0 = Math.round((this.dayStartMs + this.epochUtcMs) / MINUTE_MS);
    for (let m = 0; m < DAY_MINUTES; m++) this.localHourOfMinute[m] = wallClockHour(this.wallClock, this.dayStartMs + m * MINUTE_MS);
    let total = 0;
    for (let a = 0; a < 3; a++) {
      for (let m = 0; m < DAY_MINUTES; m++) {
        const k = this.byMinute[a * DAY_MINUTES + m]!;
        if (k === 0) continue;
        total += k;
        this.minutes[m]! += k;
        this.localHour[this.localHourOfMinute[m]! * 3 + a]! += k;
        this.utcHour[Math.floor(((((utcMinute0 + m) % 1440) + 1440) % 1440) / 60) * 3 + a]! += k;
      }
    }
    this.total = total;
  }

  /** Events of activity a whose rounded time lies in [fromMs, toMs) (integer bounds). */
  count(a: number, fromMs: number, toMs: number): number {
    const arr = this.times[a]!;
    const n = this.lengths[a]!;
    return lowerBound(arr, n, toMs - 0.5) - lowerBound(arr, n, fromMs - 0.5);
  }
}

function lowerBound(arr: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Intervals (virtual ms) of [fromMs, toMs) whose wall-clock time (as `clock` reads it) is
 * outside the capture hours, via the policy's own withinCaptureHours: as the agent and the
 * ingest service judge them, so on a DST-switch day the hours move with the clock.
 */
export function outsideCaptureHours(
  fromMs: number,
  toMs: number,
  clock: DayWallClock,
  rules: PolicyRules,
): { startMs: number; endMs: number }[] {
  const h = rules.captureHours;
  if (h === null) return [];
  // Boundaries of the allowed set; between consecutive boundaries withinCaptureHours is constant.
  const cuts = [...new Set([0, 24, Math.min(24, Math.max(0, h.startHour)), Math.min(24, Math.max(0, h.endHour))])].sort((a, b) => a - b);
  const outside: [number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    if (!withinCaptureHours((a + b) / 2, rules)) outside.push([Math.round(a * HOUR_MS), Math.round(b * HOUR_MS)]);
  }
  // Stretches of one UTC offset; in each, every local day's outside hours mapped back to virtual ms.
  const pieces: [number, number, number][] =
    clock.switchMs > fromMs && clock.switchMs < toMs
      ? [
          [fromMs, clock.switchMs, clock.beforeMs],
          [clock.switchMs, toMs, clock.afterMs],
        ]
      : [[fromMs, toMs, fromMs < clock.switchMs ? clock.beforeMs : clock.afterMs]];
  const out: { startMs: number; endMs: number }[] = [];
  for (const [from, to, shift] of pieces) {
    for (let midnight = Math.floor((from + shift) / DAY_MS) * DAY_MS; midnight < to + shift; midnight += DAY_MS) {
      for (const [a, b] of outside) {
        const startMs = Math.max(from, midnight + a - shift);
        const endMs = Math.min(to, midnight + b - shift);
        if (endMs > startMs) out.push({ startMs, endMs });
      }
    }
  }
  return out;
}

/** Sorted, merged union of intervals. */
function union(intervals: { startMs: number; endMs: number }[]): { startMs: number; endMs: number }[] {
  const sorted = intervals.filter((w) => w.endMs > w.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: { startMs: number; endMs: number }[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.startMs <= last.endMs) last.endMs = Math.max(last.endMs, w.endMs);
    else out.push({ startMs: w.startMs, endMs: w.endMs });
  }
  return out;
}

/** Runs one task: employees [from, to) of one replica, every cell. Deterministic in (seed, index). */
export function runFastTask(task: FastTask): FastTaskResult {
  const tallies = task.cells.map(() => emptyTally());
  const counter = new DayCounter();
  const epoch = task.calendar.epochUtcMs;
  // Cells that differ only in rules share employees; pause traits and exemption requests come from separate streams.
  const variantKeys = task.cells.map((c) => JSON.stringify([c.pause, c.exemptionRequestShare]));
  const uniqueKeys = [...new Set(variantKeys)];
  let events = 0;
  for (let i = task.from; i < task.to; i++) {
    const base = createEmployee(task.seed, i, task.population);
    const variants = new Map<string, { readonly employee: Employee }>();
    for (const key of uniqueKeys) {
      const cell = task.cells[variantKeys.indexOf(key)]!;
      variants.set(key, {
        employee: createEmployee(task.seed, i, {
          ...task.population,
          pause: cell.pause,
          exemptionRequestShare: cell.exemptionRequestShare,
        }),
      });
    }
    // Per cell, carried across days as the agent path carries it (afterExemptionAsks after each day).
    const exemption: ExemptionStatus[] = task.cells.map((c, k) => {
      const e = variants.get(variantKeys[k]!)!.employee;
      return enrolmentExemption(e.exemptionRequested, e.exemptionDraw, c.rules);
    });
    const env = {
      seed: task.seed,
      calendar: task.calendar,
      behaviour: task.behaviour,
      pauseTraits: task.population.pause,
      rules: task.cells[0]?.rules ?? ({} as PolicyRules),
    };
    for (let d = 0; d < task.days; d++) {
      let plan: WorkdayPlan | undefined;
      simulateEmployeeDay(base, d, env, counter, (p) => {
        plan = p.plan;
        counter.reset(p.plan.dayStartMs, epoch, p.plan.wallClock);
      });
      // A day off has no input and no pauses (planPauses), so no asks: nothing to count or carry.
      if (!plan || !plan.working) continue;
      counter.seal();
      events += counter.total;
      const pauseStream = () => deriveStream(deriveStream(employeeStream(task.seed, i, 'day'), d), 'pause');
      task.cells.forEach((cell, k) => {
        const employee = variants.get(variantKeys[k]!)!.employee;
        const pauses = planPauses(employee, plan!, pauseStream(), cell.rules, cell.pause);
        tallyDay(tallies[k]!, counter, base, pauses.windows, exemptionOnDay(exemption[k]!, d).kind !== 'none', cell.rules, epoch);
        exemption[k] = afterExemptionAsks(exemption[k]!, d, pauses.exemptionAskDraws, cell.rules);
      });
    }
    task.cells.forEach((_, k) => {
      const t = tallies[k]!;
      t.employees++;
      if (exemptAtEnd(exemption[k]!, task.days)) t.exempt++;
    });
  }
  return { from: task.from, to: task.to, tallies, events };
}

function tallyDay(
  t: CellTally,
  c: DayCounter,
  e: Employee,
  windows: readonly PauseWindow[],
  exempt: boolean,
  rules: PolicyRules,
  epoch: number,
): void {
  t.workedDays++;
  t.pauses += windows.length;
  for (const w of windows) t.pausedMinutes += (w.endMs - w.startMs) / MINUTE_MS;

  // Denied: everything when exempt; else pause windows and hours outside capture hours, split at
  // minute boundaries so each piece lies in one local (wall-clock) and one UTC hour.
  const deniedLocal = new Float64Array(24 * 3);
  const deniedUtc = new Float64Array(24 * 3);
  let deniedActiveMinutes = 0;
  if (exempt) {
    deniedLocal.set(c.localHour);
    deniedUtc.set(c.utcHour);
    for (let m = 0; m < c.minutes.length; m++) if (c.minutes[m]! > 0) deniedActiveMinutes++;
  } else {
    const dayEndMs = c.dayStartMs + c.minutes.length * MINUTE_MS;
    const denied = union([
      ...windows.map((w) => ({ startMs: w.startMs, endMs: w.endMs })),
      ...outsideCaptureHours(c.dayStartMs, dayEndMs, c.wallClock, rules),
    ]);
    const deniedPerMinute = new Map<number, number>();
    for (const w of denied) {
      let from = Math.max(w.startMs, c.dayStartMs);
      const to = Math.min(w.endMs, dayEndMs);
      while (from < to) {
        const sinceDay = from - c.dayStartMs;
        // Minute pieces: offsets are whole minutes and change only at whole quarter hours, so a piece lies in one local and one UTC hour.
        const end = Math.min(to, c.dayStartMs + (Math.floor(sinceDay / MINUTE_MS) + 1) * MINUTE_MS);
        const minute = Math.floor(sinceDay / MINUTE_MS);
        if (c.minutes[minute]! > 0) {
          const localH = c.localHourOfMinute[minute]!;
          const utcH = Math.floor(((((from + epoch) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
          let inPiece = 0;
          for (let a = 0; a < 3; a++) {
            const n = c.count(a, from, end);
            if (n === 0) continue;
            inPiece += n;
            deniedLocal[localH * 3 + a]! += n;
            deniedUtc[utcH * 3 + a]! += n;
          }
          if (inPiece > 0) deniedPerMinute.set(minute, (deniedPerMinute.get(minute) ?? 0) + inPiece);
        }
        from = end;
      }
    }
    for (const [m, n] of deniedPerMinute) if (n >= c.minutes[m]!) deniedActiveMinutes++;
  }

  let activeMinutes = 0;
  for (let m = 0; m < c.minutes.length; m++) if (c.minutes[m]! > 0) activeMinutes++;
  t.activeMinutes += activeMinutes;
  t.capturedActiveMinutes += activeMinutes - deniedActiveMinutes;

  const activityProduced = [0, 0, 0];
  const activityCaptured = [0, 0, 0];
  let produced = 0;
  let captured = 0;
  for (let h = 0; h < 24; h++) {
    let pl = 0;
    let cl = 0;
    let pu = 0;
    let cu = 0;
    for (let a = 0; a < 3; a++) {
      const p = c.localHour[h * 3 + a]!;
      const k = p - deniedLocal[h * 3 + a]!;
      pl += p;
      cl += k;
      activityProduced[a]! += p;
      activityCaptured[a]! += k;
      pu += c.utcHour[h * 3 + a]!;
      cu += c.utcHour[h * 3 + a]! - deniedUtc[h * 3 + a]!;
    }
    if (pl > 0) addGroup(t.groups.local_hour, String(h), pl, cl);
    if (pu > 0) addGroup(t.groups.utc_hour, String(h), pu, cu);
    produced += pl;
    captured += cl;
  }
  ACTIVITY_TYPES.forEach((name, a) => addGroup(t.groups.activity, name, activityProduced[a]!, activityCaptured[a]!));
  addGroup(t.groups.department, e.department, produced, captured);
  addGroup(t.groups.role, e.role, produced, captured);
  addGroup(t.groups.timezone, e.timezone, produced, captured);
  t.produced += produced;
  t.captured += captured;
}
