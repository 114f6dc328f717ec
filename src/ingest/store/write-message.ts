/**
 * The SQLite store's writes as one binary message to its writer thread: every
 * write of a group packed into a single ArrayBuffer that is transferred, not
 * cloned. postMessage's structured clone costs per object and per property
 * (about 10 µs a stored batch on the event loop under load, and as much again
 * to rebuild it on the writer: bench:ingest); packing costs a copy of the body
 * and a few field writes. Pure: the store packs, the writer unpacks, and a
 * round trip gives back the same writes (test/ingest/write-message.test.ts).
 */
import type { Codec } from '../../wire/index.js';
import type { BatchRow, ExemptionRecord, PauseRecord } from './types.js';

/** One write, as it travels to the writer thread. */
export type WriteOp =
  | { readonly kind: 'batch'; readonly row: BatchRow; readonly keyGeneration: number | null }
  | {
      readonly kind: 'enroll';
      readonly deviceId: string;
      readonly atMs: number;
      readonly timezone: string | null;
      readonly key: Uint8Array | null;
    }
  | { readonly kind: 'revoke'; readonly deviceId: string; readonly atMs: number }
  | { readonly kind: 'reinstate'; readonly deviceId: string; readonly keyGeneration: number }
  | { readonly kind: 'pause'; readonly pause: PauseRecord }
  | { readonly kind: 'exemption'; readonly deviceId: string; readonly exemption: ExemptionRecord | null };

const KINDS = ['batch', 'enroll', 'revoke', 'reinstate', 'pause', 'exemption'] as const satisfies readonly WriteOp['kind'][];
const ENDED_BY = ['auto-resume', 'resume'] as const;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Packs a group of writes and their ids; the result is meant for postMessage's transfer list. */
export function packWrites(ids: readonly number[], ops: readonly WriteOp[]): ArrayBuffer {
  if (ids.length !== ops.length) throw new RangeError(`${ids.length} ids for ${ops.length} writes`);
  // Room for the worst case up front (UTF-8 takes at most 3 bytes per UTF-16 unit): the buffer is transferred as
  // it is, slack included, so it is neither grown nor cut to size (each a copy of every body in the group).
  const w = new Packer(8 + ops.reduce((a, op) => a + packedBytesAtMost(op), 0));
  w.u32(0); // bytes used, set by finish()
  w.u32(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    w.f64(ids[i]!);
    w.u8(KINDS.indexOf(op.kind));
    switch (op.kind) {
      case 'batch': {
        const r = op.row;
        w.optF64(op.keyGeneration);
        w.str(r.deviceId);
        w.f64(r.sequence);
        w.bytes(r.batchId);
        w.f64(r.windowStartMs);
        w.f64(r.windowEndMs);
        w.f64(r.eventCount);
        w.f64(r.refusedPaused);
        w.f64(r.refusedExempt);
        w.f64(r.receivedMs);
        w.str(r.agentVersion);
        w.str(r.payloadCodec);
        w.bytes(r.payload);
        break;
      }
      case 'enroll':
        w.str(op.deviceId);
        w.f64(op.atMs);
        w.optStr(op.timezone);
        w.optBytes(op.key);
        break;
      case 'revoke':
        w.str(op.deviceId);
        w.f64(op.atMs);
        break;
      case 'reinstate':
        w.str(op.deviceId);
        w.f64(op.keyGeneration);
        break;
      case 'pause':
        w.str(op.pause.deviceId);
        w.f64(op.pause.startMs);
        w.f64(op.pause.endMs);
        w.u8(ENDED_BY.indexOf(op.pause.endedBy));
        break;
      case 'exemption':
        w.str(op.deviceId);
        w.u8(op.exemption === null ? 0 : 1);
        if (op.exemption !== null) {
          w.str(op.exemption.deviceId);
          w.f64(op.exemption.fromMs);
          w.optF64(op.exemption.untilMs);
        }
        break;
    }
  }
  return w.finish();
}

/**
 * The writes packWrites packed. Byte fields (batch ids, bodies, keys) are views into `buf`, not copies: the
 * buffer must stay untouched while they are in use (the writer owns it once transferred).
 */
