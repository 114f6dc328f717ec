import { describe, expect, it } from 'vitest';
import { createPointer, mouseEpisode, pointAndClick, type Pointer } from '../../src/behaviour/mouse/index.js';
import { EventType, type EventBlock } from '../../src/events/index.js';
import { drawMouseTraits, type MouseTraits } from '../../src/population/mouse-traits.js';
import { createStream } from '../../src/random/index.js';
import { capture } from './mouse-measure.js';

/** Employees covering every device: 125 Hz / 500 Hz / 1 kHz mice, wheel and touchpad, tiny and huge screens. */
function cases(): { traits: MouseTraits; pointer: Pointer; activeShare: number; name: string }[] {
  const out: { traits: MouseTraits; pointer: Pointer; activeShare: number; name: string }[] = [];
  let i = 0;
  for (const deviceRateHz of [125, 500, 1000]) {
    for (const touchpad of [false, true]) {
      for (const activeShare of [1, 0.35]) {
        const traits = { ...drawMouseTraits(createStream('inv-traits', i)), deviceRateHz, touchpad };
        out.push({
          traits,
          pointer: createPointer(createStream('inv-pointer', i)),
          activeShare,
          name: `${deviceRateHz} Hz, touchpad ${touchpad}, share ${activeShare}`,
        });
        i++;
      }
    }
  }
  // A small screen with the pointer in a corner: long moves and overshoots must stay on it.
  out.push({
    traits: { ...drawMouseTraits(createStream('inv-traits', 'corner')), clicksPerActiveHour: 2000 },
    pointer: { x: 0, y: 0, screenW: 1280, screenH: 800 },
    activeShare: 0.5,
    name: 'corner of 1280×800',
  });
  return out;
}

const START = 5_000;
const END = START + 5 * 60_000;

function run(c: ReturnType<typeof cases>[number], seed: string): { block: EventBlock; last: number } {
  const pointer = { ...c.pointer };
  let last = 0;
  const block = capture((out) => {
    last = mouseEpisode({ out, rng: createStream(seed, c.name), startMs: START, endMs: END }, c.traits, pointer, c.activeShare, 3);
  });
  return { block, last };
}

