import { FRESH_BYTES, type ByteSource } from './byte-pool.js';

/**
 * Events travel in columnar blocks of typed arrays, never one object per
 * event: a laptop-day is a few hundred thousand events, a fleet billions.
 *
 * Column meanings:
 * - t_ms: virtual time in ms since the simulation start (fractional: mouse reports are 8 ms ± jitter).
 * - type: EventType code.
 * - key: key code for keydown/keyup; signed scroll delta (notches, or pixels for smooth scroll) for wheel; 0 otherwise.
 * - x, y: pointer position in screen pixels for mouse events and wheel; 0 for keys.
 * - button: MouseButton code for mousedown/mouseup; 0 otherwise.
 * - context: InputContext code of the focused field or window.
 * - flags: EventFlag bits.
 */
export interface EventBlock {
  readonly length: number;
  readonly t_ms: Float64Array;
  readonly type: Uint8Array;
  readonly key: Int16Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly button: Uint8Array;
  readonly context: Uint8Array;
  readonly flags: Uint8Array;
}

export type EventBlockSink = (block: EventBlock) => void;

/** Where behaviour models write events. EventWriter is the real one; benchmarks plug in naive ones. */
export interface EventOutput {
  push(tMs: number, type: number, key: number, x: number, y: number, button: number, context: number, flags: number): unknown;
}

export const DEFAULT_BLOCK_CAPACITY = 16_384;

/**
 * Columns of events in typed arrays with an append cursor. What happens when
 * they are full is the subclass's call: the writer hands a block to its sink,
 * the agent's batch buffer grows.
 */
export abstract class EventColumns implements EventOutput {
  // Set by adopt(), from the constructor on.
  t_ms!: Float64Array;
  type!: Uint8Array;
  key!: Int16Array;
  x!: Int32Array;
  y!: Int32Array;
  button!: Uint8Array;
  context!: Uint8Array;
  flags!: Uint8Array;
  length = 0;
  protected capacity: number;
  /** The storage the columns are views on, taken from `source` (given back when outgrown). */
  private storage: Uint8Array;

  constructor(
    capacity: number,
    /** Where the columns' storage comes from as they grow (a thread's BytePool reuses what another buffer outgrew). */
    private readonly source: ByteSource = FRESH_BYTES,
  ) {
    this.storage = source.take(capacity * BLOCK_BYTES_PER_EVENT);
    this.capacity = this.adopt(this.storage);
  }

  /** Appends an event; returns its index in the columns. */
  push(tMs: number, type: number, key: number, x: number, y: number, button: number, context: number, flags: number): number {
    if (this.length === this.capacity) this.full();
    const i = this.length++;
    this.t_ms[i] = tMs;
    this.type[i] = type;
    this.key[i] = key;
    this.x[i] = x;
    this.y[i] = y;
    this.button[i] = button;
    this.context[i] = context;
    this.flags[i] = flags;
    return i;
  }

  /** A view of the current contents, valid until the columns change. */
  view(): EventBlock {
    const n = this.length;
    return {
      length: n,
      t_ms: this.t_ms.subarray(0, n),
      type: this.type.subarray(0, n),
      key: this.key.subarray(0, n),
      x: this.x.subarray(0, n),
      y: this.y.subarray(0, n),
      button: this.button.subarray(0, n),
      context: this.context.subarray(0, n),
      flags: this.flags.subarray(0, n),
    };
  }

  /** Called when a push finds the columns full: must leave room for one more event. */
  protected abstract full(): void;

  /** Doubles the capacity, keeping the contents. */
  protected grow(): void {
    const storage = this.source.take(Math.max(this.capacity * 2, MIN_GROWN_CAPACITY) * BLOCK_BYTES_PER_EVENT);
    const c = blockOn(storage);
    copyColumns(c, 0, this, this.length);
    this.source.give(this.storage);
    this.storage = storage;
    this.capacity = this.adopt(storage);
  }

  /** Empties the columns and gives their storage back to its source: they are not used again. */
  protected releaseStorage(): void {
    this.length = 0;
    this.source.give(this.storage);
    this.storage = NO_STORAGE;
    this.capacity = this.adopt(NO_STORAGE);
  }

  /** Makes the columns views on `storage`; returns how many events they hold. */
  private adopt(storage: Uint8Array): number {
    const c = blockOn(storage);
    this.t_ms = c.t_ms;
    this.type = c.type;
    this.key = c.key;
    this.x = c.x;
    this.y = c.y;
    this.button = c.button;
    this.context = c.context;
    this.flags = c.flags;
    return c.length;
  }
}

/** Columns that grow as events are pushed, cleared for reuse (a batch being built, a decode target). */
export class EventBuffer extends EventColumns {
  constructor(initialCapacity = 256, source?: ByteSource) {
    super(initialCapacity, source);
  }

  protected full(): void {
    this.grow();
  }

  clear(): void {
    this.length = 0;
  }

  /** Empties the buffer and gives its storage back to its source (a push after this grows it anew). */
  release(): void {
    this.releaseStorage();
  }
}

/**
 * Appends events into preallocated columns and hands full blocks to a sink.
 * The block passed to the sink is a view over the writer's buffers: the sink
 * must consume it before returning (copy with `copyBlock` to keep it).
 */
