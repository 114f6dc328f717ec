/**
 * The agent never reads the wall clock: the harness hands it one. In a
 * simulation that is virtual time (a day in seconds); on a laptop it would be
 * the system clock. Times are UTC epoch milliseconds.
 */
export interface AgentClock {
  now(): number;
  /** Calls fn at atMs (or at once if atMs has passed). Each fire is a wake-up. */
  setTimer(atMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type TimerHandle = number;

/**
 * A virtual clock driven by the caller: `advanceTo(t)` runs every timer due by
 * t in time order. Used by the simulation and by tests.
 */
export class ManualClock implements AgentClock {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, { atMs: number; fn: () => void }>();

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { atMs: Math.max(atMs, this.t), fn });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Earliest pending timer time, or Infinity. */
  nextTimerMs(): number {
    let min = Infinity;
    for (const t of this.timers.values()) if (t.atMs < min) min = t.atMs;
    return min;
  }

  /** Moves time forward to t, firing due timers in order (timers set while firing run too if due). */
  advanceTo(t: number): void {
    for (;;) {
      let dueId = -1;
      let dueAt = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.atMs <= t && (timer.atMs < dueAt || (timer.atMs === dueAt && id < dueId))) {
          dueAt = timer.atMs;
          dueId = id;
        }
      }
      if (dueId < 0) break;
      const timer = this.timers.get(dueId)!;
      this.timers.delete(dueId);
      if (timer.atMs > this.t) this.t = timer.atMs;
      timer.fn();
    }
    if (t > this.t) this.t = t;
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}
