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
  /**
   * Pending timers and their handles in slots [0, count), side by side (an
   * agent has one or two at a time). Not a Map, and the arrays never shrink:
   * a Map's table, or an array's storage emptied by pop(), is reallocated as
   * timers come and go, and 100,000 laptops' copies lived just long enough to
   * be promoted, which brings the workers' major collections sooner.
   */
  private readonly ids: TimerHandle[] = [];
  private readonly timers: (HeapTimer | null)[] = [];
  private count = 0;

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
      if (this.remove(id) === undefined) return;
      this.around(fn);
    });
    this.ids[this.count] = id;
    this.timers[this.count] = t;
    this.count++;
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.remove(handle);
    if (t) this.scheduler.cancel(t);
  }

  pendingTimers(): number {
    return this.count;
  }

  /** Cancels every pending timer (the laptop's day is over). */
  clearAll(): void {
    for (let i = 0; i < this.count; i++) this.scheduler.cancel(this.timers[i]!);
    this.timers.fill(null);
    this.count = 0;
  }

  /** Forgets a pending timer (the last one takes its slot); returns it, or undefined if it was not pending. */
  private remove(handle: TimerHandle): HeapTimer | undefined {
    let i = 0;
    while (i < this.count && this.ids[i] !== handle) i++;
    if (i === this.count) return undefined;
    const t = this.timers[i]!;
    const last = --this.count;
    this.ids[i] = this.ids[last]!;
    this.timers[i] = this.timers[last]!;
    this.timers[last] = null;
    return t;
  }
}
