import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacedScheduler } from '../../src/run/realtime/scheduler.js';
import { TimerHeap, type HeapTimer } from '../../src/run/realtime/timer-heap.js';
import { wallAt, wallNow } from '../../src/run/realtime/timeline.js';

describe('the paced scheduler', () => {
  it('pops timers in (time, order set) order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const heap = new TimerHeap();
        times.forEach((atMs, seq) =>
          heap.push({ atMs, dueMs: atMs, seq, fire: () => {}, measured: true, cancelled: false, queued: false }),
        );
        const out: HeapTimer[] = [];
        for (let t = heap.pop(); t !== undefined; t = heap.pop()) out.push(t);
        const want = times.map((atMs, seq) => ({ atMs, seq })).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
        expect(out.map((t) => ({ atMs: t.atMs, seq: t.seq }))).toEqual(want);
      }),
    );
  });

  it('never fires a timer before the wall clock reaches its virtual time, and skips cancelled ones', async () => {
    const s = new PacedScheduler(0, 100); // 100 virtual ms per wall ms
    s.begin(wallNow());
    const fired: { atMs: number; wall: number }[] = [];
    for (const atMs of [3_000, 1_000, 2_000, 2_000, 5_000]) s.at(atMs, () => fired.push({ atMs, wall: wallNow() }));
    const cancelled = s.at(4_000, () => fired.push({ atMs: -1, wall: 0 }));
    s.cancel(cancelled);
    await s.run(6_000);
    expect(fired.map((f) => f.atMs)).toEqual([1_000, 2_000, 2_000, 3_000, 5_000]);
    for (const f of fired) expect(f.wall).toBeGreaterThanOrEqual(wallAt(s.timeline, f.atMs) - 0.5);
    expect(s.lag.totalCount).toBe(5);
  });

  it('fires every timer due before the end even when the machine falls behind', async () => {
    const s = new PacedScheduler(0, 1e7);
    s.begin(wallNow());
    let n = 0;
    for (let i = 0; i < 2_000; i++) s.at(i * 1_000, () => n++);
    s.at(2_000_001, () => n++); // after the end: never fired
    await s.run(2_000_000);
    expect(n).toBe(2_000);
  });

  it('re-arms a timer that has fired, as the same object, and refuses one still set', async () => {
    const s = new PacedScheduler(0, 1e5);
    s.begin(wallNow());
    const fired: number[] = [];
    let at = 1_000;
    const t = s.at(at, () => {
      fired.push(at);
      at += 1_000;
      if (at <= 5_000) s.rearm(t, at);
    });
    expect(() => s.rearm(t, 2_000)).toThrow(/still set/);
    await s.run(10_000);
    expect(fired).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(s.lag.totalCount).toBe(5);
    // Cancelled and surfaced: it may be set again.
    const u = s.at(11_000, () => fired.push(-1));
    s.cancel(u);
    await s.run(12_000);
    s.rearm(u, 13_000);
    await s.run(14_000);
    expect(fired.at(-1)).toBe(-1);
  });

  it('a timer set for a past instant fires at once, in order after those already due', async () => {
    const s = new PacedScheduler(10_000, 1);
    s.begin(wallNow());
    const order: string[] = [];
    s.at(10_000, () => {
      order.push('first');
      s.at(0, () => order.push('past'));
    });
    await s.run(10_050);
    expect(order).toEqual(['first', 'past']);
  });
});
