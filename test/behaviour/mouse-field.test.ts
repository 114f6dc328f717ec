import { describe, expect, it } from 'vitest';
import {
  chooseFieldTarget,
  createPointer,
  DEFAULT_MOUSE_MODEL_PARAMS,
  pointAndClick,
  type Pointer,
} from '../../src/behaviour/mouse/index.js';
import { EventType } from '../../src/events/index.js';
import { drawMouseTraits } from '../../src/population/mouse-traits.js';
import { createStream } from '../../src/random/index.js';
import { capture, indicesOf, mean, note, pathLength, quantile } from './mouse-measure.js';

describe('field-mode pointing (decision delay + Fitts movement)', () => {
  // Balabit medians are given to 0.1 s (±0.05 s = ±7 % at 0.7 s); with the sampling error of a
  // median over 2,000 moves (≈ 1.5 %): ±10 %.
  const BALABIT: ReadonlyArray<readonly [number, number]> = [
    [30, 700],
    [237, 1200],
    [2000, 1900],
  ];
  it.each(BALABIT)(
    "median time from the previous action to the press at %d px, W = 30 px, is Balabit's %d ms ± 10 %",
    (distance, balabit_ms) => {
      const durations: number[] = [];
      for (let e = 0; e < 400; e++) {
        const traits = { ...drawMouseTraits(createStream('field-traits', e)), deviceRateHz: 125 };
        const rng = createStream('field-moves', distance, e);
        for (let r = 0; r < 5; r++) {
          const pointer: Pointer = { x: 280, y: 700, screenW: 2560, screenH: 1440 };
          const block = capture((out) => {
            pointAndClick({ out, rng, startMs: 0, endMs: 1 }, traits, pointer, { x: 280 + distance, y: 700, width: 30 }, 'field', 0);
          });
          durations.push(block.t_ms[indicesOf(block, EventType.mousedown)[0] as number] as number);
        }
      }
      const median = quantile(durations, 0.5);
      note(`field median duration at ${distance} px (ms)`, median, `${balabit_ms} ± 10 %`);
      expect(Math.abs(median / balabit_ms - 1)).toBeLessThanOrEqual(0.1);
    },
  );

  it('click-terminated everyday moves are nearly straight: mean endpoint distance / path length in [0.85, 0.98] (BEHAVIOUR.md "trajectory", Balabit)', () => {
    const straightness: number[] = [];
    const distances: number[] = [];
    for (let e = 0; e < 200; e++) {
      const traits = { ...drawMouseTraits(createStream('straight-traits', e)), deviceRateHz: 125 };
      const pointer = createPointer(createStream('straight-pointer', e));
      const rng = createStream('straight-moves', e);
      for (let r = 0; r < 20; r++) {
        const target = chooseFieldTarget(rng, pointer, DEFAULT_MOUSE_MODEL_PARAMS);
        const x0 = pointer.x;
        const y0 = pointer.y;
        const block = capture((out) => {
          pointAndClick({ out, rng, startMs: 0, endMs: 1 }, traits, pointer, target, 'field', 0);
        });
        const moves = indicesOf(block, EventType.mousemove);
        const length = pathLength(block, moves, x0, y0);
        if (length === 0) continue;
        const d = Math.hypot(pointer.x - x0, pointer.y - y0);
        straightness.push(d / length);
        distances.push(d);
      }
    }
    const m = mean(straightness);
    note('field straightness (mean)', m, '0.85–0.98');
    note('field move distance median (px)', quantile(distances, 0.5), '< 250');
    note('field moves over 1,000 px (share)', distances.filter((d) => d > 1000).length / distances.length, '> 0.01');
    expect(m).toBeGreaterThanOrEqual(0.85);
    expect(m).toBeLessThanOrEqual(0.98);
    // "Many short, some across the screen": half under ~200 px, a few percent over 1,000 px.
    expect(quantile(distances, 0.5)).toBeLessThan(250);
    expect(distances.filter((d) => d > 1000).length / distances.length).toBeGreaterThan(0.01);
  });
});
