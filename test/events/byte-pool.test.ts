import { describe, expect, it } from 'vitest';
import { BytePool, FRESH_BYTES } from '../../src/events/index.js';

describe('BytePool', () => {
  it('hands out a buffer at least as large as asked and at most half again larger', () => {
    const pool = new BytePool(1 << 20);
    for (const n of [0, 1, 64, 65, 96, 97, 128, 129, 200, 256, 257, 1000, 4097, 100_000, 1 << 20]) {
      const b = pool.take(n);
      expect(b.byteLength).toBe(pool.sizeFor(n));
      expect(b.byteLength).toBeGreaterThanOrEqual(n);
      expect(b.byteLength).toBeLessThanOrEqual(Math.max(64, 1.5 * n));
    }
  });

  it('hands a given buffer out again for any size its class holds, and only once', () => {
    const pool = new BytePool(1 << 20);
    const b = pool.take(300);
    expect(b.byteLength).toBe(384);
    pool.give(b);
    expect(pool.idleBytes).toBe(384);
    expect(pool.take(257)).toBe(b);
    expect(pool.idleBytes).toBe(0);
    expect(pool.take(300)).not.toBe(b);
  });

  it('keeps free buffers up to its limit and leaves the rest to the collector', () => {
    const pool = new BytePool(1_000);
    const bufs = [pool.take(256), pool.take(256), pool.take(256), pool.take(256), pool.take(256)];
    for (const b of bufs) pool.give(b);
    expect(pool.idleBytes).toBe(768);
    // A buffer of no class size (not one it handed out) is not kept.
    pool.give(new Uint8Array(300));
    expect(pool.idleBytes).toBe(768);
  });

  it('does not keep buffers above its largest class', () => {
    const pool = new BytePool(16 << 20);
    const big = pool.take((1 << 20) + 1);
    expect(big.byteLength).toBe((1 << 20) + 1);
    pool.give(big);
    expect(pool.idleBytes).toBe(0);
  });

  it('carves new buffers from its reservation without overlap, then allocates once it is used up', () => {
    const pool = new BytePool(1 << 20, 1_000);
    const a = pool.take(300); // 384
    const b = pool.take(500); // 512
    expect(pool.reservedBytesUsed).toBe(896);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + a.byteLength);
    a.fill(1);
    b.fill(2);
    expect(a.every((v) => v === 1)).toBe(true);
    // 104 bytes left: a 128-byte buffer is its own allocation.
    const c = pool.take(128);
    expect(c.buffer).not.toBe(a.buffer);
    expect(pool.reservedBytesUsed).toBe(896);
    // A carved buffer given back is handed out again.
    pool.give(a);
    expect(pool.take(257)).toBe(a);
  });

  it('keeps every buffer carved from its reservation, whatever its limit on free bytes', () => {
    const pool = new BytePool(0, 4_096);
    const carved = pool.take(1_000);
    const fresh = new BytePool(0).take(1_000);
    pool.give(fresh);
    expect(pool.idleBytes).toBe(0);
    pool.give(carved);
    expect(pool.idleBytes).toBe(1_024);
    expect(pool.take(1_000)).toBe(carved);
  });

  it('FRESH_BYTES allocates exactly and keeps nothing', () => {
    const b = FRESH_BYTES.take(300);
    expect(b.byteLength).toBe(300);
    expect(FRESH_BYTES.sizeFor(300)).toBe(300);
    FRESH_BYTES.give(b);
    expect(FRESH_BYTES.take(300)).not.toBe(b);
  });
});
