import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packWrites, unpackWrites, type WriteOp } from '../../src/ingest/store/write-message.js';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const ms = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const count = fc.integer({ min: 0, max: 2 ** 32 });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

const batch = fc.record({
  kind: fc.constant('batch' as const),
  keyGeneration: fc.option(fc.nat(), { nil: null }),
  row: fc.record({
    deviceId: text,
    sequence: ms,
    batchId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    windowStartMs: ms,
    windowEndMs: ms,
    eventCount: count,
    refusedPaused: count,
    refusedExempt: count,
    receivedMs: ms,
    agentVersion: text,
    payloadCodec: fc.constantFrom('identity' as const, 'gzip' as const, 'br' as const, 'zstd' as const),
    payload: bytes(9000),
  }),
});
const op: fc.Arbitrary<WriteOp> = fc.oneof(
  batch,
  fc.record({
    kind: fc.constant('enroll' as const),
    deviceId: text,
    atMs: ms,
    timezone: fc.option(text, { nil: null }),
    key: fc.option(bytes(32), { nil: null }),
  }),
  fc.record({ kind: fc.constant('revoke' as const), deviceId: text, atMs: ms }),
  fc.record({ kind: fc.constant('reinstate' as const), deviceId: text, keyGeneration: fc.nat() }),
  fc.record({
    kind: fc.constant('pause' as const),
    pause: fc.record({ deviceId: text, startMs: ms, endMs: ms, endedBy: fc.constantFrom('auto-resume' as const, 'resume' as const) }),
  }),
  fc.record({
    kind: fc.constant('exemption' as const),
    deviceId: text,
    exemption: fc.option(fc.record({ deviceId: text, fromMs: ms, untilMs: fc.option(ms, { nil: null }) }), { nil: null }),
  }),
);

describe('the SQLite writer message', () => {
  it('gives back the writes and ids it packed, whatever their kinds, texts and sizes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 24 }), (ops) => {
        const ids = ops.map((_, i) => 1 + i * 7);
        const unpacked = unpackWrites(packWrites(ids, ops));
        expect(unpacked.ids).toEqual(ids);
        // Byte fields come back as views of the message: compare their contents, not their buffers.
        expect(JSON.parse(JSON.stringify(unpacked.ops, plainBytes))).toEqual(JSON.parse(JSON.stringify(ops, plainBytes)));
      }),
      { numRuns: 300 },
    );
  });

  it('packs a group into one buffer: its bodies plus a little per write, and slack it does not copy away', () => {
    const body = new Uint8Array(4500).fill(7);
    const ops: WriteOp[] = Array.from({ length: 11 }, (_, i) => ({
      kind: 'batch',
      keyGeneration: 0,
      row: {
        deviceId: `laptop-${i}`,
        sequence: i,
        batchId: new Uint8Array(16),
        windowStartMs: 1e12,
        windowEndMs: 1e12 + 900_000,
        eventCount: 1800,
        refusedPaused: 0,
        refusedExempt: 0,
        receivedMs: 1e12,
        agentVersion: 'fleetsim-agent/0.1.0',
        payloadCodec: 'br',
        payload: body,
      },
    }));
    const packed = packWrites(
      ops.map((_, i) => i),
      ops,
    );
    const used = new DataView(packed).getUint32(0, true);
    expect(used).toBeGreaterThan(11 * 4500);
    expect(used).toBeLessThan(11 * (4500 + 160));
    // Sized for the worst case once: never grown, never cut (each a copy of every body).
    expect(packed.byteLength).toBeLessThan(11 * (4500 + 400));
    const { ops: back } = unpackWrites(packed);
    const row = (back[3] as Extract<WriteOp, { kind: 'batch' }>).row;
    expect(row.payload.buffer).toBe(packed);
    expect(row.payload.every((b) => b === 7)).toBe(true);
  });

  it('refuses a message with bytes after the last write, an unknown kind, a field past its end, or a wrong length', () => {
    const one: WriteOp[] = [{ kind: 'revoke', deviceId: 'laptop-1', atMs: 5 }];
    const packed = new Uint8Array(packWrites([9], one));
    const used = new DataView(packed.buffer).getUint32(0, true);
    // What follows the bytes the message says it used is slack, not writes.
    expect(unpackWrites(packed.buffer).ids).toEqual([9]);
    const longer = packed.slice();
    new DataView(longer.buffer).setUint32(0, used + 1, true);
    expect(() => unpackWrites(longer.buffer)).toThrow(/1 bytes after the last write/);
    const badKind = packed.slice();
    badKind[8 + 8] = 200;
    expect(() => unpackWrites(badKind.buffer)).toThrow(/unknown kind/);
    const short = packed.slice();
    new DataView(short.buffer).setUint32(0, used - 3, true);
    expect(() => unpackWrites(short.buffer)).toThrow(RangeError);
    const past = packed.slice();
    new DataView(past.buffer).setUint32(0, packed.byteLength + 1, true);
    expect(() => unpackWrites(past.buffer)).toThrow(/says \d+ bytes, its buffer has/);
  });

  it('refuses ids and writes of different lengths', () => {
    expect(() => packWrites([1, 2], [{ kind: 'revoke', deviceId: 'a', atMs: 1 }])).toThrow(/2 ids for 1 writes/);
  });
});

function plainBytes(_key: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Array.from(v) : v;
}
