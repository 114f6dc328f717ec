/**
 * How a paced run maps wall time to virtual time: virtual time runs `speed`
 * times as fast as the wall clock from the instant the run starts. Times are
 * epoch milliseconds on both sides.
 */
export interface Timeline {
  readonly wallStartMs: number;
  readonly virtualStartMs: number;
  readonly speed: number;
}

export function virtualAt(tl: Timeline, wallMs: number): number {
  return tl.virtualStartMs + (wallMs - tl.wallStartMs) * tl.speed;
}

export function wallAt(tl: Timeline, virtualMs: number): number {
  return tl.wallStartMs + (virtualMs - tl.virtualStartMs) / tl.speed;
}

/**
 * Wall time in epoch ms with sub-millisecond resolution. Worker threads each
 * have their own time origin, but origin + now() is the same instant in all of
 * them, so threads paced on one Timeline stay in step.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
