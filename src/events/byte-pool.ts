/** Where a growing byte buffer gets its storage, and gives back what it outgrew. */
export interface ByteSource {
  /** A buffer of at least `minBytes` bytes (contents unspecified). */
  take(minBytes: number): Uint8Array;
  /** The size of the buffer take(minBytes) hands out. */
  sizeFor(minBytes: number): number;
  /** The caller is done with `bytes`, a buffer it took from this source: the source may hand it out again. */
  give(bytes: Uint8Array): void;
}

/** A new buffer of exactly the size asked for each time; what is given back is left to the collector. */
export const FRESH_BYTES: ByteSource = {
  take: (minBytes) => new Uint8Array(minBytes),
  sizeFor: (minBytes) => minBytes,
  give: () => {},
};

/** Smallest size class (bytes). */
const MIN_CLASS_BYTES = 64;
/** Size classes above which buffers are not kept: a buffer this large is rare, and kept, it would be idle memory. */
const MAX_CLASS_BYTES = 1 << 20;

/**
 * A thread's buffers for growing byte queues, handed out and taken back by
 * size class (powers of two and the halfway steps between, so a buffer is at
 * most a third larger than asked for). 100,000 paced laptops each resize a
 * queue every few seconds: a new buffer each time lived just long enough to
 * be promoted, and old-space garbage brings the next major collection, and
 * its pause, sooner. Reused, the buffers stay live and nothing is promoted to
 * die. Free buffers are kept up to `maxFreeBytes` (those carved from the
 * reservation always); beyond it a given buffer is left to the collector.
 */
export class BytePool implements ByteSource {
  /** Free buffers by size class, in slots [0, count[c]) (the arrays never shrink, so they are not reallocated either). */
  private readonly free: (Uint8Array | null)[][] = [];
  private readonly count: number[] = [];
  private freeBytes = 0;
  /** Where new buffers are carved from (views on it), until it is used up; then each is its own allocation. */
  private readonly reserve: ArrayBuffer | null;
  private reserved = 0;

  constructor(
    private readonly maxFreeBytes: number,
    /**
     * Bytes set aside at once, up front, to carve new buffers from. V8 counts
     * every new ArrayBuffer toward a fixed external-memory allowance (64 MB on
     * Node 20) and starts a major collection each time it is used up, however
     * much of that memory is still live; storage carved from one reservation
     * made before a run starts counts once. Pages of it never written are
     * never resident.
     */
    reserveBytes = 0,
  ) {
    for (let c = 0; classBytes(c) <= MAX_CLASS_BYTES; c++) {
      this.free.push([]);
      this.count.push(0);
    }
    this.reserve = reserveBytes > 0 ? new ArrayBuffer(reserveBytes) : null;
  }

  /** Bytes carved from the reservation so far (in use or free). */
  get reservedBytesUsed(): number {
    return this.reserved;
  }

  /** Bytes held in free buffers. */
  get idleBytes(): number {
    return this.freeBytes;
  }

  sizeFor(minBytes: number): number {
    const c = classOf(minBytes);
    return c < this.free.length ? classBytes(c) : minBytes;
  }

  take(minBytes: number): Uint8Array {
    const c = classOf(minBytes);
    if (c >= this.free.length) return new Uint8Array(minBytes);
    const n = this.count[c]!;
    if (n === 0) return this.carve(classBytes(c));
    const list = this.free[c]!;
    const bytes = list[n - 1]!;
    list[n - 1] = null;
    this.count[c] = n - 1;
    this.freeBytes -= bytes.byteLength;
    return bytes;
  }

  /** A new buffer of `size` bytes (a size class: a multiple of 32, so every carved buffer stays 8-byte aligned). */
  private carve(size: number): Uint8Array {
    if (this.reserve === null || this.reserved + size > this.reserve.byteLength) return new Uint8Array(size);
    const bytes = new Uint8Array(this.reserve, this.reserved, size);
    this.reserved += size;
    return bytes;
  }

  give(bytes: Uint8Array): void {
    const size = bytes.byteLength;
    const c = classOf(size);
    // Only a class-sized buffer goes back (one of another size would be handed out as the wrong size).
    if (c >= this.free.length || classBytes(c) !== size) return;
    // One carved from the reservation is always kept: dropped, its bytes could never be carved again.
    const carved = this.reserve !== null && bytes.buffer === this.reserve;
    if (!carved && this.freeBytes + size > this.maxFreeBytes) return;
    const list = this.free[c]!;
    list[this.count[c]!] = bytes;
    this.count[c]!++;
    this.freeBytes += size;
  }
}

/** Bytes of size class c: 64, 96, 128, 192, 256, 384, … */
function classBytes(c: number): number {
  const base = MIN_CLASS_BYTES * 2 ** (c >> 1);
  return c & 1 ? base + base / 2 : base;
}

/** The smallest size class holding n bytes. */
function classOf(n: number): number {
  if (n <= MIN_CLASS_BYTES) return 0;
  // Whole doublings of MIN_CLASS_BYTES below n, then the half step if n needs more than it.
  const k = 31 - Math.clz32(Math.ceil(n / MIN_CLASS_BYTES) - 1);
  const base = MIN_CLASS_BYTES * 2 ** k;
  if (n <= base) return 2 * k;
  return n <= base + base / 2 ? 2 * k + 1 : 2 * k + 2;
}
