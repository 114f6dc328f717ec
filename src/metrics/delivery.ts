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
 * order. A reader woken per event (readIntervalMs 0) makes one read per
 * delivered event. A batched reader (readIntervalMs > 0; src/input/read-pacing.ts)
 * follows its own timer: an event that finds it idle is read at once, and
 * the reader then leaves the OS queue alone for the interval; when the
 * interval ends it takes what queued in one read and waits again, or, with
 * nothing queued, goes idle until the next event. Delivered: what survives
 * the source's move cap (src/events/move-cap.ts, the same rule), so a cap
 * removes events and can only lower the count.
 */
export class ReadTally {
  private count = 0;
  /** The batched reader leaves the queue alone until then (−∞: idle, the next event is read at once). */
  private pausedUntilMs = Number.NEGATIVE_INFINITY;
  /** Something waits in the OS queue for the read at pausedUntilMs. */
  private queued = false;
  /** A move not yet known to be delivered (the next event decides): its cap interval (NaN when none) and time. */
  private pendingInterval = Number.NaN;
  private pendingMs = 0;

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
        if (k !== this.pendingInterval && !Number.isNaN(this.pendingInterval)) this.deliver(this.pendingMs);
        this.pendingInterval = k;
        this.pendingMs = t;
        continue;
      }
      // Anything but a move flushes the move before it.
      if (!Number.isNaN(this.pendingInterval)) this.deliver(this.pendingMs);
      this.pendingInterval = Number.NaN;
      this.deliver(t);
    }
    return this;
  }

  /** Reads so far, the read that will take what is queued included (a move still pending is delivered: nothing can remove it but another move, which takes its place). */
  get reads(): number {
    if (Number.isNaN(this.pendingInterval)) return this.count + (this.queued ? 1 : 0);
    const [count, pausedUntilMs, queued] = [this.count, this.pausedUntilMs, this.queued];
    this.deliver(this.pendingMs);
    const reads = this.count + (this.queued ? 1 : 0);
    [this.count, this.pausedUntilMs, this.queued] = [count, pausedUntilMs, queued];
    return reads;
  }

  private deliver(tMs: number): void {
    const interval = this.readIntervalMs;
    if (interval === 0) {
      this.count++;
      return;
    }
    // The read at the end of the pause took the queue and paused again.
    if (this.queued && tMs > this.pausedUntilMs) {
      this.count++;
      this.pausedUntilMs += interval;
      this.queued = false;
    }
    if (tMs <= this.pausedUntilMs) {
      this.queued = true;
      return;
    }
    // Idle: read at once.
    this.count++;
    this.pausedUntilMs = tMs + interval;
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
