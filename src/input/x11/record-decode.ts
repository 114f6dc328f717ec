/**
 * Core X device events (32-byte wire events, as RECORD hands them over) →
 * fleetsim events. Pure: the source owns the connection, this owns the bytes.
 */
import { EventColumns, EventType, MouseButton } from '../../events/index.js';

export const X_KEY_PRESS = 2;
export const X_KEY_RELEASE = 3;
export const X_BUTTON_PRESS = 4;
export const X_BUTTON_RELEASE = 5;
export const X_MOTION_NOTIFY = 6;
const EVENT_BYTES = 32;

/** X button → fleetsim MouseButton (X numbers left 1, middle 2, right 3). */
const BUTTON_FROM_X = [MouseButton.none, MouseButton.left, MouseButton.middle, MouseButton.right];
/** fleetsim MouseButton → X button. */
export const BUTTON_TO_X = [0, 1, 3, 2];
/** Wheel buttons: 4 up, 5 down, 6 left, 7 right; positive is down/right, as DOM deltaY. */
export const WHEEL_UP_BUTTON = 4;
export const WHEEL_DOWN_BUTTON = 5;
const WHEEL_DELTA_FROM_X: Record<number, number> = { 4: -1, 5: 1, 6: -1, 7: 1 };

/** Maps the X server's 32-bit ms clock to the agent's clock (UTC epoch ms). */
export interface ServerClock {
  readonly serverMs: number;
  readonly agentMs: number;
}

/** Agent time of a server timestamp: the signed 32-bit difference survives the server clock's wrap (every 49.7 days). */
export function agentTime(clock: ServerClock, serverMs: number): number {
  return clock.agentMs + ((serverMs - clock.serverMs) | 0);
}

/** Growable columns reused across deliveries (one per source). */
export class DeliveryBuffer extends EventColumns {
  constructor() {
    super(256);
  }
  clear(): void {
    this.length = 0;
  }
  protected full(): void {
    this.grow();
  }
}

export interface DecodeState {
  readonly fromX: Int16Array;
  readonly clock: ServerClock;
  context: number;
}

/**
 * Appends the fleetsim events of `data` (whole 32-byte core events) to `out`.
 * Button releases of the wheel and keys or buttons fleetsim does not name are
 * dropped: a wheel notch is one event, as the behaviour model writes it.
 */
export function decodeDeviceEvents(data: Buffer, swapped: boolean, state: DecodeState, out: EventColumns): void {
  for (let off = 0; off + EVENT_BYTES <= data.length; off += EVENT_BYTES) {
    const type = data[off]! & 0x7f;
    if (type < X_KEY_PRESS || type > X_MOTION_NOTIFY) continue;
    const detail = data[off + 1]!;
    const serverMs = swapped ? data.readUInt32BE(off + 4) : data.readUInt32LE(off + 4);
    const x = swapped ? data.readInt16BE(off + 20) : data.readInt16LE(off + 20);
    const y = swapped ? data.readInt16BE(off + 22) : data.readInt16LE(off + 22);
    const t = agentTime(state.clock, serverMs);
    const ctx = state.context;
    switch (type) {
      case X_KEY_PRESS:
      case X_KEY_RELEASE: {
        const key = state.fromX[detail] ?? -1;
        if (key >= 0) out.push(t, type === X_KEY_PRESS ? EventType.keydown : EventType.keyup, key, 0, 0, 0, ctx, 0);
        break;
      }
      case X_BUTTON_PRESS:
      case X_BUTTON_RELEASE: {
        const wheel = WHEEL_DELTA_FROM_X[detail];
        if (wheel !== undefined) {
          if (type === X_BUTTON_PRESS) out.push(t, EventType.wheel, wheel, x, y, 0, ctx, 0);
        } else if (detail >= 1 && detail <= 3) {
          out.push(t, type === X_BUTTON_PRESS ? EventType.mousedown : EventType.mouseup, 0, x, y, BUTTON_FROM_X[detail]!, ctx, 0);
        }
        break;
      }
      default:
        out.push(t, EventType.mousemove, 0, x, y, 0, ctx, 0);
    }
  }
}
