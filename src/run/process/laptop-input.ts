/**
 * A laptop's input over a real-time window, composed the way a paced run
 * composes it (src/run/realtime/paced-laptop.ts): days that ended before the
 * window only carry their exemption asks; the day in progress starts at the
 * window (a seeded variant of the whole day); the next day starts at local
 * midnight. What the harness replays is this, on the agent's clock.
 */
import type { UiAction } from '../../input/types.js';
import { composeEmployeeDay, type DayEnvironment, type DayPlanned } from '../../behaviour/index.js';
import { localDayStartMs } from '../../time/index.js';
import { EventWriter, allocateBlock, concatBlocks, copyEventInto, copyBlock, type EventBlock } from '../../events/index.js';
import { countEventKinds, type EventsByKind } from '../../metrics/delivery.js';
import { isScannableCanary } from '../../metrics/leaks.js';

export type { EventsByKind };
import { createEmployee, type Employee } from '../../population/index.js';
import { afterExemptionAsks, enrolmentExemption, exemptionOnDay } from '../../policy/index.js';
import type { Scenario } from '../../scenario/index.js';
import { ActiveMinutes } from '../laptop-day.js';

export interface WindowInput {
  readonly employee: Employee;
  /** The events of [fromUtcMs, untilUtcMs), times on the agent's clock (UTC epoch ms of the simulated day). */
  readonly events: EventBlock;
  readonly byKind: EventsByKind;
  /** What the employee does in the agent's menu: pause requests and exemptions, in time order. */
  readonly ui: readonly UiAction[];
  /** Planted secrets long enough to scan the store for. */
  readonly canaries: readonly string[];
  /** Minutes of the window with input. */
  readonly activeMinutes: number;
  /** Hours from arrival to leaving on the window's day (0 on a day off): what a day's figures scale to. */
  readonly workHours: number;
  readonly exempt: boolean;
}

/** The run's window in true time: laptops switch on at fromUtcMs; input stops at untilUtcMs. */
export interface InputWindow {
  readonly fromUtcMs: number;
  readonly untilUtcMs: number;
}

/** Composes employee `index`'s input over the window; deterministic in (seed, index, window). */
export function composeWindowInput(s: Scenario, env: DayEnvironment, index: number, w: InputWindow): WindowInput {
  const employee = createEmployee(s.seed, index, s.population);
  const cal = env.calendar;
  const epoch = cal.epochUtcMs;
  const fromMs = w.fromUtcMs - epoch;
  const untilMs = w.untilUtcMs - epoch;
  const blocks: EventBlock[] = [];
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)), 4_096);
  let exemption = enrolmentExemption(employee.exemptionRequested, employee.exemptionDraw, s.rules);
  const days = s.simulation.days;
  let d = 0;
  while (d < days && localDayStartMs(cal, employee.timezone, d + 1) <= fromMs) {
    const steps = composeEmployeeDay(employee, d, env, writer, undefined, Infinity);
    let r = steps.next();
    while (!r.done) r = steps.next();
    exemption = afterExemptionAsks(exemption, d, r.value.pauses.exemptionAskDraws, s.rules);
    d++;
  }
  writer.flush();
  blocks.length = 0;
  const ui: UiAction[] = [];
  const canaries: string[] = [];
  let workHours = 0;
  let exempt = false;
  for (let first = true; d < days && (first || localDayStartMs(cal, employee.timezone, d) < untilMs); d++, first = false) {
    let planned: DayPlanned | null = null;
    const steps = composeEmployeeDay(employee, d, env, writer, (p) => (planned = p), first ? fromMs : -Infinity);
    let r = steps.next();
    while (!r.done && r.value <= untilMs) r = steps.next();
    const p = planned as DayPlanned | null;
    if (!p) continue;
    const today = exemptionOnDay(exemption, d);
    if (today.kind === 'exempt') {
      exempt = true;
      ui.push({ kind: 'exempt', atMs: w.fromUtcMs });
    } else if (today.kind === 'starts') {
      exempt = true;
      ui.push({ kind: 'exempt', atMs: Math.max(w.fromUtcMs, p.plan.dayStartMs + epoch) });
    }
    for (const win of p.pauses.windows) {
      if (win.endMs <= fromMs || win.startMs >= untilMs) continue;
      ui.push({ kind: 'pause', atMs: win.startMs + epoch, wantedMs: win.endMs - win.startMs, dayStartMs: p.plan.dayStartMs + epoch });
    }
    if (first) workHours = p.plan.working ? (p.plan.leaveMs - p.plan.arriveMs) / 3_600_000 : 0;
    canaries.push(...p.canaries.filter(isScannableCanary));
    if (r.done) exemption = afterExemptionAsks(exemption, d, r.value.pauses.exemptionAskDraws, s.rules);
  }
  writer.flush();
  const all = concatBlocks(blocks);
  const events = window(all, fromMs, untilMs, epoch);
  const minutes = new ActiveMinutes();
  minutes.add(events);
  return {
    employee,
    events,
    byKind: countKinds(events),
    ui: ui.sort((a, b) => a.atMs - b.atMs),
    canaries,
    activeMinutes: minutes.count,
    workHours,
    exempt,
  };
}

/** Events with fromMs ≤ t < untilMs (ms since the epoch), moved onto the agent's clock (+ epoch). */
function window(b: EventBlock, fromMs: number, untilMs: number, epoch: number): EventBlock {
  let n = 0;
  for (let i = 0; i < b.length; i++) if ((b.t_ms[i] as number) >= fromMs && (b.t_ms[i] as number) < untilMs) n++;
  const out = allocateBlock(n);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    const t = b.t_ms[i] as number;
    if (t < fromMs || t >= untilMs) continue;
    copyEventInto(out, j++, b, i, t + epoch);
  }
  return out;
}

export function countKinds(b: EventBlock): EventsByKind {
  return countEventKinds(b);
}
