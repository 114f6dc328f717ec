/**
 * What a driver replays when the laptop's source reports motion at a lower
 * rate (agent.sourceMoveRateHz): the window's events with the moves the
 * source would merge taken out (src/events/move-cap.ts), before pacing, so
 * the replay loop still does nothing per event beyond its write.
 */
import { capMoveRate, sliceBlock, type EventBlock } from '../events/index.js';
import { InputError } from './errors.js';

/** Events before virtualEndMs (all when absent), capped at rateHz (0: as they are), and the moves removed. */
export function capReplay(
  events: EventBlock,
  virtualEndMs: number | undefined,
  rateHz: number,
): { readonly events: EventBlock; readonly removed: number } {
  if (rateHz === 0) return { events, removed: 0 };
  let n = events.length;
  if (virtualEndMs !== undefined) while (n > 0 && (events.t_ms[n - 1] as number) >= virtualEndMs) n--;
  return capMoveRate(n === events.length ? events : sliceBlock(events, 0, n), rateHz);
}

/** Checks a driver's sourceMoveRateHz option. */
export function sourceMoveRate(rateHz: number | undefined): number {
  const r = rateHz ?? 0;
  if (!Number.isInteger(r) || r < 0 || r > 1000)
    throw new InputError('INPUT_BAD_OPTION', `sourceMoveRateHz ${r} is not allowed; give whole Hz from 0 (every move) to 1000`);
  return r;
}
