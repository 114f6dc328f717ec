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
  t_ms: Float64Array;
  type: Uint8Array;
  key: Int16Array;
  x: Int32Array;
  y: Int32Array;
  button: Uint8Array;
  context: Uint8Array;
  flags: Uint8Array;
  length = 0;
  protected capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.t_ms = new Float64Array(capacity);
    this.type = new Uint8Array(capacity);
    this.key = new Int16Array(capacity);
    this.x = new Int32Array(capacity);
    this.y = new Int32Array(capacity);
    this.button = new Uint8Array(capacity);
    this.context = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
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
    const cap = this.capacity * 2;
    const keep = <T extends Float64Array | Uint8Array | Int16Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old as never);
      return fresh;
    };
    this.t_ms = keep(this.t_ms, new Float64Array(cap));
    this.type = keep(this.type, new Uint8Array(cap));
    this.key = keep(this.key, new Int16Array(cap));
    this.x = keep(this.x, new Int32Array(cap));
    this.y = keep(this.y, new Int32Array(cap));
    this.button = keep(this.button, new Uint8Array(cap));
    this.context = keep(this.context, new Uint8Array(cap));
    this.flags = keep(this.flags, new Uint8Array(cap));
    this.capacity = cap;
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

/** A block that owns its memory (safe to keep or transfer to another thread). */
export function copyBlock(b: EventBlock): EventBlock {
  return {
    length: b.length,
    t_ms: b.t_ms.slice(0, b.length),
    type: b.type.slice(0, b.length),
    key: b.key.slice(0, b.length),
    x: b.x.slice(0, b.length),
    y: b.y.slice(0, b.length),
    button: b.button.slice(0, b.length),
    context: b.context.slice(0, b.length),
    flags: b.flags.slice(0, b.length),
  };
}

/** An owned, zeroed block of n events, to be filled in. */
export function allocateBlock(n: number): MutableEventBlock {
  return {
    length: n,
    t_ms: new Float64Array(n),
    type: new Uint8Array(n),
    key: new Int16Array(n),
    x: new Int32Array(n),
    y: new Int32Array(n),
    button: new Uint8Array(n),
    context: new Uint8Array(n),
    flags: new Uint8Array(n),
  };
}

export type MutableEventBlock = { -readonly [K in keyof EventBlock]: EventBlock[K] };

/** Concatenates blocks into one owned block (for tests and small traces). */
export function concatBlocks(blocks: readonly EventBlock[]): EventBlock {
  const n = blocks.reduce((a, b) => a + b.length, 0);
  const out = allocateBlock(n);
  let off = 0;
  for (const b of blocks) {
    out.t_ms.set(b.t_ms.subarray(0, b.length), off);
    out.type.set(b.type.subarray(0, b.length), off);
    out.key.set(b.key.subarray(0, b.length), off);
    out.x.set(b.x.subarray(0, b.length), off);
    out.y.set(b.y.subarray(0, b.length), off);
    out.button.set(b.button.subarray(0, b.length), off);
    out.context.set(b.context.subarray(0, b.length), off);
    out.flags.set(b.flags.subarray(0, b.length), off);
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
