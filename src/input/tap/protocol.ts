/**
 * The tap wire format (docs/tap-protocol.md is the reference for agents in
 * any language): a 16-byte hello from the harness, then one 32-byte
 * little-endian record per input event. Pure encode/decode: no I/O here.
 */
import type { MutableEventBlock } from '../../events/index.js';
import { allocateBlock } from '../../events/index.js';

/** "FSTAP" + NUL + 2 spare bytes: what a reader checks first. */
export const TAP_MAGIC = Buffer.from('FSTAP\0\0\0', 'latin1');
export const TAP_VERSION = 1;
export const TAP_HELLO_BYTES = 16;
export const TAP_RECORD_BYTES = 32;

/** Largest event type code a record may carry (EventType.wheel). */
const MAX_EVENT_TYPE = 5;

/** A stream that is not (or no longer) the tap protocol: what was wrong, at which byte. */
export class TapProtocolError extends Error {
  override readonly name = 'TapProtocolError';
}

export function encodeHello(): Buffer {
  const b = Buffer.alloc(TAP_HELLO_BYTES);
  TAP_MAGIC.copy(b, 0);
  b.writeUInt16LE(TAP_VERSION, 8);
  b.writeUInt16LE(TAP_RECORD_BYTES, 10);
  // Bytes 12–15: reserved, zero (flags of a later version).
  return b;
}

/** Checks a hello; throws TapProtocolError saying what did not match. */
export function checkHello(b: Uint8Array): void {
  if (b.byteLength < TAP_HELLO_BYTES)
    throw new TapProtocolError(`tap hello is ${TAP_HELLO_BYTES} bytes, the stream ended after ${b.byteLength}`);
  const buf = Buffer.from(b.buffer, b.byteOffset, TAP_HELLO_BYTES);
  if (!buf.subarray(0, 8).equals(TAP_MAGIC)) {
    throw new TapProtocolError(
      `not a fleetsim tap: the hello starts with ${JSON.stringify(buf.subarray(0, 8).toString('latin1'))}, expected "FSTAP\\0\\0\\0"`,
    );
  }
  const version = buf.readUInt16LE(8);
  if (version !== TAP_VERSION)
    throw new TapProtocolError(`tap protocol version ${version} is not supported (this reader speaks version ${TAP_VERSION})`);
  const size = buf.readUInt16LE(10);
  if (size !== TAP_RECORD_BYTES)
    throw new TapProtocolError(`tap record size ${size} is not supported (version ${TAP_VERSION} records are ${TAP_RECORD_BYTES} bytes)`);
}

/** One event as a record travels. */
export interface TapRecord {
  /** The agent's clock, UTC epoch ms (fractional). */
  readonly tMs: number;
  readonly type: number;
  readonly key: number;
  readonly x: number;
  readonly y: number;
  readonly button: number;
  readonly context: number;
  /** The harness's running count of records on this connection, from 0. */
  readonly seq: number;
}

/** Writes record r at `offset` of `out` (TAP_RECORD_BYTES bytes). */
export function encodeRecord(out: Buffer, offset: number, r: TapRecord): void {
  out.writeDoubleLE(r.tMs, offset);
  out.writeUInt8(r.type, offset + 8);
  out.writeUInt8(r.button, offset + 9);
  out.writeUInt8(r.context, offset + 10);
  out.writeUInt8(0, offset + 11);
  out.writeInt16LE(r.key, offset + 12);
  out.writeUInt16LE(0, offset + 14);
  out.writeInt32LE(r.x, offset + 16);
  out.writeInt32LE(r.y, offset + 20);
  out.writeUInt32LE(r.seq >>> 0, offset + 24);
  out.writeUInt32LE(0, offset + 28);
}

/**
 * The reader's state machine: hello first, then whole records, whatever the
 * chunking of the stream (a read may end inside the hello or a record).
 * `push` returns the events completed by that chunk in a block reused by the
 * next call.
 */
export class TapDecoder {
  private helloSeen = false;
  private pending = Buffer.alloc(0);
  private block: MutableEventBlock = allocateBlock(64);
  /** Records decoded so far; checked against each record's seq to catch a lost or repeated record. */
  records = 0;

  push(chunk: Buffer): MutableEventBlock {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.helloSeen) {
      if (buf.length < TAP_HELLO_BYTES) {
        // Check what has arrived already: a wrong magic is reported at once, not when 16 bytes are in.
        const n = Math.min(buf.length, 8);
        if (!buf.subarray(0, n).equals(TAP_MAGIC.subarray(0, n)))
          checkHello(Buffer.concat([buf, Buffer.alloc(TAP_HELLO_BYTES - buf.length)]));
        this.pending = Buffer.from(buf);
        return this.empty();
      }
      checkHello(buf);
      this.helloSeen = true;
      buf = buf.subarray(TAP_HELLO_BYTES);
    }
    const n = Math.floor(buf.length / TAP_RECORD_BYTES);
    if (n > this.block.t_ms.length) this.block = allocateBlock(Math.max(n, this.block.t_ms.length * 2));
    const b = this.block;
    for (let i = 0; i < n; i++) {
      const o = i * TAP_RECORD_BYTES;
      const type = buf.readUInt8(o + 8);
      const seq = buf.readUInt32LE(o + 24);
      if (type > MAX_EVENT_TYPE)
        throw new TapProtocolError(`tap record ${this.records} has event type ${type}; types are 0–${MAX_EVENT_TYPE}`);
      if (seq !== this.records >>> 0)
        throw new TapProtocolError(`tap record ${this.records} carries sequence ${seq}: a record was lost or repeated`);
      b.t_ms[i] = buf.readDoubleLE(o);
      if (!Number.isFinite(b.t_ms[i] as number))
        throw new TapProtocolError(`tap record ${this.records} has time ${b.t_ms[i]}; times are finite epoch ms`);
      b.type[i] = type;
      b.button[i] = buf.readUInt8(o + 9);
      b.context[i] = buf.readUInt8(o + 10);
      b.key[i] = buf.readInt16LE(o + 12);
      b.x[i] = buf.readInt32LE(o + 16);
      b.y[i] = buf.readInt32LE(o + 20);
      b.flags[i] = 0;
      this.records++;
    }
    b.length = n;
    const rest = buf.length - n * TAP_RECORD_BYTES;
    this.pending = rest > 0 ? Buffer.from(buf.subarray(n * TAP_RECORD_BYTES)) : Buffer.alloc(0);
    return b;
  }

  /** Bytes of a record (or hello) begun but not complete: at the end of the stream, a truncation. */
  get partialBytes(): number {
    return this.pending.length;
  }

  /** Throws if the stream ended inside the hello or a record. */
  end(): void {
    if (!this.helloSeen && this.pending.length === 0) throw new TapProtocolError('the tap closed before sending its hello');
    if (!this.helloSeen) checkHello(this.pending);
    if (this.pending.length > 0) {
      throw new TapProtocolError(
        `the tap stream ended inside record ${this.records}: ${this.pending.length} of ${TAP_RECORD_BYTES} bytes arrived`,
      );
    }
  }

  private empty(): MutableEventBlock {
    this.block.length = 0;
    return this.block;
  }
}
