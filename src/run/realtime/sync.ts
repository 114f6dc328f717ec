import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What the threads of a paced run share through one SharedArrayBuffer: a
 * start gate (every worker composes its laptops' first input, then all start
 * on the same wall instant) and each worker's progress for the display.
 *
 * Layout: Int32 [0] workers ready, [1] gate (0 closed, 1 open, 2 called
 * off); Float64 [1] the wall
 * start (epoch ms); then per worker PROGRESS_SLOTS Float64 values.
 */
const PROGRESS_SLOTS = 4;
const HEADER_F64 = 2;

export interface PacedProgress {
  /** True virtual time the worker has reached (UTC epoch ms). */
  readonly virtualMs: number;
  readonly events: number;
  readonly uploads: number;
  readonly laptopsDone: number;
}

export function createPacedSync(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(8 * (HEADER_F64 + PROGRESS_SLOTS * workers));
}

/** A worker is ready; resolves with the wall start once every worker is and the main thread opened the gate (null: the run was called off). */
export async function arriveAndWait(sync: SharedArrayBuffer): Promise<number | null> {
  const flags = new Int32Array(sync, 0, 2);
  Atomics.add(flags, 0, 1);
  const waitAsync = (
    Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }
  ).waitAsync;
  while (Atomics.load(flags, 1) === 0) {
    if (waitAsync) {
      const w = waitAsync(flags, 1, 0);
      if (w.async) await w.value;
    } else {
      await sleep(5);
    }
  }
  if (Atomics.load(flags, 1) === 2) return null;
  return new Float64Array(sync, 0, HEADER_F64)[1] as number;
}

/** Calls the run off: waiting workers return without starting. */
export function callOff(sync: SharedArrayBuffer): void {
  const flags = new Int32Array(sync, 0, 2);
  Atomics.store(flags, 1, 2);
  Atomics.notify(flags, 1);
}

export function workersReady(sync: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(sync, 0, 2), 0);
}

/** Opens the gate: every waiting worker starts its clock at wallStartMs. */
export function openGate(sync: SharedArrayBuffer, wallStartMs: number): void {
  new Float64Array(sync, 0, HEADER_F64)[1] = wallStartMs;
  const flags = new Int32Array(sync, 0, 2);
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
}

export function writeProgress(sync: SharedArrayBuffer, slot: number, p: PacedProgress): void {
  const a = new Float64Array(sync, 8 * (HEADER_F64 + PROGRESS_SLOTS * slot), PROGRESS_SLOTS);
  a[0] = p.virtualMs;
  a[1] = p.events;
  a[2] = p.uploads;
  a[3] = p.laptopsDone;
}

/** Every worker's progress combined: the slowest posted worker's virtual time (NaN before any posted), the sums of the rest. */
export function readProgress(sync: SharedArrayBuffer, workers: number): PacedProgress {
  let virtualMs = Infinity;
  let events = 0;
  let uploads = 0;
  let laptopsDone = 0;
  for (let w = 0; w < workers; w++) {
    const a = new Float64Array(sync, 8 * (HEADER_F64 + PROGRESS_SLOTS * w), PROGRESS_SLOTS);
    if ((a[0] as number) > 0) virtualMs = Math.min(virtualMs, a[0] as number);
    events += a[1] as number;
    uploads += a[2] as number;
    laptopsDone += a[3] as number;
  }
  return { virtualMs: Number.isFinite(virtualMs) ? virtualMs : NaN, events, uploads, laptopsDone };
}
