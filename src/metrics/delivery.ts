/**
 * Input delivery: what it costs a laptop to hand input from the operating
 * system to the agent. Most of it is per read (a wake-up of the agent's
 * process, ≈ 1 ms for a cold Node event loop), the rest per event (decoding
 * what was read). An agent that reads in batches (agent.inputReadIntervalMs)
 * pays one read per interval that held input; one that reads each event as it
 * arrives pays a read per event. The agent's own work does not include it; a
 * real laptop pays it for every event whether the agent keeps the event or not.
 */
import { EventType, MoveCapTally, moveInterval, type EventBlock } from '../events/index.js';

/** Input events by what an OS delivers for them (the delivery cost differs per kind). */
export interface EventsByKind {
  /** Key presses and releases. */
  key: number;
  /** Button presses and releases. */
  click: number;
  move: number;
  wheel: number;
}

export function emptyKinds(): EventsByKind {
  return { key: 0, click: 0, move: 0, wheel: 0 };
}

/** Adds a block's events to `into`, by kind. */
export function countEventKinds(b: EventBlock, into: EventsByKind = emptyKinds()): EventsByKind {
  for (let i = 0; i < b.length; i++) {
    switch (b.type[i]) {
      case EventType.keydown:
      case EventType.keyup:
        into.key++;
        break;
      case EventType.mousedown:
      case EventType.mouseup:
        into.click++;
        break;
      case EventType.mousemove:
        into.move++;
        break;
      case EventType.wheel:
        into.wheel++;
        break;
    }
  }
  return into;
}

/**
 * Counts the reads an agent makes of its input, over blocks handed in time
 * order. A batched reader (readIntervalMs > 0) makes one read per interval
 * of readIntervalMs (aligned on the clock's epoch) that holds at least one
 * delivered event; a reader woken per event (readIntervalMs 0) one read per
 * delivered event. Delivered: what survives the source's move cap
 * (src/events/move-cap.ts, the same rule), so a cap removes events and can
 * only lower the count. The real reader's intervals start at its first read
 * rather than on the clock; over a day the two counts differ by little.
 */
export class ReadTally {
  private count = 0;
  /** Read slot of the last counted read (NaN: none yet). */
  private lastSlot = Number.NaN;
  /** A move not yet known to be delivered (the next event decides): its cap interval and read slot, NaN when none. */
  private pendingInterval = Number.NaN;
  private pendingSlot = Number.NaN;

  constructor(
    readonly readIntervalMs: number,
    readonly sourceMoveRateHz = 0,
  ) {
    if (!(readIntervalMs >= 0) || !Number.isFinite(readIntervalMs))
      throw new RangeError(`a read interval must be a finite number of ms ≥ 0 (0: a read per event), not ${readIntervalMs}`);
    if (!(sourceMoveRateHz >= 0) || !Number.isFinite(sourceMoveRateHz))
      throw new RangeError(`a source move rate must be a finite number of Hz ≥ 0 (0: no cap), not ${sourceMoveRateHz}`);
  }

  add(b: EventBlock): this {
    const capped = this.sourceMoveRateHz > 0;
    for (let i = 0; i < b.length; i++) {
      const t = b.t_ms[i] as number;
      if (capped && b.type[i] === EventType.mousemove) {
        const k = moveInterval(t, this.sourceMoveRateHz);
        // A pending move of another interval was the last of its run there: delivered. Same interval: superseded.
        if (k !== this.pendingInterval && !Number.isNaN(this.pendingInterval)) this.deliver(this.pendingSlot);
        this.pendingInterval = k;
        this.pendingSlot = this.slot(t);
        continue;
      }
      // Anything but a move flushes the move before it.
      if (!Number.isNaN(this.pendingInterval)) this.deliver(this.pendingSlot);
      this.pendingInterval = Number.NaN;
      this.deliver(this.slot(t));
    }
    return this;
  }

  /** Reads so far (a move still pending counts: nothing after it can remove it but another move, which keeps its read). */
  get reads(): number {
    const pending = !Number.isNaN(this.pendingInterval) && (this.readIntervalMs === 0 || this.pendingSlot !== this.lastSlot);
    return this.count + (pending ? 1 : 0);
  }