describe('episode events are well-formed', () => {
  for (const c of cases()) {
    it(`${c.name}: ordered times inside the window, integer on-screen moves without zero deltas, balanced presses`, () => {
      const { block: b, last } = run(c, 'inv');
      expect(b.length).toBeGreaterThan(0);
      expect(b.t_ms[0]).toBeGreaterThanOrEqual(START);
      expect(last).toBe(b.t_ms[b.length - 1]);
      // The action in progress at endMs may finish after it: one decision delay (≤ 5 s) + a move + a click.
      expect(last).toBeLessThan(END + 12_000);
      // Count violations (one expect per property: expect() per event would dominate the run time).
      const bad = { order: 0, context: 0, offScreen: 0, zeroDelta: 0, pressWhileDown: 0, pressAway: 0, unmatchedUp: 0, wheel: 0 };
      let prevT = -Infinity;
      let px = Number.NaN;
      let py = Number.NaN;
      let down = -1;
      for (let i = 0; i < b.length; i++) {
        const t = b.t_ms[i] as number;
        if (t < prevT) bad.order++;
        prevT = t;
        if (b.context[i] !== 3) bad.context++;
        const type = b.type[i];
        const x = b.x[i] as number;
        const y = b.y[i] as number;
        if (!(x >= 0 && x < c.pointer.screenW && y >= 0 && y < c.pointer.screenH)) bad.offScreen++;
        if (type === EventType.mousemove) {
          if (x === px && y === py) bad.zeroDelta++;
          px = x;
          py = y;
        } else if (type === EventType.mousedown) {
          if (down !== -1) bad.pressWhileDown++;
          down = b.button[i] as number;
          if (!Number.isNaN(px) && (x !== px || y !== py)) bad.pressAway++;
        } else if (type === EventType.mouseup) {
          if (b.button[i] !== down) bad.unmatchedUp++;
          down = -1;
        } else if (
          type !== EventType.wheel ||
          down !== -1 ||
          b.key[i] === 0 ||
          (!c.traits.touchpad && Math.abs(b.key[i] as number) !== 1)
        ) {
          bad.wheel++;
        }
      }
      expect(bad).toEqual({ order: 0, context: 0, offScreen: 0, zeroDelta: 0, pressWhileDown: 0, pressAway: 0, unmatchedUp: 0, wheel: 0 });
      expect(down).toBe(-1);
    });
  }

  it('is deterministic: the same seed gives identical events, another seed different ones', () => {
    const c = cases()[0]!;
    const a = run(c, 'det').block;
    const b = run(c, 'det').block;
    const other = run(c, 'det-other').block;
    expect(b.length).toBe(a.length);
    expect(Buffer.from(b.t_ms.buffer).equals(Buffer.from(a.t_ms.buffer))).toBe(true);
    expect(Buffer.from(b.x.buffer).equals(Buffer.from(a.x.buffer))).toBe(true);
    expect(Buffer.from(b.y.buffer).equals(Buffer.from(a.y.buffer))).toBe(true);
    expect(Buffer.from(b.type.buffer).equals(Buffer.from(a.type.buffer))).toBe(true);
    expect(Buffer.from(b.key.buffer).equals(Buffer.from(a.key.buffer))).toBe(true);
    expect(other.length === a.length && Buffer.from(other.x.buffer).equals(Buffer.from(a.x.buffer))).toBe(false);
  });

  it('writes nothing for an empty window and returns its start', () => {
    const c = cases()[0]!;
    const block = capture((out) => {
      expect(mouseEpisode({ out, rng: createStream('empty'), startMs: 100, endMs: 100 }, c.traits, { ...c.pointer }, 1, 0)).toBe(100);
    });
    expect(block.length).toBe(0);
  });

  it('moves the pointer: the pointer object ends at the position of the last event', () => {
    const c = cases()[0]!;
    const pointer = { ...c.pointer };
    const block = capture((out) => {
      mouseEpisode({ out, rng: createStream('follow'), startMs: 0, endMs: 60_000 }, c.traits, pointer, 1, 0);
    });
    expect(pointer.x).toBe(block.x[block.length - 1]);
    expect(pointer.y).toBe(block.y[block.length - 1]);
  });

  it('reports on the device clock: mousemove gaps are whole multiples of the period ± jitter (8 ms ± 0.5 ms at 125 Hz)', () => {
    const c = cases()[0]!;
    const { block: b } = run(c, 'clock');
    let checked = 0;
    let offGrid = 0;
    let prev = -1;
    for (let i = 0; i < b.length; i++) {
      if (b.type[i] !== EventType.mousemove) continue;
      if (prev >= 0 && b.type[i - 1] === EventType.mousemove) {
        const gap = (b.t_ms[i] as number) - (b.t_ms[prev] as number);
        const periods = Math.round(gap / 8);
        if (periods < 1 || Math.abs(gap - 8 * periods) > 1.0001) offGrid++;
        checked++;
      }
      prev = i;
    }
    expect(checked).toBeGreaterThan(1000);
    expect(offGrid).toBe(0);
  });

  it('pointAndClick returns the release time and presses where the pointer stopped', () => {
    const c = cases()[0]!;
    const pointer: Pointer = { x: 100, y: 100, screenW: 1920, screenH: 1080 };
    let last = 0;
    const b = capture((out) => {
      last = pointAndClick(
        { out, rng: createStream('pac'), startMs: 0, endMs: 1 },
        c.traits,
        pointer,
        { x: 900, y: 500, width: 24 },
        'field',
        0,
      );
    });
    expect(b.type[b.length - 1]).toBe(EventType.mouseup);
    expect(b.type[b.length - 2]).toBe(EventType.mousedown);
    expect(last).toBe(b.t_ms[b.length - 1]);
    expect(Math.hypot(pointer.x - 900, pointer.y - 500)).toBeLessThan(24);
    expect(b.x[b.length - 2]).toBe(pointer.x);
  });
});
