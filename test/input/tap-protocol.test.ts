import { describe, expect, it } from 'vitest';
import { EventType, InputContext, MouseButton } from '../../src/events/index.js';
import {
  TAP_HELLO_BYTES,
  TAP_RECORD_BYTES,
  TapDecoder,
  TapProtocolError,
  checkHello,
  encodeHello,
  encodeRecord,
  type TapRecord,
} from '../../src/input/tap/index.js';

const records: TapRecord[] = [
  { tMs: 1772539200123.375, type: EventType.keydown, key: 65, x: 0, y: 0, button: 0, context: InputContext.code, seq: 0 },
  { tMs: 1772539200130.5, type: EventType.mousemove, key: 0, x: -12, y: 2_000_000, button: 0, context: InputContext.none, seq: 1 },
  { tMs: 1772539200131, type: EventType.mousedown, key: 0, x: 5, y: 6, button: MouseButton.right, context: InputContext.password, seq: 2 },
  { tMs: 1772539200140, type: EventType.wheel, key: -3, x: 7, y: 8, button: 0, context: InputContext.email, seq: 3 },
];

function stream(rs: readonly TapRecord[]): Buffer {
  const body = Buffer.alloc(rs.length * TAP_RECORD_BYTES);
  rs.forEach((r, i) => encodeRecord(body, i * TAP_RECORD_BYTES, r));
  return Buffer.concat([encodeHello(), body]);
}

function decodeAll(chunks: readonly Buffer[]): TapRecord[] {
  const d = new TapDecoder();
  const out: TapRecord[] = [];
  for (const c of chunks) {
    const b = d.push(c);
    for (let i = 0; i < b.length; i++) {
      out.push({
        tMs: b.t_ms[i]!,
        type: b.type[i]!,
        key: b.key[i]!,
        x: b.x[i]!,
        y: b.y[i]!,
        button: b.button[i]!,
        context: b.context[i]!,
        seq: out.length,
      });
    }
  }
  d.end();
  return out;
}

describe('tap protocol', () => {
  it('round-trips every field, in one read or split at any byte', () => {
    const s = stream(records);
    expect(s.length).toBe(TAP_HELLO_BYTES + records.length * TAP_RECORD_BYTES);
    expect(decodeAll([s])).toEqual(records);
    for (let cut = 1; cut < s.length; cut += 5) expect(decodeAll([s.subarray(0, cut), s.subarray(cut)])).toEqual(records);
    expect(decodeAll([...s].map((byte) => Buffer.from([byte])))).toEqual(records);
  });

  it('lays a record out little-endian at the documented offsets', () => {
    const b = Buffer.alloc(TAP_RECORD_BYTES);
    encodeRecord(b, 0, { tMs: 1.5, type: 3, key: -2, x: 258, y: -1, button: 1, context: 9, seq: 7 });
    expect(b.readDoubleLE(0)).toBe(1.5);
    expect([b[8], b[9], b[10], b[11]]).toEqual([3, 1, 9, 0]);
    expect(b.readInt16LE(12)).toBe(-2);
    expect([b[16], b[17]]).toEqual([2, 1]);
    expect(b.readInt32LE(20)).toBe(-1);
    expect(b.readUInt32LE(24)).toBe(7);
  });

  it('refuses a wrong hello with what was expected', () => {
    const bad = encodeHello();
    bad.write('HTTP', 0, 'latin1');
    expect(() => new TapDecoder().push(bad)).toThrow(/not a fleetsim tap: the hello starts with "HTTP/);
    // Wrong magic is seen in the first bytes, before the hello is complete.
    expect(() => new TapDecoder().push(Buffer.from('GET'))).toThrow(TapProtocolError);
    const v2 = encodeHello();
    v2.writeUInt16LE(2, 8);
    expect(() => checkHello(v2)).toThrow(/version 2 is not supported/);
    const size = encodeHello();
    size.writeUInt16LE(24, 10);
    expect(() => checkHello(size)).toThrow(/record size 24 is not supported/);
  });

  it('reports a stream that ends inside the hello or inside a record', () => {
    const s = stream(records);
    const d1 = new TapDecoder();
    d1.push(s.subarray(0, 10));
    expect(() => d1.end()).toThrow(/hello is 16 bytes, the stream ended after 10/);
    const d2 = new TapDecoder();
    expect(d2.push(s.subarray(0, s.length - 5)).length).toBe(records.length - 1);
    expect(() => d2.end()).toThrow(/ended inside record 3: 27 of 32 bytes arrived/);
    expect(() => new TapDecoder().end()).toThrow(/closed before sending its hello/);
  });

  it('refuses a record with an unknown type, a lost record or a non-finite time', () => {
    const s = stream(records);
    s.writeUInt8(9, TAP_HELLO_BYTES + TAP_RECORD_BYTES + 8);
    expect(() => new TapDecoder().push(s)).toThrow(/record 1 has event type 9; types are 0–5/);
    const skipped = stream([records[0]!, { ...records[1]!, seq: 5 }]);
    expect(() => new TapDecoder().push(skipped)).toThrow(/record 1 carries sequence 5: a record was lost or repeated/);
    const nan = stream([{ ...records[0]!, tMs: NaN }]);
    expect(() => new TapDecoder().push(nan)).toThrow(/has time NaN/);
  });
});
