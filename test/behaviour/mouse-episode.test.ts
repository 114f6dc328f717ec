import { describe, expect, it } from 'vitest';
import { createPointer, mouseEpisode } from '../../src/behaviour/mouse/index.js';
import { EventType, MouseButton, type EventOutput } from '../../src/events/index.js';
import { drawMouseTraits, type MouseTraits } from '../../src/population/mouse-traits.js';
import { createStream, lognormal, type RandomStream } from '../../src/random/index.js';
import { capture, CountingOutput, indicesOf, mean, note, quantile } from './mouse-measure.js';

const MS_PER_HOUR = 3_600_000;

/**
 * Pointing episodes the way a day composer hands them out: windows of
 * LogNormal(ln 30 s, 0.8) separated by typing, until the windows add up to
 * windowTotal_ms. Returns the active time they stand for (windows ÷ activeShare).
 */
function pointingStretch(
  out: EventOutput,
  traits: MouseTraits,
  seed: string,
  i: number,
  activeShare: number,
  windowTotal_ms: number,
): number {
  const pointer = createPointer(createStream(seed, 'pointer', i));
  const rng = createStream(seed, 'mouse', i);
  const compose: RandomStream = createStream(seed, 'compose', i);
  let t = 0;
  let windows = 0;
  while (windows < windowTotal_ms) {
    const length = Math.min(lognormal(compose, Math.log(30_000), 0.8), windowTotal_ms - windows);
    const last = mouseEpisode({ out, rng, startMs: t, endMs: t + length }, traits, pointer, activeShare, 0);
    windows += length;
    t = Math.max(t + length, last) + 40_000;
  }
  return windows / activeShare;
}

interface EmployeeStats {
  readonly traits: MouseTraits;
  readonly activeShare: number;
  readonly clicksPerActiveHour: number;
  readonly movingShare: number;
  readonly movesPerActiveSecond: number;
}

/** 1,000 employees, each 12 minutes of pointing windows at an activeShare in [0.5, 1]. */
const population: EmployeeStats[] = [];
for (let i = 0; i < 1000; i++) {
  const traits = drawMouseTraits(createStream('population', 'traits', i));
  const activeShare = 0.5 + 0.5 * createStream('population', 'share', i).next();
  const out = new CountingOutput();
  const active_ms = pointingStretch(out, traits, 'population', i, activeShare, 12 * 60_000);
  population.push({
    traits,
    activeShare,
    clicksPerActiveHour: out.downs / (active_ms / MS_PER_HOUR),
    movingShare: out.moving_ms / active_ms,
    movesPerActiveSecond: out.moves / (active_ms / 1000),
  });
}

describe('pointing episodes reach the per-active-hour rates (1,000 employees, activeShare 0.5–1)', () => {
  it('clicks per active hour: median 320 ± 10 %, p10 150 ± 15 %, p90 690 ± 15 % (BEHAVIOUR.md "clicks/hour": Balabit 478/h, esure 214/h)', () => {
    const clicks = population.map((e) => e.clicksPerActiveHour);
    const p10 = quantile(clicks, 0.1);
    const p50 = quantile(clicks, 0.5);
    const p90 = quantile(clicks, 0.9);
    const traits = population.map((e) => e.traits.clicksPerActiveHour);
    note(
      'clicks/h traits drawn p10 / p50 / p90 (information)',
      quantile(traits, 0.1),
      `p50 ${quantile(traits, 0.5).toFixed(0)}, p90 ${quantile(traits, 0.9).toFixed(0)}`,
    );
    note('clicks per active hour p10', p10, '150 ± 15 %');
    note('clicks per active hour median', p50, '320 ± 10 %');
    note('clicks per active hour p90', p90, '690 ± 15 %');
    // Quantile standard errors at n = 1,000 are ≈ 2.5–3.5 %; the rest is Poisson noise in 20 active minutes.
    expect(Math.abs(p50 / 320 - 1)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(p10 / 150 - 1)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(p90 / 690 - 1)).toBeLessThanOrEqual(0.15);
  });

  it('each employee reaches their own trait: pooled clicks within ±5 % of Σ traits', () => {
    const ratio =
      population.reduce((s, e) => s + e.clicksPerActiveHour, 0) / population.reduce((s, e) => s + e.traits.clicksPerActiveHour, 0);
    note('pooled clicks / traits', ratio, '1 ± 0.05');
    expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.05);
  });

  it('the pointer moves 19 % of active time (Balabit): median moving share 0.19 ± 0.015', () => {
    const m = quantile(
      population.map((e) => e.movingShare),
      0.5,
    );
    note('moving share of active time (median)', m, '0.19 ± 0.015');
    expect(Math.abs(m - 0.19)).toBeLessThanOrEqual(0.015);
  });

  it('≈ 24 mousemove events per active second at 125 Hz (BEHAVIOUR.md "mouse-move event rate": 125 Hz × 0.19) ± 15 %; high-rate mice send more', () => {
    const at125 = population.filter((e) => e.traits.deviceRateHz === 125).map((e) => e.movesPerActiveSecond);
    const at1000 = population.filter((e) => e.traits.deviceRateHz === 1000).map((e) => e.movesPerActiveSecond);
    const m125 = quantile(at125, 0.5);
    const m1000 = quantile(at1000, 0.5);
    note('mousemoves per active second at 125 Hz (median)', m125, '24 ± 15 %');
    note('mousemoves per active hour at 125 Hz (median)', m125 * 3600, '≈ 86 k');
    note('mousemoves per active hour at 1 kHz (median)', m1000 * 3600, '≤ 690 k (no zero-delta reports)');
    expect(Math.abs(m125 / 24 - 1)).toBeLessThanOrEqual(0.15);
    expect(m1000).toBeGreaterThan(2 * m125);
  });
});

