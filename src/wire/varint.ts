/**
 * Packed varint columns, read and written straight from and into typed arrays.
 *
 * The envelope (tags, lengths, header fields) goes through @bufbuild/protobuf's
 * BinaryWriter/BinaryReader; the columns do not, for two reasons:
 * - BinaryReader.uint32/sint32 follow protobuf's lenient rule and silently keep
 *   the low 32 bits of a longer varint; the ingest service must instead refuse
 *   an overflowing value with a clear error.
 * - a column is up to hundreds of thousands of values: one tight loop over a
 *   Uint8Array with the bounds of the column, no per-value asserts or objects.
 *
 * Values are JS numbers up to 2^53 - 1: every column fits (time deltas are
 * bounded by the window, position deltas by 2^32).
 */
import { WireError } from './errors.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 2^49: after 7 bytes (49 bits) the multiplier for the 8th byte is 2^49; no 9th byte fits 53 bits. */
const LAST_MULTIPLIER = 2 ** 49;

/** Reads the values of one packed column, in order. */
export class ColumnReader {
  pos: number;
  readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    /** The .proto field name, for error messages. */
    readonly field: string,
  ) {
    this.pos = 0;
    this.end = buf.length;
  }

  hasMore(): boolean {
    return this.pos < this.end;
  }

  /**
   * The next unsigned varint; the caller checks hasMore() first. One- and two-byte values (most time and position
   * deltas, up to 16,383) take the few lines here, which V8 inlines into the decode loops; longer ones a call.
   * Which of the two a value is, is mixed at random in a column (a third of the time steps take two bytes), so
   * the two are told apart without a branch: a mispredicted one per value cost more than the rest of the read
   * (scanBatch's loop over 1,800 time steps took 8.0 µs, 4.9 without).
   */
  uvarint(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 1 < this.end) {
      const b0 = buf[pos] as number;
      const b1 = buf[pos + 1] as number;
      // 1 when the value goes on into b1.
      const more = b0 >> 7;
      if ((more & (b1 >> 7)) === 0) {
        this.pos = pos + 1 + more;
        return (b0 & 0x7f) | ((b1 << 7) & -more);
      }
    } else if ((buf[pos] as number) < 0x80) {
      this.pos = pos + 1;
      return buf[pos] as number;
    }
    return this.longUvarint();
  }

  /** A varint of three bytes or more (or one cut off): the rest of uvarint, kept out of the inlined part. */
  private longUvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++] as number;
    let value = b & 0x7f;
    let shift = 7;
    // Bit operations are exact up to 28 bits; beyond, multiply (exact below 2^53).
    while (shift < 28) {
      if (pos >= this.end) throw this.cutOff();
      b = buf[pos++] as number;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      shift += 7;
    }
    let multiplier = 2 ** 28;
    for (;;) {
      if (pos >= this.end) throw this.cutOff();
      b = buf[pos++] as number;
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) break;
      if (multiplier >= LAST_MULTIPLIER) throw this.overflow(pos);
      multiplier *= 128;
    }
    if (value > MAX_SAFE) throw this.overflow(pos);
    this.pos = pos;
    return value;
  }

  /** The next zigzag (sint32/sint64) varint. */
  svarint(): number {
    const u = this.uvarint();
    if (u <= 0x7fffffff) return (u >>> 1) ^ -(u & 1);
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Values left from here to the end of the column (for "holds N values" messages). */
  countRemaining(): number {
    let n = 0;
    for (let p = this.pos; p < this.end; p++) if ((this.buf[p] as number) < 0x80) n++;
    return n;
  }

  private cutOff(): WireError {
    return new WireError('WIRE_CORRUPT', `column ${this.field} ends in the middle of a varint`, this.field);
  }

  private overflow(pos: number): WireError {
    return new WireError(
      'WIRE_OVERFLOW',
      `column ${this.field} holds a varint at byte ${pos} of the column that does not fit in 53 bits`,
      this.field,
    );
  }
}

/**
 * Writes one packed column into a growable scratch buffer that is reused
 * across columns and batches (encoding allocates nothing per value).
 */
export class ColumnWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Starts a column of at most `values` values (each at most 10 bytes). */
  reset(values: number): void {
    this.pos = 0;
    const need = values * 10;
    if (this.buf.length < need) this.buf = new Uint8Array(Math.max(need, this.buf.length * 2));
  }

  /** An unsigned integer 0 <= v <= 2^53 - 1. */
  uvarint(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (v < 0x80) {
      buf[pos++] = v;
    } else if (v < 0x10000000) {
      while (v >= 0x80) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
    } else {
      while (v >= 0x80) {
        buf[pos++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      buf[pos++] = v;
    }
    this.pos = pos;
  }

  /** A signed integer |v| < 2^52, zigzag-encoded (sint32/sint64). */
  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
