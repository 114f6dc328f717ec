/**
 * Input delivery: what it costs a laptop to hand each input event from the
 * operating system to the agent (a hook callback, and a wake-up unless the
 * OS batches events). The agent's own work does not include it; a real
 * laptop pays it for every event whether the agent keeps the event or not.
 */
import { EventType, type EventBlock } from '../events/index.js';

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
export function deliveryCost(k: Readonly<EventsByKind>, c: DeliveryCoefficients): { readonly cpuSeconds: number; readonly wakeups: number } {
  const us = k.key * c.deliveryCpuUsPerKeyEvent + k.click * c.deliveryCpuUsPerClickEvent + k.move * c.deliveryCpuUsPerMoveEvent + k.wheel * c.deliveryCpuUsPerWheelEvent;
  return { cpuSeconds: us / 1e6, wakeups: (k.key + k.click + k.move + k.wheel) * c.deliveryWakeupsPerEvent };
}