  private slot(tMs: number): number {
    return this.readIntervalMs > 0 ? Math.floor(tMs / this.readIntervalMs) : 0;
  }

  private deliver(slot: number): void {
    if (this.readIntervalMs > 0 && slot === this.lastSlot) return;
    this.count++;
    this.lastSlot = slot;
  }
}

/**
 * Events by kind as the OS hands them to the agent, over blocks in time
 * order: all of them, or, when the laptop's pointer reports motion at a
 * lower rate (agent.sourceMoveRateHz), only the moves that survive the cap
 * (src/events/move-cap.ts). The agent still sees every event in virtual
 * time; only the delivery term counts what the OS would deliver.
 */
export class DeliveredKinds {
  /** Every event the employee produced, by kind. */
  readonly produced: EventsByKind = emptyKinds();
  private readonly cap: MoveCapTally;
  private readonly readTally: ReadTally;

  /** The agent's settings that decide delivery: the source's move cap and how the agent reads. */
  constructor(
    o: { readonly sourceMoveRateHz: number; readonly inputReadIntervalMs: number } = { sourceMoveRateHz: 0, inputReadIntervalMs: 0 },
  ) {
    this.cap = new MoveCapTally(o.sourceMoveRateHz);
    this.readTally = new ReadTally(o.inputReadIntervalMs, o.sourceMoveRateHz);
  }

  add(b: EventBlock): void {
    countEventKinds(b, this.produced);
    this.cap.add(b);
    this.readTally.add(b);
  }

  /** How the agent reads (agent.inputReadIntervalMs). */
  get readIntervalMs(): number {
    return this.readTally.readIntervalMs;
  }

  /** The agent's reads of what the OS delivered (ReadTally). */
  get reads(): number {
    return this.readTally.reads;
  }

  /** Moves the source's cap merged so far. */
  get movesRemoved(): number {
    return this.cap.removed;
  }

  /** What the OS delivered, by kind. */
  delivered(): EventsByKind {
    return { ...this.produced, move: this.produced.move - this.cap.removed };
  }
}

export function addKinds(a: Readonly<EventsByKind>, b: Readonly<EventsByKind>): EventsByKind {
  return { key: a.key + b.key, click: a.click + b.click, move: a.move + b.move, wheel: a.wheel + b.wheel };
}

/**
 * Delivery coefficients (the energy model's delivery term): per read, and
 * per event read. A read costs a batched reader (one that sleeps for its
 * interval between reads) far more than one woken per event, whose process
 * stays warm while input flows: each has its own per-read pair.
 */
export interface DeliveryCoefficients {
  readonly deliveryCpuUsPerRead: number;
  readonly deliveryWakeupsPerRead: number;
  readonly deliveryCpuUsPerUnbatchedRead: number;
  readonly deliveryWakeupsPerUnbatchedRead: number;
  readonly deliveryCpuUsPerKeyEvent: number;
  readonly deliveryCpuUsPerClickEvent: number;
  readonly deliveryCpuUsPerMoveEvent: number;
  readonly deliveryCpuUsPerWheelEvent: number;
  readonly deliveryWakeupsPerEvent: number;
}

/** CPU seconds and wake-ups of delivering these events to the agent in `reads` reads, made every `readIntervalMs` at most (0: as each event arrives). */
export function deliveryCost(
  k: Readonly<EventsByKind>,
  reads: number,
  c: DeliveryCoefficients,
  readIntervalMs: number,
): { readonly cpuSeconds: number; readonly wakeups: number } {
  const batched = readIntervalMs > 0;
  const usPerRead = batched ? c.deliveryCpuUsPerRead : c.deliveryCpuUsPerUnbatchedRead;
  const wakeupsPerRead = batched ? c.deliveryWakeupsPerRead : c.deliveryWakeupsPerUnbatchedRead;
  const us =
    reads * usPerRead +
    k.key * c.deliveryCpuUsPerKeyEvent +
    k.click * c.deliveryCpuUsPerClickEvent +
    k.move * c.deliveryCpuUsPerMoveEvent +
    k.wheel * c.deliveryCpuUsPerWheelEvent;
  const events = k.key + k.click + k.move + k.wheel;
  return { cpuSeconds: us / 1e6, wakeups: reads * wakeupsPerRead + events * c.deliveryWakeupsPerEvent };
}
