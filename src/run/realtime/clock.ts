import type { AgentClock, TimerHandle } from '../../agent/index.js';
import type { HeapTimer } from './timer-heap.js';
import type { PacedScheduler } from './scheduler.js';

/**
 * A laptop's clock in a paced run: the run's virtual time plus the laptop's
 * own skew. Its timers go into the thread's scheduler, so they fire on the
 * wall clock, not when someone advances them.
 */
export class PacedClock implements AgentClock {
  private nextId = 1;
  private readonly timers = new Map<TimerHandle, HeapTimer>();

  constructor(
    private readonly scheduler: PacedScheduler,
    private readonly skewMs: number,
    /** Wraps every timer callback (CPU accounting). */
    private readonly around: (fn: () => void) => void = (fn) => fn(),
    /**
     * Runs before each timer with its due instant (true time): the harness
     * hands the agent the input up to then, as a laptop's OS would have.
     */
    private readonly beforeFire: (dueUtcMs: number) => void = () => {},
  ) {}

  now(): number {
    return this.scheduler.now() + this.skewMs;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const due = atMs - this.skewMs;
    const t = this.scheduler.at(due, () => {
      this.beforeFire(due);
      // That input may have made the timer moot (a batch that filled up sealed and cleared it).
      if (!this.timers.delete(id)) return;
      this.around(fn);
    });
    this.timers.set(id, t);
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (t) this.scheduler.cancel(t);
    this.timers.delete(handle);
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Cancels every pending timer (the laptop's day is over). */
  clearAll(): void {
    for (const t of this.timers.values()) this.scheduler.cancel(t);
    this.timers.clear();
  }
}
