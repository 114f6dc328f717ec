/**
 * Measuring instruments for the mouse tests: everything here reads generated
 * events only, the way an analyst would read a capture log.
 */
import { collectingWriter, EventType, type EventBlock, type EventOutput } from '../../src/events/index.js';

/** Runs a generator against a collecting writer and returns everything it wrote. */
export function capture(run: (out: EventOutput) => void): EventBlock {
  const { writer, collect } = collectingWriter();
  run(writer);
  return collect();
}

/** Counts without keeping events (for population-sized runs). */
export class CountingOutput implements EventOutput {
  moves = 0;
  downs = 0;
  ups = 0;
  wheels = 0;
  /** Sum of gaps ≤ movingGapMax_ms between consecutive mousemoves: the Balabit-style moving time. */
  moving_ms = 0;
  private lastMove = -Infinity;
  constructor(private readonly movingGapMax_ms = 50) {}
  push(tMs: number, type: number): void {
    if (type === EventType.mousemove) {
      this.moves++;
      const gap = tMs - this.lastMove;
      if (gap <= this.movingGapMax_ms) this.moving_ms += gap;
      this.lastMove = tMs;
    } else if (type === EventType.mousedown) this.downs++;
    else if (type === EventType.mouseup) this.ups++;
    else if (type === EventType.wheel) this.wheels++;
  }
}

export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function sd(values: readonly number[]): number {
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/** Least-squares line y = a + b·x with its coefficient of determination. */
export function fitLine(xs: readonly number[], ys: readonly number[]): { a: number; b: number; r2: number } {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b, r2: (sxy * sxy) / (sxx * syy) };
}

/** Indices of the events of one type in [from, to). */
export function indicesOf(b: EventBlock, type: number, from = 0, to = b.length): number[] {
  const idx: number[] = [];
  for (let i = from; i < to; i++) if (b.type[i] === type) idx.push(i);
  return idx;
}

/** Path length (px) through the given mousemove events, starting from (x0, y0). */
export function pathLength(b: EventBlock, moves: readonly number[], x0: number, y0: number): number {
  let len = 0;
  let px = x0;
  let py = y0;
  for (const i of moves) {
    len += Math.hypot((b.x[i] as number) - px, (b.y[i] as number) - py);
    px = b.x[i] as number;
    py = b.y[i] as number;
  }
  return len;
}

/**
 * Groups mousemoves into submovements: a new one starts after a gap longer than
 * gap_ms (the pointer stood still: a still mouse sends nothing).
 */
export function submovements(b: EventBlock, moves: readonly number[], gap_ms = 40): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  for (const i of moves) {
    const prev = cur[cur.length - 1];
    if (prev !== undefined && (b.t_ms[i] as number) - (b.t_ms[prev] as number) > gap_ms) {
      groups.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** Prints a measured statistic beside its target when MOUSE_STATS=1 (for reports; tests stay quiet otherwise). */
export function note(statistic: string, measured: number, target: string): void {
  if (process.env['MOUSE_STATS'] === '1') console.log(`[mouse] ${statistic}: ${Number(measured.toPrecision(4))} (target ${target})`);
}
