/**
 * The agent's clock when it runs as its own process: the wall clock plus a
 * fixed offset (0 on a laptop; virtual − wall when a harness replays a past
 * simulated day, so both read the same clock). Timers are real setTimeouts,
 * unref'd: what keeps the process alive is its input connection, not a batch
 * timer 15 minutes out.
 */
import type { AgentClock, TimerHandle } from '../agent/index.js';

/** setTimeout's largest delay (2^31 − 1 ms, about 24.8 days); longer timers are re-armed. */
const MAX_DELAY_MS = 2_147_483_647;

export class RealClock implements AgentClock {
  private nextId = 1;
  private readonly timers = new Map<TimerHandle, NodeJS.Timeout>();

  constructor(readonly offsetMs: number) {}

  now(): number {
    return performance.timeOrigin + performance.now() + this.offsetMs;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.arm(id, atMs, fn);
    return id;
  }

  private arm(id: TimerHandle, atMs: number, fn: () => void): void {
    const delay = atMs - this.now();
    const t = setTimeout(
      () => {
        // setTimeout may fire a hair early against performance.now(); the agent must see its instant reached.
        if (atMs - this.now() > 1) return this.arm(id, atMs, fn);
        this.timers.delete(id);
        fn();
      },
      Math.min(MAX_DELAY_MS, Math.max(0, delay)),
    );
    t.unref();
    this.timers.set(id, t);
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle);
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}
