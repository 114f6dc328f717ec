import type { EventBlock, EventBuffer } from './block.js';
import { FRESH_BYTES, type ByteSource } from './byte-pool.js';

/**
 * A first-in first-out queue of events held as bytes, about 8 per event
 * instead of the 22 of a column block: what a real-time run keeps of each
 * laptop's input composed ahead of the clock (up to a whole episode, for
 * 100,000 laptops at once). Events are appended a block at a time and taken
 * from the front up to an instant, decoded into a caller's buffer.
 *
 * Lossless, so a paced run gives its agents exactly the input a virtual-time
 * run does. Per event: a tag byte (type, which fields follow), the time, the
 * key when non-zero, the pointer as changes from the last position when x or
 * y is non-zero, and button, context and flags when they differ from the
 * event before. A time is its whole milliseconds as a change from the event
 * before (zigzag varint) and its fraction as the whole number of units of
 * the time's own precision it is (a double near 5e7 ms has 27 bits below the
 * point: a 4-byte varint); a time below 1 ms or past 2^31 ms (24 days), or
 * not finite, is its raw 8-byte double.
 */
export class PackedEventQueue {
  private bytes: Uint8Array;
  private writePos = 0;
  private readPos = 0;
  private queued = 0;
  private readonly w = new CodecState();
  private readonly r = new CodecState();

  constructor(
    private readonly initialBytes = 256,
    /** Where the buffer comes from as it grows and shrinks (a thread's BytePool reuses what another queue outgrew). */
    private readonly source: ByteSource = FRESH_BYTES,
  ) {
    this.bytes = source.take(initialBytes);
  }

  /** Events queued and not yet taken. */
  get length(): number {
    return this.queued;
  }

  /** Bytes the queued events take (the buffer holding them may be larger). */
  get writtenBytes(): number {
    return this.writePos - this.readPos;
  }

  /** Appends a block's events, in its order. */
  append(b: EventBlock): void {
    const s = this.w;
    for (let i = 0; i < b.length; i++) {
      if (this.writePos + MAX_EVENT_BYTES > this.bytes.byteLength) this.reserve(MAX_EVENT_BYTES);
      const t = b.t_ms[i] as number;
      const type = b.type[i] as number;
      if (type > TAG_TYPE) throw new RangeError(`event ${i} has type code ${type}; the queue holds codes 0..${TAG_TYPE}`);
      const key = b.key[i] as number;
      const x = b.x[i] as number;
      const y = b.y[i] as number;
      const aux = (b.button[i] as number) | ((b.context[i] as number) << 8) | ((b.flags[i] as number) << 16);
      const tagAt = this.writePos++;
      let tag = type;
      const whole = Math.floor(t);
      if (whole >= 1 && whole < 2 ** 31) {
        const scale = FRACTION_SCALE[Math.clz32(whole)] as number;
        this.svarint(whole - s.whole);
        this.uvarint((t - whole) * scale);
        s.whole = whole;
      } else {
        tag |= TAG_RAW_TIME;
        RAW_TIME[0] = t;
        this.bytes.set(RAW_TIME_BYTES, this.writePos);
        this.writePos += 8;
      }
      if (key !== 0) {
        tag |= TAG_KEY;
        this.svarint(key);
      }
      if (x !== 0 || y !== 0) {
        tag |= TAG_POINTER;
        this.svarint(x - s.x);
        this.svarint(y - s.y);
        s.x = x;
        s.y = y;
      }
      if (aux !== s.aux) {
        tag |= TAG_AUX;
        this.bytes[this.writePos++] = aux & 0xff;
        this.bytes[this.writePos++] = (aux >>> 8) & 0xff;
        this.bytes[this.writePos++] = aux >>> 16;
        s.aux = aux;
      }
      this.bytes[tagAt] = tag;
    }
    this.queued += b.length;
    if (this.bytes.byteLength > this.writtenBytes + (this.writtenBytes >>> 2) + MAX_EVENT_BYTES) this.fit();
  }

  /** Time of the first queued event; undefined when the queue is empty. */
  peekTimeMs(): number | undefined {
    if (this.queued === 0) return undefined;
    const save = this.readPos;
    const t = this.readTime(this.bytes[this.readPos++] as number);
    this.readPos = save;
    return t;
  }

  /**
   * Takes events from the front while their time is ≤ untilMs (stopping at
   * the first later one: input is taken in the order it was written), into
   * `out` after clearing it; returns how many.
   */
  takeUntil(untilMs: number, out: EventBuffer): number {
    out.clear();
    const s = this.r;
    while (this.queued > 0) {
      const start = this.readPos;
      const tag = this.bytes[this.readPos++] as number;
      const t = this.readTime(tag);
      if (t > untilMs) {
        this.readPos = start;
        break;
      }
      if (!(tag & TAG_RAW_TIME)) s.whole = Math.floor(t);
      const key = tag & TAG_KEY ? this.readSvarint() : 0;
      let x = 0;
      let y = 0;
      if (tag & TAG_POINTER) {
        s.x += this.readSvarint();
        s.y += this.readSvarint();
        x = s.x;
        y = s.y;
      }
      if (tag & TAG_AUX) {
        s.aux =
          (this.bytes[this.readPos] as number) |
          ((this.bytes[this.readPos + 1] as number) << 8) |
          ((this.bytes[this.readPos + 2] as number) << 16);
        this.readPos += 3;
      }
      out.push(t, tag & TAG_TYPE, key, x, y, s.aux & 0xff, (s.aux >>> 8) & 0xff, s.aux >>> 16);
      this.queued--;
    }
    if (this.queued === 0) this.drained();
    else if (2 * this.writtenBytes < this.bytes.byteLength) this.fit();
    return out.length;
  }

