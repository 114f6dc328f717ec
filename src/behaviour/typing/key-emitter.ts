import { EventType, type EventOutput } from '../../events/index.js';

/**
 * Writes key events in time order although holds overlap the next keydown
 * (rollover): a keydown is written at once, its keyup waits in a small sorted
 * queue and is written as soon as no earlier event can still come. Every
 * keyup is written eventually (flushAll), so keydowns and keyups balance.
 * Preallocated typed arrays: no allocation per key.
 */
export class KeyEmitter {
  private out: EventOutput | undefined;
  private context = 0;
  /** Time of the last event written: nothing earlier may be written any more. */
  lastT_ms = 0;
  /** Events written since reset. */
  written = 0;

  // Pending keyups, sorted by upT_ms ascending. Holds ≤ 1 s and IKIs ≥ 5 ms bound the queue to ~200.
  private static readonly CAPACITY = 256;
  private readonly upT_ms = new Float64Array(KeyEmitter.CAPACITY);
  private readonly downT_ms = new Float64Array(KeyEmitter.CAPACITY);
  private readonly code = new Int16Array(KeyEmitter.CAPACITY);
  private readonly flags = new Uint8Array(KeyEmitter.CAPACITY);
  private n = 0;

  reset(out: EventOutput, startMs: number): void {
    this.out = out;
    this.lastT_ms = startMs;
    this.written = 0;
    this.n = 0;
  }

  /** Context code stamped on events from now on (change it only when nothing is pending). */
  setContext(context: number): void {
    this.context = context;
  }

  /** Index of the pending keyup of this key, or -1 if the key is not held. */
  pendingIndex(code: number): number {
    for (let i = 0; i < this.n; i++) if (this.code[i] === code) return i;
    return -1;
  }

  /** Scheduled release time of pending keyup i. */
  pendingUpT(i: number): number {
    return this.upT_ms[i]!;
  }

  /**
   * Brings the release of pending key i forward so it happens before tDown_ms:
   * a key cannot go down while it is still down, and Shift must be up before an
   * unshifted key. It is put half-way between the last written event (or its
   * own keydown) and tDown, which keeps the output ordered.
   */
  releaseBefore(i: number, tDown_ms: number): void {
    if (this.upT_ms[i]! < tDown_ms) return;
    const floor = Math.max(this.lastT_ms, this.downT_ms[i]!);
    this.upT_ms[i] = floor + 0.5 * (tDown_ms - floor);
    this.siftDown(i);
  }

  /** Delays pending keyup i to at least t_ms (Shift held over more shifted keys). */
  extendRelease(i: number, t_ms: number): void {
    if (i < 0 || i >= this.n) throw new RangeError(`KeyEmitter: no pending keyup at index ${i}`);
    if (this.upT_ms[i]! >= t_ms) return;
    this.upT_ms[i] = t_ms;
    this.siftUp(i);
  }

  /** Writes the keydown at t_ms (after any keyup due by then) and queues its keyup at t_ms + hold_ms. */
  keydown(code: number, t_ms: number, hold_ms: number, flags: number): void {
    this.flushUntil(t_ms);
    (this.out as EventOutput).push(t_ms, EventType.keydown, code, 0, 0, 0, this.context, flags);
    this.lastT_ms = t_ms;
    this.written++;
    if (this.n === KeyEmitter.CAPACITY) throw new RangeError('KeyEmitter: too many keys held at once');
    const i = this.n++;
    this.upT_ms[i] = t_ms + hold_ms;
    this.downT_ms[i] = t_ms;
    this.code[i] = code;
    this.flags[i] = flags;
    this.siftDown(i);
  }

  /** Writes every queued keyup due at or before t_ms, in time order. */
  flushUntil(t_ms: number): void {
    let k = 0;
    const out = this.out as EventOutput;
    while (k < this.n && this.upT_ms[k]! <= t_ms) {
      const t = this.upT_ms[k]!;
      out.push(t, EventType.keyup, this.code[k]!, 0, 0, 0, this.context, this.flags[k]!);
      this.lastT_ms = t;
      this.written++;
      k++;
    }
    if (k === 0) return;
    this.upT_ms.copyWithin(0, k, this.n);
    this.downT_ms.copyWithin(0, k, this.n);
    this.code.copyWithin(0, k, this.n);
    this.flags.copyWithin(0, k, this.n);
    this.n -= k;
  }

  /** Writes all queued keyups; returns the time of the last event written. */
  flushAll(): number {
    this.flushUntil(Infinity);
    return this.lastT_ms;
  }

  /** Moves entry i towards the front while it is earlier than its predecessor. */
  private siftDown(i: number): void {
    while (i > 0 && this.upT_ms[i - 1]! > this.upT_ms[i]!) {
      this.swap(i - 1, i);
      i--;
    }
  }

  /** Moves entry i towards the back while it is later than its successor. */
  private siftUp(i: number): void {
    while (i < this.n - 1 && this.upT_ms[i + 1]! < this.upT_ms[i]!) {
      this.swap(i, i + 1);
      i++;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.upT_ms[a]!;
    this.upT_ms[a] = this.upT_ms[b]!;
    this.upT_ms[b] = t;
    const d = this.downT_ms[a]!;
    this.downT_ms[a] = this.downT_ms[b]!;
    this.downT_ms[b] = d;
    const c = this.code[a]!;
    this.code[a] = this.code[b]!;
    this.code[b] = c;
    const f = this.flags[a]!;
    this.flags[a] = this.flags[b]!;
    this.flags[b] = f;
  }
}
