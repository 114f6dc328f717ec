/**
 * EventBlock + header + controls → one serialized Batch (schema/batch.proto).
 *
 * The encoder refuses (WireError WIRE_INVALID / WIRE_TOO_LARGE) anything the
 * decoder with the same limits would refuse, and anything the wire cannot
 * carry without loss (a pointer position on a key event, a key code below -1),
 * so that "encoded" always means "decodes to the same events".
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { EVENT_TYPE_NAMES, EventType, REDACTED_KEY, type EventBlock } from '../events/index.js';
import { appendCrcTrailer } from './checksum.js';
import { WireError } from './errors.js';
import {
  BatchField,
  CONTROL_KIND_CODE,
  CURRENT_WIRE_FORMAT,
  ControlField,
  EVENT_TYPE_COUNT,
  HAS_BUTTON,
  HAS_KEY,
  HAS_POINTER,
  HAS_WHEEL,
  WIRE_FORMATS,
  type WireFormat,
} from './fields.js';
import { HeldKeys } from './held-keys.js';
import { DEFAULT_DECODE_LIMITS, type BatchInput, type DecodeLimits } from './types.js';
import { checkControls, checkHeader, invalid, isoOrRaw } from './validate.js';
import { ColumnWriter } from './varint.js';

const utf8 = new TextEncoder();
/** Reused scratch for one column at a time: encoding allocates per column, not per value. */
const column = new ColumnWriter();
const held = new HeldKeys();

/**
 * Format 2 unless told (CURRENT_WIRE_FORMAT); format 1 writes what agents wrote
 * before format 2, byte for byte, for tests of the service's reading of it.
 */
export function encodeBatch(b: BatchInput, limits: Partial<DecodeLimits> = {}, format: WireFormat = CURRENT_WIRE_FORMAT): Uint8Array {
  if (!WIRE_FORMATS.includes(format)) {
    throw new WireError(
      'WIRE_UNSUPPORTED',
      `wire format ${String(format)} is not one this encoder writes (${WIRE_FORMATS.join(', ')})`,
      'format',
    );
  }
  const lim: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  const h = b.header;
  const deviceId = utf8.encode(h.deviceId);
  const agentVersion = utf8.encode(h.agentVersion);
  checkHeader(h, deviceId.length, agentVersion.length, lim);
  for (const c of b.controls) {
    if (CONTROL_KIND_CODE[c.kind] === undefined) throw invalid('controls', `unknown control kind ${JSON.stringify(c.kind)}`);
  }
  checkControls(b.controls, h, lim);
  const ev = b.events;
  if (ev.length > lim.maxEvents) {
    throw new WireError('WIRE_TOO_LARGE', `${ev.length} events in one batch, the limit is ${lim.maxEvents}`, 'event_count');
  }
  checkEventKinds(ev);

  const w = new BinaryWriter();
  // proto3 leaves out fields at their default (0, empty); decoders read them as such.
  w.tag(BatchField.batch_id, WireType.LengthDelimited).bytes(h.batchId);
  w.tag(BatchField.device_id, WireType.LengthDelimited).bytes(deviceId);
  if (h.sequence !== 0) w.tag(BatchField.sequence, WireType.Varint).uint64(h.sequence);
  if (h.windowStartMs !== 0) w.tag(BatchField.window_start_ms, WireType.Varint).int64(h.windowStartMs);
  if (h.windowEndMs !== 0) w.tag(BatchField.window_end_ms, WireType.Varint).int64(h.windowEndMs);
  w.tag(BatchField.agent_version, WireType.LengthDelimited).bytes(agentVersion);
  if (ev.length !== 0) w.tag(BatchField.event_count, WireType.Varint).uint32(ev.length);
  for (const c of b.controls) {
    w.tag(BatchField.controls, WireType.LengthDelimited).fork();
    w.tag(ControlField.kind, WireType.Varint).int32(CONTROL_KIND_CODE[c.kind]);
    if (c.atMs !== 0) w.tag(ControlField.at_ms, WireType.Varint).int64(c.atMs);
    // `optional` in the .proto: presence is the information, so 0 is written too.
    if (c.untilMs !== undefined) w.tag(ControlField.until_ms, WireType.Varint).int64(c.untilMs);
    w.join();
  }
  // Format 1 has no format field: its bytes stay what agents wrote before format 2.
  if (format !== 1) w.tag(BatchField.format, WireType.Varint).uint32(format);
  if (ev.length > 0) {
    if (format === 1) writeColumns(w, ev, h.windowStartMs, h.windowEndMs);
    else writeColumns2(w, ev, h.windowStartMs, h.windowEndMs);
  }
  return appendCrcTrailer(w.finish());
}

