import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventType, MoveCapTally, capMoveRate, moveInterval, sliceBlock } from '../../src/events/index.js';
import { timedBlock } from './timed-block.js';

/** An event stream: gaps (ms) and types, moves most often, as a pointer makes them. */
const stream = fc.array(
  fc.record({
    gap: fc.double({ min: 0, max: 60, noNaN: true }),
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant(EventType.mousemove) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(EventType.keydown, EventType.keyup, EventType.mousedown, EventType.mouseup, EventType.wheel),
      },
    ),
  }),
  { maxLength: 400 },
);

describe('a mouse-move rate cap at the source', () => {
  it('never removes, reorders or retimes keys, clicks or wheel events, and keeps the last move before each (fast-check)', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 250 }), (evs, hz) => {
        const b = timedBlock(evs);
        const { events: out, removed } = capMoveRate(b, hz);
        expect(out.length + removed).toBe(b.length);
        const origin = Array.from(out.x.subarray(0, out.length));
        // A subsequence of the input, same times.
        for (let j = 1; j < origin.length; j++) expect(origin[j]!).toBeGreaterThan(origin[j - 1]!);
        for (let j = 0; j < out.length; j++) expect(out.t_ms[j]).toBe(b.t_ms[origin[j]!]);
        const kept = new Set(origin);
        for (let i = 0; i < b.length; i++) {
          if (b.type[i] !== EventType.mousemove) {
            expect(kept.has(i)).toBe(true);
            // The pointer is where the hand put it when a button or key goes down.
            if (i > 0 && b.type[i - 1] === EventType.mousemove) expect(kept.has(i - 1)).toBe(true);
          }
        }
        // The pointer ends where it should.
        if (b.length > 0 && b.type[b.length - 1] === EventType.mousemove) expect(kept.has(b.length - 1)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('delivers at most one move per 1000/Hz ms interval between other events, the interval’s last (fast-check)', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 250 }), (evs, hz) => {
        const b = timedBlock(evs);
        const { events: out } = capMoveRate(b, hz);
        for (let j = 1; j < out.length; j++) {
          if (out.type[j] !== EventType.mousemove || out.type[j - 1] !== EventType.mousemove) continue;
          expect(moveInterval(out.t_ms[j]!, hz)).toBeGreaterThan(moveInterval(out.t_ms[j - 1]!, hz));
          // Nothing the source held back lies between two moves it delivered in different intervals, except moves of the later interval.
          for (let i = out.x[j - 1]! + 1; i < out.x[j]!; i++) expect(moveInterval(b.t_ms[i]!, hz)).toBe(moveInterval(out.t_ms[j]!, hz));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counts the same removals over blocks handed one after another as over the whole (fast-check)', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 250 }), fc.array(fc.nat(), { maxLength: 6 }), (evs, hz, cuts) => {
        const b = timedBlock(evs);
        const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((p, q) => p - q);
        const tally = new MoveCapTally(hz);
        let from = 0;
        for (const c of [...at, b.length]) {
          tally.add(sliceBlock(b, from, c));
          from = c;
        }
        expect(tally.removed).toBe(capMoveRate(b, hz).removed);
      }),
      { numRuns: 300 },
    );
  });

  it('turns a 125 Hz movement into one move per 1/60 s and 1/30 s frame, and leaves it alone at 0 Hz', () => {
    const moves = Array.from({ length: 1250 }, () => ({ gap: 8, type: EventType.mousemove }));
    const b = timedBlock(moves, -8);
    // 10 s of motion: 600 and 300 frames (moves at 0, 8, … 9992 ms).
    expect(capMoveRate(b, 60).events.length).toBe(600);
    expect(capMoveRate(b, 30).events.length).toBe(300);
    expect(capMoveRate(b, 0).events).toBe(b);
    expect(capMoveRate(b, 0).removed).toBe(0);
  });

  it('refuses a negative or non-finite rate', () => {
    expect(() => new MoveCapTally(-1)).toThrow(/≥ 0/);
    expect(() => new MoveCapTally(Number.NaN)).toThrow(/≥ 0/);
  });
});
