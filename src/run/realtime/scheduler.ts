import { setImmediate as yieldToIo } from 'node:timers/promises';
import { createLatencyHistogram, type LatencyHistogram } from '../../metrics/latency.js';
import { TimerHeap, type HeapTimer } from './timer-heap.js';
import { virtualAt, wallAt, wallNow, type Timeline } from './timeline.js';

/** Timers fired before the loop lets network I/O run again. */
const FIRE_SLICE = 256;
/** The loop wakes at least this often (wall ms), so progress and stop requests are seen. */
const MAX_SLEEP_MS = 250;

/**
 * One thread's timers in a paced run: every laptop's agent timers and input
 * feeds in one heap, fired when the wall clock reaches their virtual time.
 * How late each agent timer and input feed fired (wall µs after its due
 * instant) is the run's schedule lag: a machine that cannot keep up shows it
 * there.
 */
export class PacedScheduler {
  readonly lag: LatencyHistogram = createLatencyHistogram();
  private readonly heap = new TimerHeap();
  private seq = 0;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  /** Virtual time the sleeping loop plans to wake at. */
  private wakeAtMs = Infinity;
  /** Once the run is over, time stands still here: laptops closing after it seal nothing later. */
  private frozenAtMs: number | null = null;
  /** Timers fired so far (agent and harness). */
  fired = 0;

  private tl: Timeline | null = null;

  constructor(
    private readonly virtualStartMs: number,
    readonly speed: number,
  ) {}

  /** Starts the clock: virtual time virtualStartMs is wall time wallStartMs. Until then time stands at virtualStartMs. */
  begin(wallStartMs: number): void {
    this.tl = { wallStartMs, virtualStartMs: this.virtualStartMs, speed: this.speed };
  }

  get timeline(): Timeline {
    if (this.tl === null) throw new Error('PacedScheduler: begin() before run()');
    return this.tl;
  }

  /** Virtual now (true time, not any laptop's skewed clock). */
  now(): number {
    if (this.frozenAtMs !== null) return this.frozenAtMs;
    return this.tl === null ? this.virtualStartMs : virtualAt(this.tl, wallNow());
  }

  at(atMs: number, fire: () => void, measured = true): HeapTimer {
    // Lateness counts from when the timer could first have fired: one set for a past instant is due now, not late.
    const t: HeapTimer = { atMs, dueMs: Math.max(atMs, this.now()), seq: this.seq++, fire, measured, cancelled: false, queued: false };
    this.queue(t);
    return t;
  }

  /**
   * Sets a timer that has fired (or surfaced cancelled) to fire again at
   * `atMs`, the same object: a 100,000-laptop fleet feeds every laptop once a
   * second, and a new timer per feed lives just long enough to be promoted,
   * which made the workers' major collections, and their stalls, frequent.
   */
  rearm(t: HeapTimer, atMs: number): void {
    if (t.queued) throw new Error('PacedScheduler.rearm: the timer is still set; cancel it and let it surface, or use a new one');
    t.atMs = atMs;
    t.dueMs = Math.max(atMs, this.now());
    t.seq = this.seq++;
    t.cancelled = false;
    this.queue(t);
  }

  private queue(t: HeapTimer): void {
    this.heap.push(t);
    // A timer due before the loop's planned wake-up (e.g. set from a network callback) must not wait for it.
    if (this.wake && t.atMs < this.wakeAtMs) this.wake();
  }

  /** Stops time at `atMs` (the run's end): what happens after, such as closing laptops, happens at that instant. */
  freeze(atMs: number): void {
    this.frozenAtMs = Math.min(atMs, this.now());
  }

  cancel(t: HeapTimer): void {
    t.cancelled = true;
  }

  /** Ends `run` at its next turn. */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  /**
   * Fires timers as they come due until virtual time reaches `untilMs` (or
   * `stop()`), yielding to the event loop between slices so uploads progress.
   * `onTick` runs on every turn (progress).
   */
  async run(untilMs: number, onTick: (virtualMs: number) => void = () => {}): Promise<void> {
    for (;;) {
      const now = this.now();
      let n = 0;
      for (
        let top = this.heap.peek();
        top !== undefined && top.atMs <= now && top.atMs <= untilMs && n < FIRE_SLICE;
        top = this.heap.peek()
      ) {
        this.heap.pop();
        if (top.cancelled) continue;
        if (top.measured) this.lag.recordValue(Math.max(1, Math.round((wallNow() - wallAt(this.timeline, top.dueMs)) * 1000)));
        n++;
        this.fired++;
        top.fire();
      }
      onTick(Math.min(now, untilMs));
      if (this.stopRequested) return;
      // The end comes once every timer due by then has fired, however late the machine is.
      if (now >= untilMs && !((this.heap.peek()?.atMs ?? Infinity) <= untilMs)) return;
      if (n === FIRE_SLICE) {
        await yieldToIo();
        continue;
      }
      const next = Math.min(this.heap.peek()?.atMs ?? Infinity, untilMs);
      const sleepMs = Math.min(MAX_SLEEP_MS, Math.max(0, wallAt(this.timeline, next) - wallNow()));
      this.wakeAtMs = Math.min(next, virtualAt(this.timeline, wallNow() + sleepMs));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          this.wakeAtMs = Infinity;
          resolve();
        }, sleepMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          this.wakeAtMs = Infinity;
          resolve();
        };
      });
    }
  }
}
