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
 * die. Free buffers are kept up to `maxFreeBytes`; beyond it a given buffer
 * is left to the collector.
 */
export class BytePool implements ByteSource {
  /** Free buffers by size class, in slots [0, count[c]) (the arrays never shrink, so they are not reallocated either). */
  private readonly free: (Uint8Array | null)[][] = [];
  private readonly count: number[] = [];
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes: number) {
    for (let c = 0; classBytes(c) <= MAX_CLASS_BYTES; c++) {
      this.free.push([]);
      this.count.push(0);
    }
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
    if (n === 0) return new Uint8Array(classBytes(c));
    const list = this.free[c]!;
    const bytes = list[n - 1]!;
    list[n - 1] = null;
    this.count[c] = n - 1;
    this.freeBytes -= bytes.byteLength;
    return bytes;
  }

  give(bytes: Uint8Array): void {
    const size = bytes.byteLength;
    const c = classOf(size);
    // Only a class-sized buffer goes back (one of another size would be handed out as the wrong size).
    if (c >= this.free.length || classBytes(c) !== size) return;
    if (this.freeBytes + size > this.maxFreeBytes) return;
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