/** Refuses values the sparse columns would silently drop, with the event index and what to fix. */
function checkEventKinds(ev: EventBlock): void {
  const { type, key, x, y, button } = ev;
  for (let i = 0; i < ev.length; i++) {
    const t = type[i] as number;
    if (t >= EVENT_TYPE_COUNT) throw invalid('event_type', `event ${i} has unknown type code ${t}`);
    const name = EVENT_TYPE_NAMES[t] as string;
    if (HAS_KEY[t] === 1) {
      if ((key[i] as number) < REDACTED_KEY) {
        throw invalid('key', `event ${i} (${name}) has key ${key[i]}; key codes are >= 0, or ${REDACTED_KEY} for a redacted keystroke`);
      }
    } else if (HAS_WHEEL[t] === 0 && key[i] !== 0) {
      throw invalid('key', `event ${i} (${name}) has key ${key[i]}; only key and wheel events carry one (the wire drops it)`);
    }
    if (HAS_POINTER[t] === 0 && (x[i] !== 0 || y[i] !== 0)) {
      throw invalid('x_delta_px', `event ${i} (${name}) has position (${x[i]}, ${y[i]}); key events carry none (the wire drops it)`);
    }
    if (HAS_BUTTON[t] === 0 && button[i] !== 0) {
      throw invalid('button', `event ${i} (${name}) has button ${button[i]}; only mousedown and mouseup carry one (the wire drops it)`);
    }
  }
}

function writePacked(w: BinaryWriter, field: number): void {
  if (column.pos > 0) w.tag(field, WireType.LengthDelimited).bytes(column.bytes());
}

/** Time steps into `column` (format 1 zigzag, 2 unsigned), refusing times out of order or outside the window. */
function timeColumn(ev: EventBlock, windowStartMs: number, windowEndMs: number, signed: boolean): void {
  const { t_ms } = ev;
  const n = ev.length;
  const field = signed ? 't_delta_ms' : 't_step_ms';
  column.reset(n);
  let previousMs = windowStartMs;
  for (let i = 0; i < n; i++) {
    const tMs = Math.round(t_ms[i] as number);
    // Written so that NaN fails too.
    if (!(tMs >= previousMs && tMs <= windowEndMs)) {
      if (i > 0 && tMs < previousMs) {
        throw invalid(
          field,
          `event ${i} at ${t_ms[i]} ms is earlier than event ${i - 1} at ${t_ms[i - 1]} ms; events must be in time order`,
        );
      }
      throw invalid(
        field,
        `event ${i} at ${t_ms[i]} ms (${isoOrRaw(tMs)}) is outside the capture window ${isoOrRaw(windowStartMs)} .. ${isoOrRaw(windowEndMs)}`,
      );
    }
    if (signed) column.svarint(tMs - previousMs);
    else column.uvarint(tMs - previousMs);
    previousMs = tMs;
  }
}

