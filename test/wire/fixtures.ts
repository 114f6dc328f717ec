/**
 * Batches for the wire tests: a realistic block (mouse motion at 125 Hz,
 * clicks, scrolling, typing bursts) from a small seeded generator of its own,
 * so these tests do not move when the behaviour models are tuned.
 */
import { EventType, InputContext, MouseButton, collectingWriter, type EventBlock } from '../../src/events/index.js';
import type { BatchHeader, BatchInput, ControlRecord } from '../../src/wire/index.js';

/** mulberry32: a seeded PRNG in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2026-03-02T09:00:00Z */
export const WINDOW_START_MS = Date.UTC(2026, 2, 2, 9, 0, 0);

export function header(over: Partial<BatchHeader> = {}): BatchHeader {
  return {
    batchId: Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff),
    deviceId: 'laptop-00042',
    sequence: 17,
    windowStartMs: WINDOW_START_MS,
    windowEndMs: WINDOW_START_MS + 10 * 60_000,
    agentVersion: '1.4.2',
    ...over,
  };
}

/**
 * About `events` events starting at WINDOW_START_MS: pointer strokes at 125 Hz
 * (8 ms grid ± 0.4 ms, bell-shaped speed, 2-7 px steps), a click at the end of most
 * strokes, some wheel scrolling, and typing bursts (~8 keys/s, keydown+keyup).
 */
export function realisticBlock(events: number, seed = 1): EventBlock {
  const rnd = seeded(seed);
  const { writer, collect } = collectingWriter(events + 64);
  let t = WINDOW_START_MS + 5;
  let x = 800;
  let y = 450;
  let context: number = InputContext.text;
  while (writer.total < events) {
    const r = rnd();
    if (r < 0.6) {
      // An aimed movement at ~250-900 px/s (2-7 px per report), reports on the
      // 8 ms poll grid with sub-ms jitter; speed rises then falls (minimum jerk).
      const tx = Math.floor(rnd() * 1920);
      const ty = Math.floor(rnd() * 1080);
      const x0 = x;
      const y0 = y;
      const steps = Math.max(10, Math.round(Math.hypot(tx - x0, ty - y0) / 4));
      const grid0 = t;
      for (let s = 1; s <= steps; s++) {
        const u = s / steps;
        const p = u * u * u * (10 - 15 * u + 6 * u * u);
        t = grid0 + 8 * s + (rnd() - 0.5) * 0.8;
        x = Math.round(x0 + (tx - x0) * p);
        y = Math.round(y0 + (ty - y0) * p);
        writer.push(t, EventType.mousemove, 0, x, y, 0, context, 0);
      }
      if (rnd() < 0.7) {
        t += 80 + rnd() * 200;
        writer.push(t, EventType.mousedown, 0, x, y, MouseButton.left, context, 0);
        t += 60 + rnd() * 60;
        writer.push(t, EventType.mouseup, 0, x, y, MouseButton.left, context, 0);
      }
      t += 200 + rnd() * 1500;
    } else if (r < 0.7) {
      for (let s = 0; s < 5 + rnd() * 20; s++) {
        t += 30 + rnd() * 40;
        writer.push(t, EventType.wheel, rnd() < 0.8 ? -1 : 1, x, y, 0, context, 0);
      }
      t += 300 + rnd() * 1000;
    } else {
      if (rnd() < 0.2)
        context = [InputContext.text, InputContext.chat, InputContext.code, InputContext.email][Math.floor(rnd() * 4)] as number;
      const keys = 10 + Math.floor(rnd() * 60);
      for (let k = 0; k < keys; k++) {
        t += 60 + rnd() * 180;
        const code = Math.floor(rnd() * 47);
        const flags = rnd() < 0.03 ? 2 : 0;
        writer.push(t, EventType.keydown, code, 0, 0, 0, context, flags);
        writer.push(t + 40 + rnd() * 60, EventType.keyup, code, 0, 0, 0, context, flags);
        t += 100;
      }
      t += 500 + rnd() * 2000;
    }
  }
  return collect();
}

export function batchOf(events: EventBlock, controls: readonly ControlRecord[] = []): BatchInput {
  const last = events.length > 0 ? Math.ceil(events.t_ms[events.length - 1] as number) : WINDOW_START_MS;
  return { header: header({ windowEndMs: Math.max(last, WINDOW_START_MS + 1000) }), controls, events };
}

/** The block as the wire keeps it: times rounded to whole ms. */
export function atWireResolution(b: EventBlock): EventBlock {
  return { ...b, t_ms: b.t_ms.map((t) => Math.round(t)) };
}

/** Plain arrays, so a failing comparison prints which column and index differ. */
export function columnsOf(b: EventBlock): Record<Exclude<keyof EventBlock, 'length'>, number[]> {
  const n = b.length;
  return {
    t_ms: Array.from(b.t_ms.subarray(0, n)),
    type: Array.from(b.type.subarray(0, n)),
    key: Array.from(b.key.subarray(0, n)),
    x: Array.from(b.x.subarray(0, n)),
    y: Array.from(b.y.subarray(0, n)),
    button: Array.from(b.button.subarray(0, n)),
    context: Array.from(b.context.subarray(0, n)),
    flags: Array.from(b.flags.subarray(0, n)),
  };
}
