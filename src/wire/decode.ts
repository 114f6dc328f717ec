/**
 * One serialized Batch (schema/batch.proto) → header, controls and an
 * EventBlock, trusting nothing: any input either decodes to a batch that
 * obeys every rule in the .proto, or throws a WireError saying what was wrong
 * (never another exception type; the fuzz tests hold it to that).
 *
 * Steps: the crc32 trailer is checked (checksum.ts); the envelope is walked
 * once with BinaryReader, recording where each column lies; the event count
 * is checked against the limits and the event_type column's bytes (so a tiny
 * message cannot claim a million events); the block is allocated once and
 * each column is decoded straight into it, event by event (times, keys,
 * pointers, runs: a pass each), so a refusal names the event at fault. The
 * ingest service checks batches with scanBatch (scan.ts) instead, which keeps
 * only the times and leaves its refusals to this decode for their message.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { EventType, REDACTED_KEY, allocateBlock, type EventBlock } from '../events/index.js';
import { checkCrcTrailer } from './checksum.js';
import { WireError } from './errors.js';
import {
  BATCH_FIELD_NAME,
  BatchField,
  CONTROL_KIND_BY_CODE,
  ControlField,
  EVENT_TYPE_COUNT,
  HAS_BUTTON,
  HAS_KEY,
  HAS_WHEEL,
  WIRE_FORMATS,
  type BatchFieldName,
  type WireFormat,
} from './fields.js';
import { HeldKeys } from './held-keys.js';
import { DEFAULT_DECODE_LIMITS, type BatchHeader, type ControlRecord, type DecodeLimits, type DecodedBatch } from './types.js';
import { checkControls, checkHeader, invalid } from './validate.js';
import { ColumnReader } from './varint.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const UINT32_MAX = 0xffffffff;

/** Where things are in the message, before anything is allocated from them. */
export interface Envelope {
  scalars: Partial<Record<BatchFieldName, number>>;
  strings: Partial<Record<BatchFieldName, Uint8Array>>;
  /** Column bytes by field number. */
  columns: (Uint8Array | undefined)[];
  controls: Uint8Array[];
}