describe('what the clicks are made of (200 employees × 20 active minutes, activeShare 1)', () => {
  const presses: { t: number; button: number; hold: number; movedWhileDown: boolean; movedBefore: boolean; prevT: number }[] = [];
  const bursts: { events: number; notches: number; touchpad: boolean; gaps: number[] }[] = [];
  let expectedBursts = 0;
  for (let i = 0; i < 200; i++) {
    const traits = drawMouseTraits(createStream('composition', 'traits', i));
    const block = capture((out) => {
      pointingStretch(out, traits, 'composition', i, 1, 20 * 60_000);
    });
    expectedBursts += (traits.scrollBurstsPerActiveHour * 20) / 60;
    let prevDown = -Infinity;
    let movedSincePrevDown = true;
    let open = -1;
    let movedWhileDown = false;
    let burst: { events: number; notches: number; touchpad: boolean; gaps: number[] } | null = null;
    let lastWheel = -Infinity;
    for (let j = 0; j < block.length; j++) {
      const type = block.type[j];
      const t = block.t_ms[j] as number;
      if (type !== EventType.wheel && burst) {
        bursts.push(burst);
        burst = null;
      }
      if (type === EventType.mousemove) {
        movedSincePrevDown = true;
        if (open >= 0) movedWhileDown = true;
      } else if (type === EventType.mousedown) {
        open = j;
        movedWhileDown = false;
        presses.push({
          t,
          button: block.button[j] as number,
          hold: 0,
          movedWhileDown: false,
          movedBefore: movedSincePrevDown,
          prevT: prevDown,
        });
        prevDown = t;
        movedSincePrevDown = false;
      } else if (type === EventType.mouseup) {
        const p = presses[presses.length - 1]!;
        presses[presses.length - 1] = { ...p, hold: t - (block.t_ms[open] as number), movedWhileDown };
        open = -1;
      } else if (type === EventType.wheel) {
        if (burst && t - lastWheel > 900) {
          bursts.push(burst);
          burst = null;
        }
        if (!burst) burst = { events: 0, notches: 0, touchpad: traits.touchpad, gaps: [] };
        else burst.gaps.push(t - lastWheel);
        burst.events++;
        burst.notches += Math.abs(block.key[j] as number);
        lastWheel = t;
      }
    }
    if (burst) bursts.push(burst);
  }

  const seconds = presses.filter((p) => !p.movedBefore && p.t - p.prevT < 500);
  const plainClicks = presses.filter((p) => !p.movedWhileDown);

  it('15 % of presses are the second of a double click (BEHAVIOUR.md "clicks/hour") ± 0.02; press-to-press median 200 ms ± 10 %, all < 500 ms', () => {
    const share = seconds.length / presses.length;
    const interval = quantile(
      seconds.map((p) => p.t - p.prevT),
      0.5,
    );
    note('second-of-double share of presses', share, '0.15 ± 0.02');
    note('double-click press-to-press median (ms)', interval, '200 ± 10 %');
    expect(Math.abs(share - 0.15)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(interval / 200 - 1)).toBeLessThanOrEqual(0.1);
    for (const p of seconds) expect(p.t - p.prevT).toBeLessThan(500);
  });

  it('button hold median 105 ms ± 8 % (BEHAVIOUR.md; KLM B = 100 ms); right clicks 3 % ± 1 point; drags 4 % ± 1.5 points (assumptions)', () => {
    const hold = quantile(
      plainClicks.map((p) => p.hold),
      0.5,
    );
    const right = presses.filter((p) => p.button === MouseButton.right).length / presses.length;
    const drags = presses.filter((p) => p.movedWhileDown).length / presses.length;
    note('click hold median (ms)', hold, '105 ± 8 %');
    note('right-click share of presses', right, '0.03 ± 0.01');
    note('drag share of presses', drags, '0.04 ± 0.015');
    expect(Math.abs(hold / 105 - 1)).toBeLessThanOrEqual(0.08);
    expect(Math.abs(right - 0.03)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(drags - 0.04)).toBeLessThanOrEqual(0.015);
  });

  it('scroll bursts per active hour match the traits ± 5 % (Poisson SE ≈ 1.5 %); wheel notches per burst median 4 ± 1, p90 19 ± 5; inter-notch median 40 ms ± 10 % (Balabit)', () => {
    const wheel = bursts.filter((b) => !b.touchpad);
    const ratio = bursts.length / expectedBursts;
    const notches = wheel.map((b) => b.notches);
    const interNotch = quantile(
      wheel.flatMap((b) => b.gaps),
      0.5,
    );
    note('scroll bursts / expected', ratio, '1 ± 0.05');
    note('wheel notches per burst median', quantile(notches, 0.5), '4 ± 1');
    note('wheel notches per burst p90', quantile(notches, 0.9), '19 ± 5');
    note('inter-notch median (ms)', interNotch, '40 ± 10 %');
    expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(quantile(notches, 0.5) - 4)).toBeLessThanOrEqual(1);
    expect(Math.abs(quantile(notches, 0.9) - 19)).toBeLessThanOrEqual(5);
    expect(Math.abs(interNotch / 40 - 1)).toBeLessThanOrEqual(0.1);
  });

  it('touchpad users scroll in smooth streams: many small pixel deltas per burst', () => {
    const touch = bursts.filter((b) => b.touchpad);
    const eventsPerBurst = quantile(
      touch.map((b) => b.events),
      0.5,
    );
    const pxPerEvent = quantile(
      touch.map((b) => b.notches / b.events),
      0.5,
    );
    note('touchpad events per burst (median)', eventsPerBurst, '≫ notches');
    note('touchpad px per event (median)', pxPerEvent, 'small');
    expect(eventsPerBurst).toBeGreaterThan(20);
    expect(pxPerEvent).toBeLessThan(10);
  });
});

