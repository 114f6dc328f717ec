import { EventType, type EventBlock } from '../events/index.js';

/**
 * Counts of one employee's input events, computed from the event blocks
 * themselves (so a summary reports what was generated, not what was planned).
 * Events must arrive in non-decreasing time per employee.
 */
export interface ActivityCounts {
  events: number;
  keystrokes: number;
  clicks: number;
  mouseMoves: number;
  scrolls: number;
  /** Distinct wall-clock minutes (of virtual time) with at least one input event. */
  activeMinutes: number;
  canaryKeystrokes: number;
}

export function emptyActivityCounts(): ActivityCounts {
  return { events: 0, keystrokes: 0, clicks: 0, mouseMoves: 0, scrolls: 0, activeMinutes: 0, canaryKeystrokes: 0 };
}

const MINUTE_MS = 60_000;

/** Accumulates counts block by block; `reset` between employees. */
export class ActivityCounter {
  counts = emptyActivityCounts();
  private lastMinute = -Infinity;

  add(b: EventBlock): void {
    const c = this.counts;
    c.events += b.length;
    let last = this.lastMinute;
    for (let i = 0; i < b.length; i++) {
      const type = b.type[i];
      if (type === EventType.mousemove) c.mouseMoves++;
      else if (type === EventType.keydown) {
        c.keystrokes++;
        if ((b.flags[i] as number) & 1) c.canaryKeystrokes++;
      } else if (type === EventType.mousedown) c.clicks++;
      else if (type === EventType.wheel) c.scrolls++;
      const minute = Math.floor((b.t_ms[i] as number) / MINUTE_MS);
      if (minute !== last) {
        c.activeMinutes++;
        last = minute;
      }
    }
    this.lastMinute = last;
  }

  reset(): ActivityCounts {
    const done = this.counts;
    this.counts = emptyActivityCounts();
    this.lastMinute = -Infinity;
    return done;
  }
}
