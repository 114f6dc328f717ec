import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytePool, EventBuffer, allocateBlock, concatBlocks, type EventBlock } from '../../src/events/index.js';

/** Pushes event number k of buffer b: every column gets a value that says which event it is. */
function pushNumbered(buf: EventBuffer, b: number, k: number): void {
  buf.push(b * 1_000_000 + k + 0.5, k % 13, (k % 30_000) - b, k * 7 - b, -k, b % 256, k % 256, (k + b) % 256);
}

function expectNumbered(block: EventBlock, b: number, n: number): void {
  expect(block.length).toBe(n);
  for (let k = 0; k < n; k++) {
    const got = [block.t_ms[k], block.type[k], block.key[k], block.x[k], block.y[k], block.button[k], block.context[k], block.flags[k]];
    const want = [b * 1_000_000 + k + 0.5, k % 13, (k % 30_000) - b, k * 7 - b, -k, b % 256, k % 256, (k + b) % 256];
    if (got.some((v, i) => v !== want[i])) expect([b, k, got]).toEqual([b, k, want]);
  }
}

describe('EventBuffer', () => {
  it('keeps every event when buffers sharing a BytePool grow, clear and release interleaved (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ buffer: fc.nat(), op: fc.constantFrom('push', 'push', 'push', 'clear', 'release'), n: fc.nat({ max: 300 }) }),
          {
            maxLength: 60,
          },
        ),
        fc.constantFrom(0, 4_096, 1 << 20),
        (ops, maxFree) => {
          // A pool that hands one buffer's outgrown storage to another while both are in use.
          const pool = new BytePool(maxFree);
          const bufs = [0, 1, 2].map(() => new EventBuffer(4, pool));
          const counts = [0, 0, 0];
          for (const o of ops) {
            const b = o.buffer % bufs.length;
            const buf = bufs[b]!;
            if (o.op === 'push') for (let i = 0; i < o.n; i++) pushNumbered(buf, b, counts[b]!++);
            else {
              if (o.op === 'clear') buf.clear();
              else buf.release();
              counts[b] = 0;
            }
            bufs.forEach((other, j) => expectNumbered(other.view(), j, counts[j]!));
          }
          expect(pool.idleBytes).toBeLessThanOrEqual(maxFree);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes its storage from its source and gives outgrown storage back for another buffer', () => {
    const pool = new BytePool(1 << 20);
    const a = new EventBuffer(64, pool);
    const first = pool.sizeFor(64 * 22);
    // Up to what the first storage holds (the pool rounds sizes up), then one more: the buffer grows.
    const fits = Math.floor(first / 22);
    for (let k = 0; k <= fits; k++) pushNumbered(a, 0, k);
    expect(pool.idleBytes).toBe(first);
    // The next buffer of that size gets the storage the first outgrew.
    const b = new EventBuffer(64, pool);
    expect(pool.idleBytes).toBe(0);
    a.release();
    expect(pool.idleBytes).toBe(pool.sizeFor(2 * fits * 22));
    expectNumbered(a.view(), 0, 0);
    // A released buffer still takes events: it grows anew.
    for (let k = 0; k < 40; k++) pushNumbered(a, 0, k);
    expectNumbered(a.view(), 0, 40);
    expectNumbered(b.view(), 1, 0);
  });

  it('lays a block out in one ArrayBuffer of 22 bytes an event', () => {
    const b = allocateBlock(10);
    expect(b.t_ms.buffer.byteLength).toBe(220);
    for (const col of [b.type, b.key, b.x, b.y, b.button, b.context, b.flags]) expect(col.buffer).toBe(b.t_ms.buffer);
    expect(concatBlocks([b]).length).toBe(10);
  });
});