function writeColumns(w: BinaryWriter, ev: EventBlock, windowStartMs: number, windowEndMs: number): void {
  const n = ev.length;
  const { type, key } = ev;

  timeColumn(ev, windowStartMs, windowEndMs, true);
  writePacked(w, BatchField.t_delta_ms);

  // Type codes are < 128 (checked), so the packed enum column is the bytes themselves.
  w.tag(BatchField.event_type, WireType.LengthDelimited).bytes(type.subarray(0, n));

  column.reset(n);
  for (let i = 0; i < n; i++) if (HAS_KEY[type[i] as number] === 1) column.svarint(key[i] as number);
  writePacked(w, BatchField.key);

  writePointerColumns(w, ev);
}

/** The columns both formats write alike, fields 13–20: pointer steps, buttons, wheel, context and flags runs. */
function writePointerColumns(w: BinaryWriter, ev: EventBlock): void {
  const n = ev.length;
  const { type, key, x, y, button } = ev;

  column.reset(n);
  let previousPx = 0;
  for (let i = 0; i < n; i++) {
    if (HAS_POINTER[type[i] as number] === 1) {
      column.svarint((x[i] as number) - previousPx);
      previousPx = x[i] as number;
    }
  }
  writePacked(w, BatchField.x_delta_px);

  column.reset(n);
  previousPx = 0;
  for (let i = 0; i < n; i++) {
    if (HAS_POINTER[type[i] as number] === 1) {
      column.svarint((y[i] as number) - previousPx);
      previousPx = y[i] as number;
    }
  }
  writePacked(w, BatchField.y_delta_px);

  column.reset(n);
  for (let i = 0; i < n; i++) if (HAS_BUTTON[type[i] as number] === 1) column.uvarint(button[i] as number);
  writePacked(w, BatchField.button);

  column.reset(n);
  for (let i = 0; i < n; i++) if (HAS_WHEEL[type[i] as number] === 1) column.svarint(key[i] as number);
  writePacked(w, BatchField.wheel_delta);

  writeRuns(w, ev.context, n, BatchField.context_run_value, BatchField.context_run_length);
  writeRuns(w, ev.flags, n, BatchField.flags_run_value, BatchField.flags_run_length);
}

/**
 * Format 2 (schema/batch.proto): time steps unsigned (a zigzag step of 64–127 ms
 * took two bytes), KEYUP keys by their place among the held keys (held-keys.ts).
 * Columns in field-number order, as every protobuf library writes them.
 */
function writeColumns2(w: BinaryWriter, ev: EventBlock, windowStartMs: number, windowEndMs: number): void {
  const n = ev.length;
  const { type, key } = ev;

  w.tag(BatchField.event_type, WireType.LengthDelimited).bytes(type.subarray(0, n));

  column.reset(n);
  for (let i = 0; i < n; i++) if (type[i] === EventType.keydown) column.svarint(key[i] as number);
  writePacked(w, BatchField.key);

  writePointerColumns(w, ev);

  timeColumn(ev, windowStartMs, windowEndMs, false);
  writePacked(w, BatchField.t_step_ms);

  column.reset(n);
  held.reset();
  for (let i = 0; i < n; i++) {
    const t = type[i] as number;
    if (t === EventType.keydown) held.press(key[i] as number);
    else if (t === EventType.keyup) column.uvarint(held.releaseCode(key[i] as number));
  }
  writePacked(w, BatchField.key_up);
}

/** Run-length encodes a Uint8 column as two packed columns: values, then lengths. */
function writeRuns(w: BinaryWriter, values: Uint8Array, n: number, valueField: number, lengthField: number): void {
  column.reset(n);
  let current = values[0] as number;
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    if (v !== current) {
      column.uvarint(current);
      current = v;
    }
  }
  column.uvarint(current);
  writePacked(w, valueField);

  column.reset(n);
  let runStart = 0;
  current = values[0] as number;
  for (let i = 1; i < n; i++) {
    if (values[i] !== current) {
      column.uvarint(i - runStart);
      runStart = i;
      current = values[i] as number;
    }
  }
  column.uvarint(n - runStart);
  writePacked(w, lengthField);
}
