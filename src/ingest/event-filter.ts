/**
 * Server-side refusal of individual events: pure functions over the events'
 * times (all the check needs, so the service decodes no other column unless
 * something is refused), no I/O. An event is refused when it falls inside a recorded
 * pause window, or, when the rules limit capture to working hours and the
 * device's timezone is known, outside those hours in the device's local time
 * (the agent's rule, src/agent/agent.ts capture(): both are a scheduled pause).
 */
import { allocateBlock, type EventBlock } from '../events/index.js';
import { withinCaptureHours, type PolicyRules } from '../policy/index.js';

/** The capture-hours rule for one device: the rules and the device's UTC offset (minutes east) at an instant. */
export interface CaptureHoursCheck {
  readonly rules: PolicyRules;
  readonly utcOffsetMinutes: (utcMs: number) => number;
}

export interface EventRefusals {
  /** One flag per event, 1 = kept; null when all are kept (the common case: nothing to copy). */
  readonly keep: Uint8Array | null;
  readonly inPauses: number;
  readonly outsideHours: number;
}

const NONE_REFUSED: EventRefusals = { keep: null, inPauses: 0, outsideHours: 0 };
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Times: the batch's event times in order. Pause windows sorted and disjoint (as PolicyState keeps them); hours null
 * when the rule is off or the timezone unknown.
 */
export function refuseEvents(
  times: Float64Array,
  windows: readonly { startMs: number; endMs: number }[],
  hours: CaptureHoursCheck | null,
): EventRefusals {
  const n = times.length;
  if (n === 0) return NONE_REFUSED;
  const first = times[0]!;
  const last = times[n - 1]!;
  let overlaps = false;
  for (const w of windows) if (w.startMs <= last && w.endMs > first) overlaps = true;
  const checkHours = hours !== null && hours.rules.captureHours !== null;
  if (!overlaps && !checkHours) return NONE_REFUSED;
  // One offset for the batch unless it spans an offset change (a DST switch), then one per event.
  const firstOffsetMs = checkHours ? hours.utcOffsetMinutes(first) * 60_000 : 0;
  const constantOffset = !checkHours || hours.utcOffsetMinutes(last) * 60_000 === firstOffsetMs;
  const keep = new Uint8Array(n);
  let inPauses = 0;
  let outsideHours = 0;
  let wi = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    while (wi < windows.length && windows[wi]!.endMs <= t) wi++;
    const w = windows[wi];
    if (w !== undefined && t >= w.startMs) {
      inPauses++;
      continue;
    }
    if (checkHours) {
      const local = t + (constantOffset ? firstOffsetMs : hours.utcOffsetMinutes(t) * 60_000);
      if (!withinCaptureHours((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS, hours.rules)) {
        outsideHours++;
        continue;
      }
    }
    keep[i] = 1;
  }
  return inPauses + outsideHours === 0 ? NONE_REFUSED : { keep, inPauses, outsideHours };
}

/** The events whose keep flag is set (refuseEvents' keep over the same batch), in order. */
export function keptEvents(ev: EventBlock, keep: Uint8Array): EventBlock {
  let kept = 0;
  for (let i = 0; i < ev.length; i++) kept += keep[i]!;
  const out = allocateBlock(kept);
  let o = 0;
  for (let i = 0; i < ev.length; i++) {
    if (!keep[i]) continue;
    out.t_ms[o] = ev.t_ms[i]!;
    out.type[o] = ev.type[i]!;
    out.key[o] = ev.key[i]!;
    out.x[o] = ev.x[i]!;
    out.y[o] = ev.y[i]!;
    out.button[o] = ev.button[i]!;
    out.context[o] = ev.context[i]!;
    out.flags[o] = ev.flags[i]!;
    o++;
  }
  return out;
}
