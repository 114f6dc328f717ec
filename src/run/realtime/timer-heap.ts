/** A timer in a paced run: due at a virtual instant; cancelled ones stay in the heap until they surface. */
export interface HeapTimer {
  atMs: number;
  /** When it could first fire: atMs, or the moment it was set if that was later (lateness counts from here). */
  dueMs: number;
  seq: number;
  readonly fire: () => void;
  /** Agent timers and input feeds count toward schedule lag; the harness's bookkeeping (day starts and ends) does not. */
  readonly measured: boolean;
  cancelled: boolean;
  /** In the heap (set, not yet surfaced): a timer may be set again (PacedScheduler.rearm) only once it is not. */
  queued: boolean;
}

/** Binary min-heap of timers by (atMs, seq): equal times fire in the order they were set. */
export class TimerHeap {
  private readonly items: HeapTimer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): HeapTimer | undefined {
    return this.items[0];
  }

  push(t: HeapTimer): void {
    t.queued = true;
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(t, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = t;
  }

  pop(): HeapTimer | undefined {
    const a = this.items;
    const top = a[0];
    if (top !== undefined) top.queued = false;
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[c]!, last)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

function before(x: HeapTimer, y: HeapTimer): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}
