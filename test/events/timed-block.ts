import { allocateBlock, type EventBlock } from '../../src/events/index.js';

/**
 * A block from (gap, type) pairs: each event `gap` ms after the one before,
 * from t0; x and y say which input event it was (x = i, y = 10 i), so output
 * can be checked against input.
 */
export function timedBlock(evs: readonly { gap: number; type: number }[], t0 = 1_780_000_000_000): EventBlock {
  const b = allocateBlock(evs.length);
  let t = t0;
  evs.forEach((e, i) => {
    t += e.gap;
    b.t_ms[i] = t;
    b.type[i] = e.type;
    b.x[i] = i;
    b.y[i] = 10 * i;
  });
  return b;
}