describe('activeShare scales rates inside the episode', () => {
  it('the same employees at activeShare 1 and 0.5 reach the same clicks and moving time per active hour (± 6 %)', () => {
    let clicks1 = 0;
    let clicksHalf = 0;
    let moving1 = 0;
    let movingHalf = 0;
    for (let i = 0; i < 150; i++) {
      const traits = drawMouseTraits(createStream('scaling', 'traits', i));
      const full = new CountingOutput();
      const half = new CountingOutput();
      const activeFull = pointingStretch(full, traits, 'scaling-1', i, 1, 20 * 60_000);
      const activeHalf = pointingStretch(half, traits, 'scaling-05', i, 0.5, 10 * 60_000);
      clicks1 += full.downs / activeFull;
      clicksHalf += half.downs / activeHalf;
      moving1 += full.moving_ms / activeFull;
      movingHalf += half.moving_ms / activeHalf;
    }
    note('clicks per active hour, share 0.5 vs 1', clicksHalf / clicks1, '1 ± 0.06');
    note('moving share, share 0.5 vs 1', movingHalf / moving1, '1 ± 0.06');
    expect(Math.abs(clicksHalf / clicks1 - 1)).toBeLessThanOrEqual(0.06);
    expect(Math.abs(movingHalf / moving1 - 1)).toBeLessThanOrEqual(0.06);
    expect(mean([moving1 / 150, movingHalf / 150])).toBeGreaterThan(0.17);
  });

  it('rejects an activeShare outside (0, 1]', () => {
    const traits = drawMouseTraits(createStream('bad'));
    const pointer = createPointer(createStream('bad'));
    const w = { out: new CountingOutput(), rng: createStream('bad'), startMs: 0, endMs: 1000 };
    expect(() => mouseEpisode(w, traits, pointer, 0, 0)).toThrow(RangeError);
    expect(() => mouseEpisode(w, traits, pointer, 1.5, 0)).toThrow(RangeError);
    expect(() => mouseEpisode(w, traits, pointer, Number.NaN, 0)).toThrow(RangeError);
  });
});

void indicesOf;