export function decodeBatch(bytes: Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedBatch {
  const lim: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  const { env, header, controls } = decodeHead(bytes, lim);
  const events = decodeEvents(env, header, lim);
  return { header, controls, events };
}

/** Envelope, header and controls, checked: the part decodeBatch and scanBatch (scan.ts) share. */
export function decodeHead(bytes: Uint8Array, lim: DecodeLimits): { env: Envelope; header: BatchHeader; controls: ControlRecord[] } {
  const env = readEnvelope(checkCrcTrailer(bytes), lim);
  const deviceId = env.strings.device_id ?? EMPTY;
  const agentVersion = env.strings.agent_version ?? EMPTY;
  const header: BatchHeader = {
    batchId: (env.strings.batch_id ?? EMPTY).slice(),
    deviceId: decodeUtf8(deviceId, 'device_id', lim.maxDeviceIdBytes),
    sequence: env.scalars.sequence ?? 0,
    windowStartMs: env.scalars.window_start_ms ?? 0,
    windowEndMs: env.scalars.window_end_ms ?? 0,
    agentVersion: decodeUtf8(agentVersion, 'agent_version', lim.maxAgentVersionBytes),
  };
  checkHeader(header, deviceId.length, agentVersion.length, lim);
  const controls = env.controls.map((c, i) => readControl(c, i));
  checkControls(controls, header, lim);
  return { env, header, controls };
}

function decodeUtf8(b: Uint8Array, field: string, maxBytes: number): string {
  // Not worth decoding: checkHeader refuses it by its byte length, with the limit in the message.
  if (b.length > maxBytes) return '';
  try {
    return utf8.decode(b);
  } catch (e) {
    throw new WireError('WIRE_CORRUPT', `${field} is not valid UTF-8`, field, { cause: e });
  }
}

/** BinaryReader throws plain Errors; they become WireErrors naming the field being read. */
function fromReaderError(e: unknown, field: string): WireError {
  if (e instanceof WireError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError) return new WireError('WIRE_TRUNCATED', `message ends inside ${field} (${detail})`, field, { cause: e });
  return new WireError('WIRE_CORRUPT', `malformed protobuf at ${field}: ${detail}`, field, { cause: e });
}

const WIRE_TYPE_NAME = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

function expectWireType(field: string, got: WireType, want: WireType, what: string): void {
  if (got !== want) {
    throw new WireError(
      'WIRE_CORRUPT',
      `${field} has wire type ${WIRE_TYPE_NAME[got] ?? got}, expected ${WIRE_TYPE_NAME[want]} (${what})`,
      field,
    );
  }
}

/** A length-delimited payload as a view, with a message that says how far past the end it claims to go. */
function lengthDelimited(r: BinaryReader, bytes: Uint8Array, field: string): Uint8Array {
  const len = r.uint32();
  const remaining = r.len - r.pos;
  if (len > remaining) {
    throw new WireError('WIRE_TRUNCATED', `${field} declares ${len} bytes but only ${remaining} remain in the message`, field);
  }
  const out = bytes.subarray(r.pos, r.pos + len);
  r.pos += len;
  return out;
}

function safeInteger(v: bigint | string, field: string, min: number): number {
  const big = BigInt(v);
  if (big < BigInt(min) || big > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new WireError('WIRE_OVERFLOW', `${field} ${big} is outside ${min} .. 2^53-1`, field);
  }
  return Number(big);
}

function once(env: Envelope, name: BatchFieldName, no: number): void {
  if (env.scalars[name] !== undefined || env.strings[name] !== undefined || env.columns[no] !== undefined) {
    throw invalid(name, `${name} appears twice; a batch writes each field once`);
  }
}

function readEnvelope(bytes: Uint8Array, lim: DecodeLimits): Envelope {
  const env: Envelope = { scalars: {}, strings: {}, columns: [], controls: [] };
  const r = new BinaryReader(bytes);
  let field = 'the first tag';
  try {
    while (r.pos < r.len) {
      field = 'a tag';
      const [no, wt] = r.tag();
      const name = BATCH_FIELD_NAME[no];
      field = name ?? `unknown field ${no}`;
      if (name === undefined) {
        // Skipped for forward compatibility; proto3 has no groups, so those are not a field added later.
        if (wt === WireType.StartGroup || wt === WireType.EndGroup) {
          throw new WireError('WIRE_CORRUPT', `field ${no} uses a group wire type, which proto3 does not have`, field);
        }
        r.skip(wt);
        continue;
      }
      if (name === 'controls') {
        expectWireType(name, wt, WireType.LengthDelimited, 'a Control message');
        if (env.controls.length >= lim.maxControls) {
          throw new WireError('WIRE_TOO_LARGE', `more than ${lim.maxControls} controls`, name);
        }
        env.controls.push(lengthDelimited(r, bytes, name));
        continue;
      }
      if (name === 'crc32') throw invalid(name, 'crc32 (field 31) must be the last field of the batch, and appear once');
      switch (name) {
        case 'batch_id':
        case 'device_id':
        case 'agent_version':
          expectWireType(name, wt, WireType.LengthDelimited, name === 'batch_id' ? 'bytes' : 'string');
          once(env, name, no);
          env.strings[name] = lengthDelimited(r, bytes, name);
          break;
        case 'sequence':
          expectWireType(name, wt, WireType.Varint, 'uint64');
          once(env, name, no);
          env.scalars[name] = safeInteger(r.uint64(), name, 0);
          break;
        case 'window_start_ms':
        case 'window_end_ms':
          expectWireType(name, wt, WireType.Varint, 'int64');
          once(env, name, no);
          env.scalars[name] = safeInteger(r.int64(), name, Number.MIN_SAFE_INTEGER);
          break;
        case 'format':
          expectWireType(name, wt, WireType.Varint, 'uint32');
          once(env, name, no);
          env.scalars[name] = safeInteger(r.uint64(), name, 0);
          break;
        case 'event_count':
          expectWireType(name, wt, WireType.Varint, 'uint32');
          once(env, name, no);
          env.scalars[name] = safeInteger(r.uint64(), name, 0);
          if ((env.scalars[name] as number) > UINT32_MAX)
            throw new WireError('WIRE_OVERFLOW', `event_count ${env.scalars[name]} does not fit uint32`, name);
          break;
        default:
          // Every other known field is a packed column.
          expectWireType(name, wt, WireType.LengthDelimited, 'a packed column; unpacked repeated values are not accepted');
          once(env, name, no);
          env.columns[no] = lengthDelimited(r, bytes, name);
      }
    }
  } catch (e) {
    throw fromReaderError(e, field);
  }
  return env;
}

function readControl(bytes: Uint8Array, index: number): ControlRecord {
  const r = new BinaryReader(bytes);
  const where = `controls[${index}]`;
  let kindCode = 0;
  let atMs = 0;
  let untilMs: number | undefined;
  const seen = new Set<number>();
  let field = where;
  try {
    while (r.pos < r.len) {
      const [no, wt] = r.tag();
      field = `${where} field ${no}`;
      if (no === ControlField.kind || no === ControlField.at_ms || no === ControlField.until_ms) {
        if (seen.has(no)) throw invalid('controls', `${field} appears twice`);
        seen.add(no);
        expectWireType(field, wt, WireType.Varint, 'a varint');
        if (no === ControlField.kind) kindCode = safeInteger(r.int64(), `${where}.kind`, Number.MIN_SAFE_INTEGER);
        else if (no === ControlField.at_ms) atMs = safeInteger(r.int64(), `${where}.at_ms`, Number.MIN_SAFE_INTEGER);
        else untilMs = safeInteger(r.int64(), `${where}.until_ms`, Number.MIN_SAFE_INTEGER);
      } else {
        if (wt === WireType.StartGroup || wt === WireType.EndGroup) {
          throw new WireError('WIRE_CORRUPT', `${field} uses a group wire type, which proto3 does not have`, 'controls');
        }
        r.skip(wt);
      }
    }
  } catch (e) {
    throw fromReaderError(e, field);
  }
  const kind = CONTROL_KIND_BY_CODE[kindCode];
  if (kind === undefined)
    throw invalid('controls', `${where} has unknown kind ${kindCode} (known: 1 pause, 2 resume, 3 auto_resume, 4 exempt)`);
  return untilMs === undefined ? { kind, atMs } : { kind, atMs, untilMs };
}

function countMismatch(field: string, got: number, expected: number, per: string): WireError {
  return invalid(field, `column ${field} holds ${got} values, expected ${expected} (one per ${per})`);
}

/** The event columns, each value checked in event order within its pass, so a refusal names the event at fault. */
export function decodeEvents(env: Envelope, h: BatchHeader, lim: DecodeLimits): EventBlock {
  const format = formatOf(env);
  const n = env.scalars.event_count ?? 0;
  if (n > lim.maxEvents)
    throw new WireError('WIRE_TOO_LARGE', `event_count ${n} is over the limit of ${lim.maxEvents} events`, 'event_count');
  const types = env.columns[BatchField.event_type] ?? EMPTY;
  // Valid type codes are single bytes, so this also bounds the allocation below by the message size.
  if (types.length !== n) {
    throw invalid('event_type', `column event_type is ${types.length} bytes, expected ${n} (one byte per event, event_count = ${n})`);
  }
  const ev = allocateBlock(n);
  const count = new Uint32Array(EVENT_TYPE_COUNT);
  for (let i = 0; i < n; i++) {
    const t = types[i] as number;
    if (t >= EVENT_TYPE_COUNT) throw invalid('event_type', `event ${i} has unknown type code ${t >= 0x80 ? '(multi-byte)' : t}`);
    count[t]!++;
  }
  ev.type.set(types);

  if (format === 1) {
    decodeTimes(env.columns[BatchField.t_delta_ms] ?? EMPTY, ev, h);
    decodeSparse(env, ev, count);
  } else {
    decodeSteps(env.columns[BatchField.t_step_ms] ?? EMPTY, ev, h);
    decodeSparse2(env, ev, count);
  }
  decodeRuns(env, 'context', n, ev.context);
  decodeRuns(env, 'flags', n, ev.flags);
  return ev;
}

/** Columns of one format only: a batch of the other that carries one was not written by a fleetsim agent of either. */
const FORMAT_ONLY: Readonly<Record<WireFormat, readonly BatchFieldName[]>> = {
  1: ['t_delta_ms'],
  2: ['t_step_ms', 'key_up'],
};

/** The batch's format (absent: 1, what agents wrote before there was a format field), its columns checked against it. */
export function formatOf(env: Envelope): WireFormat {
  // proto3 reads an explicit 0 as the field left out.
  const f = env.scalars.format || 1;
  const format = WIRE_FORMATS.find((k) => k === f);
  if (format === undefined) {
    throw new WireError(
      'WIRE_UNSUPPORTED',
      `format ${f} is not a wire format this service reads (${WIRE_FORMATS.join(', ')}); an agent newer than the service sent it`,
      'format',
    );
  }
  const other: WireFormat = format === 1 ? 2 : 1;
  for (const name of FORMAT_ONLY[other]) {
    if (env.columns[BatchField[name]] !== undefined) {
      throw invalid(
        name,
        `${name} is a column of wire format ${other}, and this batch is format ${format}${format === 1 ? ' (it has no format field)' : ''}`,
      );
    }
  }
  return format;
}

/** Format 1's steps: sint64 (zigzag), none negative. */
function decodeTimes(col: Uint8Array, ev: EventBlock, h: BatchHeader): void {
  const n = ev.length;
  const t_ms = ev.t_ms;
  const r = new ColumnReader(col, 't_delta_ms');
  const endMs = h.windowEndMs;
  let tMs = h.windowStartMs;
  for (let i = 0; i < n; i++) {
    if (!r.hasMore()) throw countMismatch('t_delta_ms', i, n, 'event');
    const d = r.svarint();
    if (d < 0) throw invalid('t_delta_ms', `event ${i} has time delta ${d} ms; deltas are >= 0 (events are in time order)`);
    tMs += d;
    if (tMs > endMs) {
      throw invalid('t_delta_ms', `event ${i} is at ${tMs} ms, after the capture window ends (${endMs} ms)`);
    }
    t_ms[i] = tMs;
  }
  if (r.hasMore()) throw countMismatch('t_delta_ms', n + r.countRemaining(), n, 'event');
}

/** Format 2's steps: uint64, so never negative; a loop of its own, as the decode's hottest. */
function decodeSteps(col: Uint8Array, ev: EventBlock, h: BatchHeader): void {
  const n = ev.length;
  const t_ms = ev.t_ms;
  const r = new ColumnReader(col, 't_step_ms');
  const endMs = h.windowEndMs;
  let tMs = h.windowStartMs;
  for (let i = 0; i < n; i++) {
    if (!r.hasMore()) throw countMismatch('t_step_ms', i, n, 'event');
    tMs += r.uvarint();
    if (tMs > endMs) {
      throw invalid('t_step_ms', `event ${i} is at ${tMs} ms, after the capture window ends (${endMs} ms)`);
    }
    t_ms[i] = tMs;
  }
  if (r.hasMore()) throw countMismatch('t_step_ms', n + r.countRemaining(), n, 'event');
}

/** Format 1's sparse columns: key holds KEYDOWN and KEYUP keys alike, in event order; then the shared pointer pass. */
function decodeSparse(env: Envelope, ev: EventBlock, count: Uint32Array): void {
  decodeKeys1(env, ev, count);
  decodePointers(env, ev, count);
}

function decodeKeys1(env: Envelope, ev: EventBlock, count: Uint32Array): void {
  const keys = (count[0] as number) + (count[1] as number);
  const kr = new ColumnReader(env.columns[BatchField.key] ?? EMPTY, 'key');
  const { type, key } = ev;
  let ki = 0;
  for (let i = 0; i < ev.length; i++) {
    if (HAS_KEY[type[i] as number] !== 1) continue;
    if (!kr.hasMore()) throw countMismatch('key', ki, keys, 'keydown/keyup event');
    const k = kr.svarint();
    checkKey(k, i, 'key');
    key[i] = k;
    ki++;
  }
  if (kr.hasMore()) throw countMismatch('key', ki + kr.countRemaining(), keys, 'keydown/keyup event');
}

const held = new HeldKeys();
/** Plain numbers for the decode loop's comparisons. */
const KEYDOWN: number = EventType.keydown;
const KEYUP: number = EventType.keyup;

/**
 * Format 2's sparse columns: key holds KEYDOWN keys only, key_up the KEYUP keys by held place (held-keys.ts).
 * Keys and pointers in two passes: each loop stays small enough for V8 to inline its column reads. Measured
 * on bench:agent's batches (when the service's check was this decode), format 2 took ~25 % longer than format 1
 * in one pass, ~10 % in two (with decodeSteps' own loop), which brotli's inflate of the smaller body about pays back.
 */
function decodeSparse2(env: Envelope, ev: EventBlock, count: Uint32Array): void {
  decodeKeys2(env, ev, count);
  decodePointers(env, ev, count);
}

/** Both formats' pointer columns (x, y, button, wheel), in event order, after the keys' own pass. */
function decodePointers(env: Envelope, ev: EventBlock, count: Uint32Array): void {
  const c = (t: number) => count[t] as number;
  const pointers = c(2) + c(3) + c(4) + c(5);
  const buttons = c(3) + c(4);
  const wheels = c(5);
  const xr = new ColumnReader(env.columns[BatchField.x_delta_px] ?? EMPTY, 'x_delta_px');
  const yr = new ColumnReader(env.columns[BatchField.y_delta_px] ?? EMPTY, 'y_delta_px');
  const br = new ColumnReader(env.columns[BatchField.button] ?? EMPTY, 'button');
  const wr = new ColumnReader(env.columns[BatchField.wheel_delta] ?? EMPTY, 'wheel_delta');
  const { type, key, x, y, button } = ev;
  let pi = 0;
  let bi = 0;
  let wi = 0;
  let px = 0;
  let py = 0;
  for (let i = 0; i < ev.length; i++) {
    const t = type[i] as number;
    if (HAS_KEY[t] === 1) continue;
    // Every type that is not a key is a pointer type (EVENT_TYPE_COUNT was checked).
    if (!xr.hasMore()) throw countMismatch('x_delta_px', pi, pointers, 'pointer event');
    if (!yr.hasMore()) throw countMismatch('y_delta_px', pi, pointers, 'pointer event');
    px += xr.svarint();
    py += yr.svarint();
    if (px < INT32_MIN || px > INT32_MAX || py < INT32_MIN || py > INT32_MAX) {
      const field = px < INT32_MIN || px > INT32_MAX ? 'x_delta_px' : 'y_delta_px';
      throw new WireError('WIRE_OVERFLOW', `event ${i} is at (${px}, ${py}); positions must fit int32`, field);
    }
    x[i] = px;
    y[i] = py;
    pi++;
    if (HAS_BUTTON[t] === 1) {
      if (!br.hasMore()) throw countMismatch('button', bi, buttons, 'mousedown/mouseup event');
      const b = br.uvarint();
      if (b > 0xff) throw new WireError('WIRE_OVERFLOW', `event ${i} has button ${b}; buttons fit 0..255`, 'button');
      button[i] = b;
      bi++;
    } else if (HAS_WHEEL[t] === 1) {
      if (!wr.hasMore()) throw countMismatch('wheel_delta', wi, wheels, 'wheel event');
      const w = wr.svarint();
      if (w < INT16_MIN || w > INT16_MAX)
        throw new WireError('WIRE_OVERFLOW', `event ${i} has wheel delta ${w}, which does not fit int16`, 'wheel_delta');
      key[i] = w;
      wi++;
    }
  }
  if (xr.hasMore()) throw countMismatch('x_delta_px', pi + xr.countRemaining(), pointers, 'pointer event');
  if (yr.hasMore()) throw countMismatch('y_delta_px', pi + yr.countRemaining(), pointers, 'pointer event');
  if (br.hasMore()) throw countMismatch('button', bi + br.countRemaining(), buttons, 'mousedown/mouseup event');
  if (wr.hasMore()) throw countMismatch('wheel_delta', wi + wr.countRemaining(), wheels, 'wheel event');
}

/** Format 2's key and key_up columns, in event order (the held list needs the KEYDOWNs before each KEYUP). */
function decodeKeys2(env: Envelope, ev: EventBlock, count: Uint32Array): void {
  const downs = count[KEYDOWN] as number;
  const ups = count[KEYUP] as number;
  const kr = new ColumnReader(env.columns[BatchField.key] ?? EMPTY, 'key');
  const ur = new ColumnReader(env.columns[BatchField.key_up] ?? EMPTY, 'key_up');
  const { type, key } = ev;
  held.reset();
  let ki = 0;
  let ui = 0;
  for (let i = 0; i < ev.length; i++) {
    const t = type[i] as number;
    if (t === KEYDOWN) {
      if (!kr.hasMore()) throw countMismatch('key', ki, downs, 'keydown event');
      const k = kr.svarint();
      checkKey(k, i, 'key');
      held.press(k);
      key[i] = k;
      ki++;
    } else if (t === KEYUP) {
      if (!ur.hasMore()) throw countMismatch('key_up', ui, ups, 'keyup event');
      const k = held.releasedKey(ur.uvarint());
      checkKey(k, i, 'key_up');
      key[i] = k;
      ui++;
    }
  }
  if (kr.hasMore()) throw countMismatch('key', ki + kr.countRemaining(), downs, 'keydown event');
  if (ur.hasMore()) throw countMismatch('key_up', ui + ur.countRemaining(), ups, 'keyup event');
}

/** A key code as the wire allows it: -1 (redacted) or 0..32767. */
function checkKey(k: number, i: number, field: 'key' | 'key_up'): void {
  if (k < REDACTED_KEY) {
    if (k < INT16_MIN) throw new WireError('WIRE_OVERFLOW', `event ${i} has key ${k}, which does not fit int16`, field);
    throw invalid(field, `event ${i} has key ${k}; key codes are >= 0, or ${REDACTED_KEY} for a redacted keystroke`);
  }
  if (k > INT16_MAX) throw new WireError('WIRE_OVERFLOW', `event ${i} has key ${k}, which does not fit int16`, field);
}

/** A run-length column pair over n events, into out (or only checked, when out is null: scan.ts). */
export function decodeRuns(env: Envelope, what: 'context' | 'flags', n: number, out: Uint8Array | null): void {
  const valueField = `${what}_run_value` as const;
  const lengthField = `${what}_run_length` as const;
  const vr = new ColumnReader(env.columns[BatchField[valueField]] ?? EMPTY, valueField);
  const lr = new ColumnReader(env.columns[BatchField[lengthField]] ?? EMPTY, lengthField);
  let at = 0;
  let run = 0;
  while (vr.hasMore()) {
    if (!lr.hasMore()) throw invalid(lengthField, `${valueField} has more runs than ${lengthField} (${run} lengths)`);
    const v = vr.uvarint();
    const len = lr.uvarint();
    if (v > 0xff) throw new WireError('WIRE_OVERFLOW', `${what} run ${run} has value ${v}; ${what} values fit 0..255`, valueField);
    if (len === 0) throw invalid(lengthField, `${what} run ${run} has length 0; runs are at least one event long`);
    if (len > n - at) throw invalid(lengthField, `${what} runs cover more than event_count (${n}) events`);
    // The block is zero-filled already, and 0 is the common value.
    if (v !== 0 && out !== null) out.fill(v, at, at + len);
    at += len;
    run++;
  }
  if (lr.hasMore()) throw invalid(lengthField, `${lengthField} has more runs than ${valueField} (${run} values)`);
  if (at !== n) throw invalid(lengthField, `${what} runs cover ${at} events, event_count is ${n}`);
}
