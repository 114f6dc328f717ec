/**
 * Waiting for a wall-clock instant precisely without spinning a core:
 * setTimeout sleeps to within `spinMs` of it (timers fire up to a millisecond
 * or so late), then setImmediate turns of the event loop close the rest,
 * still letting I/O run between turns.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** Wall time in epoch ms with sub-millisecond resolution. */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves at (or just after) wall instant dueMs; at once if it has passed or signal is aborted. */
export async function waitUntilWall(dueMs: number, spinMs: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    if (signal?.aborted) return;
    const left = dueMs - wallNowMs();
    if (left <= 0) return;
    if (left > spinMs) {
      try {
        await sleep(left - spinMs, undefined, signal ? { signal } : undefined);
      } catch {
        return; // aborted
      }
    } else {
      await nextTurn();
    }
  }
}
