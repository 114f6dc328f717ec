/**
 * batch.proto is the contract; fleetsim's hand-written codec must agree with an
 * independent implementation reading it: protobufjs, loading the .proto at test
 * time, with the events rebuilt by following the .proto's own comments.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPE_NAMES,
  EventType,
  INPUT_CONTEXT_NAMES,
  InputContext,
  MOUSE_BUTTON_NAMES,
  MouseButton,
  allocateBlock,
  collectingWriter,
  type EventBlock,
} from '../../src/events/index.js';
import { BatchField, CONTROL_KIND_CODE, type WireFormat } from '../../src/wire/fields.js';
import { decodeBatch, encodeBatch, type BatchInput, type ControlRecord } from '../../src/wire/index.js';
import { atWireResolution, batchOf, columnsOf, realisticBlock, WINDOW_START_MS } from './fixtures.js';
import { BatchType, ControlType, pbDecode, pbEncode, protoRoot, type BatchObject } from './proto.js';

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const controls: ControlRecord[] = [
  { kind: 'pause', atMs: WINDOW_START_MS + 1000, untilMs: WINDOW_START_MS + 1000 + 30 * 60_000 },
  { kind: 'resume', atMs: WINDOW_START_MS + 2000 },
  { kind: 'exempt', atMs: WINDOW_START_MS + 3000 },
];
const input: BatchInput = { ...batchOf(realisticBlock(3000, 3)), controls };

const FORMATS: WireFormat[] = [1, 2];

/**
 * Keys 100..119 pressed (the list holds 16: 100..103 drop out), 104 auto-repeated, all released in press order,
 * 100..103 after the rest; then key 7 pressed and released, key 200 released without a press (held before the
 * batch), and a redacted key released without a press.
 */
function heldKeysBlock(): EventBlock {
  const { writer, collect } = collectingWriter(64);
  let t = WINDOW_START_MS + 1;
  const push = (type: number, key: number) => writer.push((t += 20), type, key, 0, 0, 0, InputContext.text, 0);
  for (let k = 100; k < 120; k++) push(EventType.keydown, k);
  push(EventType.keydown, 104);
  for (let k = 104; k < 120; k++) push(EventType.keyup, k);
  for (let k = 100; k < 104; k++) push(EventType.keyup, k);
  push(EventType.keydown, 7);
  push(EventType.keyup, 7);
  push(EventType.keyup, 200);
  push(EventType.keyup, -1);
  return collect();
}

/** The .proto's decoding pseudo-code, followed literally (format 2: its "Formats" section). */
function eventsFromProto(m: BatchObject): EventBlock {
  const n = m.eventCount;
  const b = allocateBlock(n);
  const format2 = m.format === 2;
  const held: number[] = [];
  let ku = 0;
  let t = m.windowStartMs;
  let px = 0;
  let py = 0;
  let k = 0;
  let x = 0;
  let bi = 0;
  let w = 0;
  for (let i = 0; i < n; i++) {
    t += format2 ? m.tStepMs[i]! : m.tDeltaMs[i]!;
    b.t_ms[i] = t;
    const type = m.eventType[i]!;
    b.type[i] = type;
    if (format2 && type === EventType.keydown) {
      const key = m.key[k++]!;
      if (!held.includes(key)) {
        if (held.length === 16) held.shift();
        held.push(key);
      }
      b.key[i] = key;
    } else if (format2 && type === EventType.keyup) {
      const v = m.keyUp[ku++]!;
      b.key[i] = v < held.length ? held.splice(v, 1)[0]! : v - held.length - 1;
    } else if (type === EventType.keydown || type === EventType.keyup) {
      b.key[i] = m.key[k++]!;
    } else {
      px += m.xDeltaPx[x]!;
      py += m.yDeltaPx[x]!;
      x++;
      b.x[i] = px;
      b.y[i] = py;
      if (type === EventType.mousedown || type === EventType.mouseup) b.button[i] = m.button[bi++]!;
      if (type === EventType.wheel) b.key[i] = m.wheelDelta[w++]!;
    }
  }
  const expand = (values: number[], lengths: number[], out: Uint8Array) => {
    let at = 0;
    values.forEach((v, r) => {
      out.fill(v, at, at + lengths[r]!);
      at += lengths[r]!;
    });
  };
  expand(m.contextRunValue, m.contextRunLength, b.context);
  expand(m.flagsRunValue, m.flagsRunLength, b.flags);
  return b;
}