export class EventWriter extends EventColumns {
  constructor(
    private readonly sink: EventBlockSink,
    capacity = DEFAULT_BLOCK_CAPACITY,
  ) {
    super(capacity);
  }

  /** Events written over the writer's life, flushed or not. */
  get total(): number {
    return this.flushed + this.length;
  }

  private flushed = 0;

  protected full(): void {
    this.flush();
  }

  flush(): void {
    if (this.length === 0) return;
    this.sink(this.view());
    this.flushed += this.length;
    this.length = 0;
  }
}

/** Events [from, to) of a block, as views on its columns (no copy). */
export function sliceBlock(b: EventBlock, from: number, to: number): EventBlock {
  return {
    length: to - from,
    t_ms: b.t_ms.subarray(from, to),
    type: b.type.subarray(from, to),
    key: b.key.subarray(from, to),
    x: b.x.subarray(from, to),
    y: b.y.subarray(from, to),
    button: b.button.subarray(from, to),
    context: b.context.subarray(from, to),
    flags: b.flags.subarray(from, to),
  };
}

/** A block that owns its memory (safe to keep, or to transfer to another thread as `t_ms.buffer`). */
export function copyBlock(b: EventBlock): EventBlock {
  const out = allocateBlock(b.length);
  copyColumns(out, 0, b, b.length);
  return out;
}

/** Bytes per event of a block in one allocation: 8 (t_ms) + 4 (x) + 4 (y) + 2 (key) + 4 × 1. */
export const BLOCK_BYTES_PER_EVENT = 22;

/**
 * An owned, zeroed block of n events, to be filled in. All columns share one
 * ArrayBuffer (`t_ms.buffer`), widest first so every view is aligned: one
 * allocation instead of eight, which is most of a small block's cost when a
 * real-time run keeps a few per laptop for 100,000 laptops.
 */
export function allocateBlock(n: number): MutableEventBlock {
  return blockOn(new Uint8Array(n * BLOCK_BYTES_PER_EVENT));
}

/** Events a buffer grown from nothing (released, or made with capacity 0) holds. */
const MIN_GROWN_CAPACITY = 16;

/** The storage of a released buffer. */
const NO_STORAGE = new Uint8Array(0);

/**
 * A block laid out on `storage` as allocateBlock lays it out, as many events
 * as fit (a pooled buffer may be larger than asked for).
 */
function blockOn(storage: Uint8Array): MutableEventBlock {
  const n = Math.floor(storage.byteLength / BLOCK_BYTES_PER_EVENT);
  const buffer = storage.buffer;
  const at = storage.byteOffset;
  return {
    length: n,
    t_ms: new Float64Array(buffer, at, n),
    x: new Int32Array(buffer, at + 8 * n, n),
    y: new Int32Array(buffer, at + 12 * n, n),
    key: new Int16Array(buffer, at + 16 * n, n),
    type: new Uint8Array(buffer, at + 18 * n, n),
    button: new Uint8Array(buffer, at + 19 * n, n),
    context: new Uint8Array(buffer, at + 20 * n, n),
    flags: new Uint8Array(buffer, at + 21 * n, n),
  };
}

/** Copies events [0, n) of `from` into `to` from index `at`. */
function copyColumns(to: EventBlock, at: number, from: EventBlock, n: number): void {
  to.t_ms.set(from.t_ms.subarray(0, n), at);
  to.type.set(from.type.subarray(0, n), at);
  to.key.set(from.key.subarray(0, n), at);
  to.x.set(from.x.subarray(0, n), at);
  to.y.set(from.y.subarray(0, n), at);
  to.button.set(from.button.subarray(0, n), at);
  to.context.set(from.context.subarray(0, n), at);
  to.flags.set(from.flags.subarray(0, n), at);
}

export type MutableEventBlock = { -readonly [K in keyof EventBlock]: EventBlock[K] };

/** Concatenates blocks into one owned block (for tests and small traces). */
export function concatBlocks(blocks: readonly EventBlock[]): EventBlock {
  const n = blocks.reduce((a, b) => a + b.length, 0);
  const out = allocateBlock(n);
  let off = 0;
  for (const b of blocks) {
    copyColumns(out, off, b, b.length);
    off += b.length;
  }
  return out;
}

/** Collects everything written, for tests and small runs. */
export function collectingWriter(capacity = DEFAULT_BLOCK_CAPACITY): { writer: EventWriter; collect: () => EventBlock } {
  const blocks: EventBlock[] = [];
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)), capacity);
  return {
    writer,
    collect: () => {
      writer.flush();
      return concatBlocks(blocks);
    },
  };
}

/** Copies event i of `from` into slot j of `to`, at time tMs (replays shift or re-time events). */
export function copyEventInto(to: MutableEventBlock, j: number, from: EventBlock, i: number, tMs: number): void {
  to.t_ms[j] = tMs;
  to.type[j] = from.type[i] as number;
  to.key[j] = from.key[i] as number;
  to.x[j] = from.x[i] as number;
  to.y[j] = from.y[i] as number;
  to.button[j] = from.button[i] as number;
  to.context[j] = from.context[i] as number;
  to.flags[j] = from.flags[i] as number;
}
