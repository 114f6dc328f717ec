import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_PARAMS, simulateEmployeeDay, type DayEnvironment } from '../../src/behaviour/index.js';
import {
  BytePool,
  EventBuffer,
  PackedEventQueue,
  allocateBlock,
  collectingWriter,
  concatBlocks,
  sliceBlock,
  type EventBlock,
} from '../../src/events/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createEmployee, DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { createCalendar } from '../../src/time/index.js';
import { blockFromRows } from './event-rows.js';

/** Events in time order with any column values the block types hold, fractional and raw-only times included. */
const events = fc.array(
  fc.record({
    // Off the writer's grid (raw times) and on it (steps of 1/1024 ms).
    dt_ms: fc.oneof(
      fc.double({ min: 0, max: 5_000, noNaN: true }),
      fc.constant(0),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 20_000_000 }).map((u) => u / 1024),
    ),
    type: fc.integer({ min: 0, max: 5 }),
    key: fc.integer({ min: -32768, max: 32767 }),
    x: fc.oneof(fc.constant(0), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    y: fc.oneof(fc.constant(0), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    button: fc.integer({ min: 0, max: 255 }),
    context: fc.constantFrom(0, 0, 1, 7, 255),
    flags: fc.constantFrom(0, 0, 3, 255),
  }),
  { maxLength: 300 },
);

/** Column by column, value by value (Object.is, so a time that came back 1 ulp off fails). */
function expectSame(got: EventBlock, want: EventBlock): void {
  expect(got.length).toBe(want.length);
  for (const col of ['t_ms', 'type', 'key', 'x', 'y', 'button', 'context', 'flags'] as const)
    for (let i = 0; i < want.length; i++)
      if (!Object.is(got[col][i], want[col][i])) expect([col, i, got[col][i]]).toEqual([col, i, want[col][i]]);
}

describe('PackedEventQueue', () => {
  it('gives back every event exactly, in order, however blocks are appended and taken (fast-check)', () => {
    fc.assert(
      fc.property(
        events,
        // Starting times: tiny ones need the raw time form, later ones the whole + fraction form.
        fc.constantFrom(
          0,
          0.1234567,
          1_048_576.25,
          50_400_123.456789,
          50_400_123 + 467 / 1024,
          2 ** 31 - 3.5,
          2 ** 31 + 0.25,
          86_400_000 * 40 + 0.3,
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (evs, t0, appendCuts, takeAt) => {
          const all = blockFromRows(evs, t0);
          const want = all;
          const q = new PackedEventQueue(16);
          const cuts = [...new Set(appendCuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          let from = 0;
          for (const c of [...cuts, all.length]) {
            q.append(sliceBlock(all, from, c));
            from = c;
          }
          expect(q.length).toBe(all.length);
          const out = new EventBuffer(4);
          const got: EventBlock[] = [];
          let taken = 0;
          const span = all.length > 0 ? (all.t_ms[all.length - 1] as number) - t0 : 0;
          for (const f of [...takeAt].sort((a, b) => a - b)) {
            const until = t0 + f * span;
            expect(q.peekTimeMs()).toBe(taken < all.length ? want.t_ms[taken] : undefined);
            const n = q.takeUntil(until, out);
            // Exactly the events up to `until` that were still queued.
            let upTo = taken;
            while (upTo < all.length && (want.t_ms[upTo] as number) <= until) upTo++;
            expect(n).toBe(upTo - taken);
            got.push(concatBlocks([out.view()]));
            taken += n;
          }
          q.takeUntil(Infinity, out);
          got.push(concatBlocks([out.view()]));
          expect(q.length).toBe(0);
          expect(q.peekTimeMs()).toBeUndefined();
          expectSame(concatBlocks(got), want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives back every event exactly when queues share a BytePool, appends and takes interleaved (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(events, { minLength: 2, maxLength: 4 }),
        fc.array(fc.record({ queue: fc.nat(), append: fc.boolean(), cut: fc.double({ min: 0, max: 1, noNaN: true }) }), {
          minLength: 10,
          maxLength: 80,
        }),
        fc.constantFrom(0, 512, 1 << 20),
        (perQueue, ops, maxFree) => {
          // A small pool: buffers one queue outgrew are handed to another while both are in use.
          const pool = new BytePool(maxFree);
          const all = perQueue.map((evs) => blockFromRows(evs, 50_400_123.456789));
          const queues = all.map(() => new PackedEventQueue(16, pool));
          const appended = all.map(() => 0);
          const got: EventBlock[][] = all.map(() => []);
          const out = new EventBuffer(4);
          const take = (k: number, until: number) => {
            queues[k]!.takeUntil(until, out);
            got[k]!.push(concatBlocks([out.view()]));
          };
          for (const op of ops) {
            const k = op.queue % queues.length;
            const block = all[k]!;
            if (op.append) {
              const to = appended[k]! + Math.ceil(op.cut * (block.length - appended[k]!));
              queues[k]!.append(sliceBlock(block, appended[k]!, to));
              appended[k] = to;
            } else if (appended[k]! > 0) {
              // Up to somewhere in what was appended: the queue is left holding the rest.
              take(k, block.t_ms[Math.floor(op.cut * (appended[k]! - 1))] as number);
            }
          }
          all.forEach((block, k) => {
            queues[k]!.append(sliceBlock(block, appended[k]!, block.length));
            take(k, Infinity);
            expectSame(concatBlocks(got[k]!), block);
            queues[k]!.release();
          });
          expect(pool.idleBytes).toBeLessThanOrEqual(maxFree);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds a composed employee-day in under 9 bytes an event (22 as columns), and reuses its front while appending', () => {
    const population = DEFAULT_POPULATION_PARAMS;
    const env: DayEnvironment = {
      seed: 'packed-queue',
      calendar: createCalendar(
        '2026-03-02',
        population.offices.map((o) => o.timezone),
      ),
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      pauseTraits: population.pause,
      rules: DEFAULT_POLICY_RULES,
    };
    const { writer, collect } = collectingWriter();
    simulateEmployeeDay(createEmployee('packed-queue', 3, population), 0, env, writer);
    const day = collect();
    expect(day.length).toBeGreaterThan(50_000);
    // As a paced laptop uses it: a stretch appended, then taken as the clock passes it, a minute at a time.
    const q = new PackedEventQueue();
    const out = new EventBuffer();
    const got: EventBlock[] = [];
    let i = 0;
    const t0 = day.t_ms[0] as number;
    const t1 = day.t_ms[day.length - 1] as number;
    for (let now = t0; now <= t1 + 60_000; now += 60_000) {
      // Composed about two minutes ahead of the clock.
      const from = i;
      while (i < day.length && (day.t_ms[i] as number) <= now + 120_000) i++;
      if (i > from) q.append(sliceBlock(day, from, i));
      if (q.takeUntil(now, out) > 0) got.push(concatBlocks([out.view()]));
    }
    expectSame(concatBlocks(got), day);
    expect(q.length).toBe(0);
    // 22 bytes an event as columns.
    expect(measureBytesPerEvent(day)).toBeLessThan(9);
  });

  it('refuses a type code the tag cannot hold', () => {
    const b = allocateBlock(1);
    b.type[0] = 16;
    expect(() => new PackedEventQueue().append(b)).toThrow(/type code 16/);
  });
});

/** Bytes the queue writes per event for a whole day (its buffer's doubling slack left out). */
function measureBytesPerEvent(day: EventBlock): number {
  const q = new PackedEventQueue(day.length * 26);
  q.append(day);
  return q.writtenBytes / day.length;
}