export function unpackWrites(buf: ArrayBuffer): { ids: number[]; ops: WriteOp[] } {
  const used = new DataView(buf).getUint32(0, true);
  if (used > buf.byteLength) throw new RangeError(`the message says ${used} bytes, its buffer has ${buf.byteLength}`);
  const r = new Unpacker(buf, used);
  r.offset = 4;
  const n = r.u32();
  const ids: number[] = new Array(n);
  const ops: WriteOp[] = new Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = r.f64();
    const kind = KINDS[r.u8()];
    switch (kind) {
      case 'batch': {
        const keyGeneration = r.optF64();
        ops[i] = {
          kind,
          keyGeneration,
          row: {
            deviceId: r.str(),
            sequence: r.f64(),
            batchId: r.bytes(),
            windowStartMs: r.f64(),
            windowEndMs: r.f64(),
            eventCount: r.f64(),
            refusedPaused: r.f64(),
            refusedExempt: r.f64(),
            receivedMs: r.f64(),
            agentVersion: r.str(),
            payloadCodec: r.str() as Codec,
            payload: r.bytes(),
          },
        };
        break;
      }
      case 'enroll':
        ops[i] = { kind, deviceId: r.str(), atMs: r.f64(), timezone: r.optStr(), key: r.optBytes() };
        break;
      case 'revoke':
        ops[i] = { kind, deviceId: r.str(), atMs: r.f64() };
        break;
      case 'reinstate':
        ops[i] = { kind, deviceId: r.str(), keyGeneration: r.f64() };
        break;
      case 'pause':
        ops[i] = { kind, pause: { deviceId: r.str(), startMs: r.f64(), endMs: r.f64(), endedBy: endedBy(r.u8()) } };
        break;
      case 'exemption': {
        const deviceId = r.str();
        ops[i] = {
          kind,
          deviceId,
          exemption: r.u8() === 0 ? null : { deviceId: r.str(), fromMs: r.f64(), untilMs: r.optF64() },
        };
        break;
      }
      default:
        throw new RangeError(`write ${i}: unknown kind`);
    }
  }
  if (r.offset !== used) throw new RangeError(`${used - r.offset} bytes after the last write`);
  return { ids, ops };
}

/** An upper bound of what packWrites writes for one write (ids, kinds, numbers, texts at 3 bytes a unit, bytes). */
function packedBytesAtMost(op: WriteOp): number {
  const text = (t: string | null) => 8 + 3 * (t?.length ?? 0);
  switch (op.kind) {
    case 'batch': {
      const r = op.row;
      return 128 + text(r.deviceId) + text(r.agentVersion) + text(r.payloadCodec) + r.batchId.byteLength + r.payload.byteLength;
    }
    case 'enroll':
      return 64 + text(op.deviceId) + text(op.timezone) + (op.key?.byteLength ?? 0);
    case 'pause':
      return 64 + text(op.pause.deviceId);
    case 'exemption':
      return 64 + text(op.deviceId) + text(op.exemption?.deviceId ?? null);
    default:
      return 64 + text(op.deviceId);
  }
}

function endedBy(i: number): (typeof ENDED_BY)[number] {
  const v = ENDED_BY[i];
  if (v === undefined) throw new RangeError(`unknown pause end ${i}`);
  return v;
}

/** Appends little-endian fields to a buffer that doubles when full. */
class Packer {
  private buf: ArrayBuffer;
  private bytesView: Uint8Array;
  private view: DataView;
  private at = 0;

  constructor(capacity: number) {
    this.buf = new ArrayBuffer(capacity);
    this.bytesView = new Uint8Array(this.buf);
    this.view = new DataView(this.buf);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.byteLength) return;
    const next = new ArrayBuffer(Math.max(this.buf.byteLength * 2, this.at + n));
    new Uint8Array(next).set(this.bytesView.subarray(0, this.at));
    this.buf = next;
    this.bytesView = new Uint8Array(next);
    this.view = new DataView(next);
  }

  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.at, v);
    this.at += 1;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }

  optF64(v: number | null): void {
    this.u8(v === null ? 0 : 1);
    if (v !== null) this.f64(v);
  }

  bytes(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.room(b.byteLength);
    this.bytesView.set(b, this.at);
    this.at += b.byteLength;
  }

  optBytes(b: Uint8Array | null): void {
    this.u8(b === null ? 0 : 1);
    if (b !== null) this.bytes(b);
  }

  str(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the length is written once the text is.
    this.room(4 + 3 * s.length);
    const { written } = utf8.encodeInto(s, this.bytesView.subarray(this.at + 4));
    this.view.setUint32(this.at, written, true);
    this.at += 4 + written;
  }

  optStr(s: string | null): void {
    this.u8(s === null ? 0 : 1);
    if (s !== null) this.str(s);
  }

  /** The buffer, its first field set to the bytes used (what follows them is slack). */
  finish(): ArrayBuffer {
    this.view.setUint32(0, this.at, true);
    return this.buf;
  }
}

/** Reads what Packer wrote; reading past the end is a RangeError from DataView. */
class Unpacker {
  private readonly view: DataView;
  offset = 0;

  /** Reads the first `length` bytes of `buf`. */
  constructor(
    private readonly buf: ArrayBuffer,
    private readonly length: number,
  ) {
    this.view = new DataView(buf, 0, length);
  }

  u8(): number {
    return this.view.getUint8(this.offset++);
  }

  u32(): number {
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  optF64(): number | null {
    return this.u8() === 0 ? null : this.f64();
  }

  bytes(): Uint8Array {
    const n = this.u32();
    if (this.offset + n > this.length) throw new RangeError(`a ${n}-byte field runs past the end`);
    const b = new Uint8Array(this.buf, this.offset, n);
    this.offset += n;
    return b;
  }

  optBytes(): Uint8Array | null {
    return this.u8() === 0 ? null : this.bytes();
  }

  str(): string {
    return fromUtf8.decode(this.bytes());
  }

  optStr(): string | null {
    return this.u8() === 0 ? null : this.str();
  }
}
