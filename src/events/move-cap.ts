/**
 * A lower mouse-move rate at the source: an OS or pointer driver that
 * reports motion at N Hz instead of every move the hand makes. Time is cut
 * into intervals of 1000/N ms (aligned on the clock's epoch, as a polling
 * device's frames are); of the moves of one interval that follow each other
 * with nothing in between, only the last is delivered, at its own time, so
 * the pointer ends each interval where the hand put it. Keys, buttons and
 * wheel events are never removed or moved in time, and a move that comes
 * just before one of them is always delivered (the OS flushes the motion it
 * holds before a click, so the click lands where the pointer is).
 *
 * Pure and allocation-free except capMoveRate's output block.
 */
import { allocateBlock, copyEventInto, type EventBlock } from './block.js';
import { EventType } from './types.js';

/** Which 1000/rateHz ms interval a time (ms) falls in. */
export function moveInterval(tMs: number, rateHz: number): number {
  return Math.floor((tMs * rateHz) / 1000);
}

/**
 * Counts the moves a source capped at `rateHz` would not deliver, over blocks
 * handed in time order (a move at the end of one block is judged by the
 * first event of the next). rateHz 0: no cap, nothing removed.
 */
export class MoveCapTally {
  /** Moves the cap removed so far. */
  removed = 0;
  /** Interval of the previous event if it was a move, else NaN. */
  private lastMoveInterval = Number.NaN;

  constructor(readonly rateHz: number) {
    if (!(rateHz >= 0) || !Number.isFinite(rateHz))
      throw new RangeError(`a source move rate must be a finite number of Hz ≥ 0 (0: no cap), not ${rateHz}`);
  }

  add(b: EventBlock): this {
    if (this.rateHz === 0) return this;
    for (let i = 0; i < b.length; i++) {
      if (b.type[i] !== EventType.mousemove) {
        this.lastMoveInterval = Number.NaN;
        continue;
      }
      const k = moveInterval(b.t_ms[i] as number, this.rateHz);
      // The previous move is superseded by this one: same interval, nothing between them.
      if (k === this.lastMoveInterval) this.removed++;
      this.lastMoveInterval = k;
    }
    return this;
  }
}

/**
 * The events a source capped at `rateHz` delivers (a new block; the input is
 * not changed), and how many moves it removed. rateHz 0 returns the block
 * itself.
 */
export function capMoveRate(b: EventBlock, rateHz: number): { readonly events: EventBlock; readonly removed: number } {
  const removed = new MoveCapTally(rateHz).add(b).removed;
  if (removed === 0) return { events: b, removed: 0 };
  const out = allocateBlock(b.length - removed);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    const next = i + 1;
    const superseded =
      b.type[i] === EventType.mousemove &&
      next < b.length &&
      b.type[next] === EventType.mousemove &&
      moveInterval(b.t_ms[next] as number, rateHz) === moveInterval(b.t_ms[i] as number, rateHz);
    if (!superseded) copyEventInto(out, j++, b, i, b.t_ms[i] as number);
  }
  return { events: out, removed };
}
