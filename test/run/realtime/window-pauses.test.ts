import { describe, expect, it } from 'vitest';
import type { PauseDay } from '../../../src/behaviour/index.js';
import { pausesWithin } from '../../../src/run/realtime/window-pauses.js';

const MIN = 60_000;

function day(windows: readonly [number, number][]): PauseDay {
  return {
    windows: windows.map(([from, to]) => ({ startMs: from * MIN, endMs: to * MIN, endedBy: 'resume' }) as PauseDay['windows'][number]),
    requests: windows.length + 1,
    refused: 1,
    cutByCap: 0,
    exemptionAsks: 0,
    exemptionAskDraws: [],
    wantedMinutes: 99,
    grantedMinutes: windows.reduce((a, [from, to]) => a + to - from, 0),
  };
}

describe('pausesWithin: the part of a day’s pauses a run simulated', () => {
  it('keeps pauses inside the span, cuts those across its ends, drops those outside', () => {
    const d = day([
      [10, 40],
      [95, 110],
      [120, 125],
      [128, 150],
      [200, 230],
    ]);
    const w = pausesWithin(d, 100 * MIN, 130 * MIN);
    expect(w.windows.map((x) => [x.startMs / MIN, x.endMs / MIN])).toEqual([
      [100, 110],
      [120, 125],
      [128, 130],
    ]);
    expect(w.grantedMinutes).toBe(17);
    // What the day asked for and was refused is the day's: only what took effect in the span is clipped.
    expect(w).toMatchObject({ requests: 6, refused: 1, wantedMinutes: 99 });
  });

  it('an unbounded span keeps the day as it is', () => {
    const d = day([[10, 40]]);
    expect(pausesWithin(d, -Infinity, Infinity)).toBe(d);
  });

  it('a pause ending as the span opens, or starting as it closes, is not in it', () => {
    const w = pausesWithin(
      day([
        [10, 20],
        [50, 60],
      ]),
      20 * MIN,
      50 * MIN,
    );
    expect(w.windows).toEqual([]);
    expect(w.grantedMinutes).toBe(0);
  });
});