describe('batch.proto and the TypeScript codec agree', () => {
  it('on every field number and type', () => {
    const fromProto = Object.fromEntries(BatchType.fieldsArray.map((f) => [snake(f.name), f.id]));
    expect(fromProto).toEqual(BatchField);
    const packed = BatchType.fieldsArray.filter((f) => f.repeated && f.name !== 'controls');
    expect(packed.every((f) => f.packed)).toBe(true);
    expect(packed.map((f) => f.id).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    expect(BatchType.fields.crc32?.type).toBe('fixed32');
    expect(Boolean(ControlType.fields.untilMs?.hasPresence)).toBe(true);
  });

  it('on every enum code', () => {
    const values = (name: string) => protoRoot.lookupEnum(`fleetsim.wire.v1.${name}`).values;
    const upper = (prefix: string, names: readonly string[]) =>
      Object.fromEntries(names.map((n, i) => [`${prefix}_${n.toUpperCase()}`, i]));
    expect(values('EventType')).toEqual(upper('EVENT_TYPE', EVENT_TYPE_NAMES));
    expect(values('InputContext')).toEqual(upper('INPUT_CONTEXT', INPUT_CONTEXT_NAMES));
    expect(values('MouseButton')).toEqual(upper('MOUSE_BUTTON', MOUSE_BUTTON_NAMES));
    expect(Object.values(InputContext)).toEqual(INPUT_CONTEXT_NAMES.map((_, i) => i));
    expect(Object.values(MouseButton)).toEqual(MOUSE_BUTTON_NAMES.map((_, i) => i));
    expect(values('ControlKind')).toEqual({
      CONTROL_KIND_UNSPECIFIED: 0,
      ...Object.fromEntries(Object.entries(CONTROL_KIND_CODE).map(([k, v]) => [`CONTROL_KIND_${k.toUpperCase()}`, v])),
    });
  });

  it.each(FORMATS)('protobufjs reads what encodeBatch writes: header, controls, columns, crc32 (format %i)', (format) => {
    const bytes = encodeBatch(input, {}, format);
    const m = pbDecode(bytes);
    const h = input.header;
    expect({ ...m, batchId: Uint8Array.from(m.batchId) }).toMatchObject({
      batchId: h.batchId,
      deviceId: h.deviceId,
      sequence: h.sequence,
      windowStartMs: h.windowStartMs,
      windowEndMs: h.windowEndMs,
      agentVersion: h.agentVersion,
      eventCount: input.events.length,
      controls: controls.map((c) => ({
        kind: CONTROL_KIND_CODE[c.kind],
        atMs: c.atMs,
        ...(c.untilMs !== undefined ? { untilMs: c.untilMs } : {}),
      })),
    });
    // Presence, not a default 0: RESUME carries no until_ms at all.
    expect('untilMs' in (m.controls[1] as object)).toBe(false);
    expect(m.format).toBe(format === 1 ? 0 : format);
    expect(m.crc32).toBe(crc32(bytes.subarray(0, bytes.length - 6)));
    expect(columnsOf(eventsFromProto(m))).toEqual(columnsOf(atWireResolution(input.events)));
  });

  it("format 2's key_up as the .proto describes it: held places, auto-repeat, a full list, keys held before the batch", () => {
    const events = heldKeysBlock();
    const m = pbDecode(encodeBatch(batchOf(events), {}, 2));
    // 20 keys down (the first 4 dropped from the full list), released oldest first, then k0..k3 by code.
    expect(m.keyUp).toEqual([...Array.from({ length: 16 }, () => 0), 1 + 100, 1 + 101, 1 + 102, 1 + 103, 0, 0 + 1 + 200, 0 + 1 - 1]);
    expect(columnsOf(eventsFromProto(m))).toEqual(columnsOf(atWireResolution(events)));
    expect(columnsOf(decodeBatch(encodeBatch(batchOf(events), {}, 2)).events)).toEqual(columnsOf(atWireResolution(events)));
  });

  it.each(FORMATS)('decodeBatch reads what protobufjs writes from the same columns (format %i)', (format) => {
    const m = pbDecode(encodeBatch(input, {}, format));
    const out = decodeBatch(pbEncode(m));
    expect(out.header).toEqual(input.header);
    expect(out.controls).toEqual(controls);
    expect(columnsOf(out.events)).toEqual(columnsOf(atWireResolution(input.events)));
  });

  it.each(FORMATS)('writes the same bytes protobufjs writes (canonical encoding, field order, defaults left out; format %i)', (format) => {
    const bytes = encodeBatch(input, {}, format);
    expect(Buffer.from(pbEncode(pbDecode(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });
});
