import { describe, expect, it } from 'vitest';
import { WireError } from '../../src/wire/index.js';
import { ColumnReader } from '../../src/wire/varint.js';

/** The plain protobuf rule, byte by byte: the value and where it ends, or why it cannot be read (53 bits at most). */
function reference(buf: Uint8Array, pos: number): { value: number; end: number } | 'cut-off' | 'overflow' {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 8; i++) {
    if (pos + i >= buf.length) return 'cut-off';
    const b = buf[pos + i]!;
    value += (b & 0x7f) * multiplier;
    if (b < 0x80) return value > Number.MAX_SAFE_INTEGER ? 'overflow' : { value, end: pos + i + 1 };
    multiplier *= 128;
  }
  return pos + 8 >= buf.length ? 'cut-off' : 'overflow';
}

function read(buf: Uint8Array, pos: number): { value: number; end: number } | 'cut-off' | 'overflow' {
  const r = new ColumnReader(buf, 'key');
  r.pos = pos;
  try {
    const value = r.uvarint();
    return { value, end: r.pos };
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return (e as WireError).code === 'WIRE_OVERFLOW' ? 'overflow' : 'cut-off';
  }
}

describe('ColumnReader.uvarint', () => {
  it('reads every one- and two-byte start as the protobuf rule does, at the end of a column and before more bytes', () => {
    // uvarint tells one byte from two without a branch when two bytes are left, and takes another path at the
    // column's last byte: every pair of first bytes, with the column ending after one, two or three bytes.
    let compared = 0;
    for (let b0 = 0; b0 < 256; b0++) {
      expect(read(Uint8Array.of(b0), 0)).toEqual(reference(Uint8Array.of(b0), 0));
      for (let b1 = 0; b1 < 256; b1++) {
        for (const buf of [Uint8Array.of(b0, b1), Uint8Array.of(b0, b1, 0x01), Uint8Array.of(0x05, b0, b1)]) {
          const pos = buf.length === 3 && buf[0] === 0x05 ? 1 : 0;
          expect(read(buf, pos)).toEqual(reference(buf, pos));
          compared++;
        }
      }
    }
    expect(compared).toBe(3 * 256 * 256);
  });

  it('reads long values up to 2^53 - 1 and refuses a ninth byte or a value past 53 bits', () => {
    const cases = [
      Uint8Array.of(0xff, 0xff, 0x7f),
      Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01),
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f),
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f),
      Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
      Uint8Array.of(0x80, 0x80, 0x80),
    ];
    expect(cases.map((c) => read(c, 0))).toEqual(cases.map((c) => reference(c, 0)));
    expect(read(cases[2]!, 0)).toEqual({ value: Number.MAX_SAFE_INTEGER, end: 8 });
    expect(cases.slice(3).map((c) => read(c, 0))).toEqual(['overflow', 'overflow', 'cut-off']);
  });
});
