/**
 * A laptop's busiest stretch of input: what a short real-time replay should
 * use so that a few seconds measure a realistic rate rather than idle time.
 */
import { allocateBlock, copyEventInto, type EventBlock } from '../events/index.js';

/** The `spanMs` window of `all` (time order) with the most events, its times shifted by `shiftMs`. */
export function busiestStretch(all: EventBlock, spanMs: number, shiftMs = 0): EventBlock {
  let best = 0;
  let bestCount = 0;
  for (let i = 0, j = 0; i < all.length; i++) {
    while (j < all.length && (all.t_ms[j] as number) < (all.t_ms[i] as number) + spanMs) j++;
    if (j - i > bestCount) [best, bestCount] = [i, j - i];
  }
  const out = allocateBlock(bestCount);
  for (let k = 0; k < bestCount; k++) {
    const i = best + k;
    copyEventInto(out, k, all, i, (all.t_ms[i] as number) + shiftMs);
  }
  return out;
}
