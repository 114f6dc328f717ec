/**
 * Input delivery: what it costs a laptop to hand each input event from the
 * operating system to the agent (a hook callback, and a wake-up unless the
 * OS batches events). The agent's own work does not include it; a real
 * laptop pays it for every event whether the agent keeps the event or not.
 */
import { EventType, MoveCapTally, type EventBlock } from '../events/index.js';

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
 * The move cap the delivery term applies: the source's cap for an agent that
 * reads each event as it arrives (inputReadIntervalMs 0), none for one that
 * reads in batches. Measured (bench:delivery, 2026-12-04): a 60 Hz cap removed
 * 80 % of moves and cut a read-per-event agent's battery to 0.40x, but a 1 s
 * batched reader's only to about 0.94x, because its cost is one read per
 * active second, which the per-event coefficients spread over events; counting
 * fewer events would claim -41 % there.
 */
export function modelledMoveCapHz(agent: { readonly inputReadIntervalMs: number; readonly sourceMoveRateHz: number }): number {
  return agent.inputReadIntervalMs === 0 ? agent.sourceMoveRateHz : 0;
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

  constructor(sourceMoveRateHz = 0) {
    this.cap = new MoveCapTally(sourceMoveRateHz);
  }

  add(b: EventBlock): void {
    countEventKinds(b, this.produced);
    this.cap.add(b);
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

/** Per-event delivery coefficients (the energy model's delivery term). */
export interface DeliveryCoefficients {
  readonly deliveryCpuUsPerKeyEvent: number;
  readonly deliveryCpuUsPerClickEvent: number;
  readonly deliveryCpuUsPerMoveEvent: number;
  readonly deliveryCpuUsPerWheelEvent: number;
  readonly deliveryWakeupsPerEvent: number;
}

/** CPU seconds and wake-ups of delivering these events to the agent. */
export function deliveryCost(
  k: Readonly<EventsByKind>,
  c: DeliveryCoefficients,
): { readonly cpuSeconds: number; readonly wakeups: number } {
  const us =
    k.key * c.deliveryCpuUsPerKeyEvent +
    k.click * c.deliveryCpuUsPerClickEvent +
    k.move * c.deliveryCpuUsPerMoveEvent +
    k.wheel * c.deliveryCpuUsPerWheelEvent;
  return { cpuSeconds: us / 1e6, wakeups: (k.key + k.click + k.move + k.wheel) * c.deliveryWakeupsPerEvent };
}
