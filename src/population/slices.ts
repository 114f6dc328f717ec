import { setImmediate as nextTurn } from 'node:timers/promises';

export interface SliceOptions {
  /** Employees built between two turns of the event loop (default 10,000: about 50 ms for offices, 0.3 s for whole employees). */
  readonly sliceSize?: number;
  /** Called after every slice with the employees built so far, out of to − from. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the build at the next slice, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * `build(i)` for every employee index in [from, to), in slices with a turn of the event loop in between, so that
 * a fleet of millions built on the main thread lets progress lines, timers and signal handlers (Ctrl-C) run
 * while it is built. The result is the same array a plain loop gives.
 */
export async function buildEmployeesInSlices<T>(from: number, to: number, build: (index: number) => T, o: SliceOptions = {}): Promise<T[]> {
  const sliceSize = o.sliceSize ?? 10_000;
  if (!(Number.isInteger(sliceSize) && sliceSize > 0)) throw new RangeError(`sliceSize must be a positive whole number, got ${sliceSize}`);
  const total = Math.max(0, to - from);
  const out: T[] = [];
  for (let start = from; start < to; start += sliceSize) {
    o.signal?.throwIfAborted();
    const end = Math.min(to, start + sliceSize);
    for (let i = start; i < end; i++) out.push(build(i));
    o.onProgress?.(end - from, total);
    if (end < to) await nextTurn();
  }
  o.signal?.throwIfAborted();
  return out;
}