  /** Forgets every queued event. */
  clear(): void {
    this.queued = 0;
    this.drained();
  }

  /** Forgets every queued event and gives the buffer back to its source (an append after this takes a new one). */
  release(): void {
    this.clear();
    this.source.give(this.bytes);
    this.bytes = NO_BYTES;
  }

  private drained(): void {
    this.readPos = 0;
    this.writePos = 0;
    this.w.reset();
    this.r.reset();
    if (this.bytes.byteLength > this.source.sizeFor(this.initialBytes)) this.replace(this.source.take(this.initialBytes));
  }

  /** Makes `next` the buffer, giving the one it replaces back to the source. */
  private replace(next: Uint8Array): void {
    this.source.give(this.bytes);
    this.bytes = next;
  }

  /**
   * Moves what is queued to a buffer just larger than it. Called once an
   * append is written and when half the buffer has been taken: a laptop's
   * queue holds up to an episode, and 100,000 laptops should not each keep a
   * doubled buffer's slack, or the front they already took.
   */
  private fit(): void {
    const live = this.writtenBytes;
    const size = this.source.sizeFor(Math.max(this.initialBytes, live + (live >>> 3)));
    if (size < this.bytes.byteLength) {
      const next = this.source.take(size);
      next.set(this.bytes.subarray(this.readPos, this.writePos));
      this.replace(next);
    } else if (this.readPos > 0) {
      // No smaller size to move to: the taken front is dropped in place.
      this.bytes.copyWithin(0, this.readPos, this.writePos);
    } else return;
    this.writePos = live;
    this.readPos = 0;
  }

  /** Room for `n` more bytes: the taken front is dropped first, then the buffer doubles. */
  private reserve(n: number): void {
    if (this.writePos + n <= this.bytes.byteLength) return;
    if (this.readPos > 0) {
      this.bytes.copyWithin(0, this.readPos, this.writePos);
      this.writePos -= this.readPos;
      this.readPos = 0;
      if (this.writePos + n <= this.bytes.byteLength) return;
    }
    let cap = Math.max(this.bytes.byteLength * 2, this.initialBytes, MAX_EVENT_BYTES);
    while (cap < this.writePos + n) cap *= 2;
    const next = this.source.take(cap);
    next.set(this.bytes.subarray(0, this.writePos));
    this.replace(next);
  }

  /** The time of the event whose tag was just read (its whole ms are the previous event's plus a change). */
  private readTime(tag: number): number {
    if (tag & TAG_RAW_TIME) {
      RAW_TIME_BYTES.set(this.bytes.subarray(this.readPos, this.readPos + 8));
      this.readPos += 8;
      return RAW_TIME[0] as number;
    }
    const whole = this.r.whole + this.readSvarint();
    return whole + this.readUvarint() / (FRACTION_SCALE[Math.clz32(whole)] as number);
  }

  private uvarint(v: number): void {
    while (v >= 0x80) {
      this.bytes[this.writePos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.writePos++] = v;
  }

  private svarint(v: number): void {
    this.uvarint(v < 0 ? -2 * v - 1 : 2 * v);
  }

  private readUvarint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.bytes[this.readPos++] as number;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }

  private readSvarint(): number {
    const u = this.readUvarint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  }
}

/** Worst case of one event: tag 1 + time 13 (whole ms change 5, fraction up to 8) + key 3 + pointer 2 × 5 + aux 3. */
const MAX_EVENT_BYTES = 30;
/**
 * By leading zero bits of the whole ms (1 ≤ whole < 2^31): 2 to the number
 * of bits a double of that size has below the point (52 − floor(log2 whole)),
 * so the fraction times it is an exact whole number.
 */
const FRACTION_SCALE = Array.from({ length: 33 }, (_, clz) => 2 ** (52 - (31 - clz)));
/** The buffer of a released queue. */
const NO_BYTES = new Uint8Array(0);
/** A time that needs all 8 bytes goes through this (the platform's byte order: the bytes never leave the thread). */
const RAW_TIME = new Float64Array(1);
const RAW_TIME_BYTES = new Uint8Array(RAW_TIME.buffer);
const TAG_TYPE = 0x0f;
const TAG_KEY = 0x10;
const TAG_POINTER = 0x20;
const TAG_AUX = 0x40;
const TAG_RAW_TIME = 0x80;

/** What each event is coded against: the event before it. */
class CodecState {
  /** Whole ms of the event before (of the last one not held raw). */
  whole = 0;
  x = 0;
  y = 0;
  aux = 0;

  reset(): void {
    this.whole = 0;
    this.x = 0;
    this.y = 0;
    this.aux = 0;
  }
}
