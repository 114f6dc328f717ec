import { EventType, type EventOutput } from '../../events/index.js';
import type { RandomStream } from '../../random/index.js';
import type { MouseModelParams } from './params.js';
import type { Pointer } from './pointer.js';

/**
 * The state one call of the mouse model threads through its actions: where to
 * write, the device clock, the pointer, and the running tallies the episode
 * controller reads (moving time as counted from the events). One per call, never
 * one per sample.
 */
export interface Motion {
  readonly out: EventOutput;
  readonly rng: RandomStream;
  readonly pointer: Pointer;
  readonly context: number;
  /** Device report period (ms): 8 ms at 125 Hz. */
  readonly period_ms: number;
  /** Half-width of the uniform report-time jitter (ms). */
  readonly jitter_ms: number;
  readonly movingGapMax_ms: number;
  /** xorshift32 state for report jitter: one cheap draw per report, seeded once from the stream. */
  noise: number;
  /** The second normal of the last Box–Muller pair (NaN when used): halves the cost of normal draws. */
  spareNormal: number;
  /** Time of the last event written (any type), startMs if none. */
  lastEvent_ms: number;
  /** Time of the last mousemove written (−∞ if none). */
  lastMove_ms: number;
  /** Moving time so far: sum of gaps ≤ movingGapMax_ms between consecutive mousemoves. */
  moving_ms: number;
}

export function createMotion(
  out: EventOutput,
  rng: RandomStream,
  pointer: Pointer,
  deviceRateHz: number,
  context: number,
  startMs: number,
  p: MouseModelParams,
): Motion {
  const period_ms = 1000 / deviceRateHz;
  return {
    out,
    rng,
    pointer,
    context,
    period_ms,
    jitter_ms: Math.min(p.reportJitterMax_ms, p.reportJitterMaxOfPeriod * period_ms),
    movingGapMax_ms: p.movingGapMax_ms,
    noise: ((rng.next() * 0x1_0000_0000) >>> 0) | 1,
    spareNormal: Number.NaN,
    lastEvent_ms: startMs,
    lastMove_ms: -Infinity,
    moving_ms: 0,
  };
}

const MOUSEMOVE = EventType.mousemove;

/** A standard normal from the call's stream, by Box–Muller, using both values of each pair. */
export function gauss(m: Motion): number {
  const spare = m.spareNormal;
  if (spare === spare) {
    m.spareNormal = Number.NaN;
    return spare;
  }
  let u = m.rng.next();
  while (u <= 1e-300) u = m.rng.next();
  const r = Math.sqrt(-2 * Math.log(u));
  const a = 2 * Math.PI * m.rng.next();
  m.spareNormal = r * Math.sin(a);
  return r * Math.cos(a);
}

/** exp(N(mu, sigma)) from the call's stream. */
export function logNormal(m: Motion, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * gauss(m));
}

/** 2^-31: maps a signed 32-bit integer to [−1, 1). */
const INT_TO_SIGNED_UNIT = 4.656612873077393e-10;

/** Report time of device poll k: on the poll grid, jittered (advances the noise state). */
export function reportTime(m: Motion, k: number): number {
  let s = m.noise;
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  m.noise = s;
  return k * m.period_ms + m.jitter_ms * (s * INT_TO_SIGNED_UNIT);
}

/** Index of the first device poll whose report (after jitter) comes strictly after t_ms. */
export function firstPollAfter(m: Motion, t_ms: number): number {
  return Math.floor((t_ms + m.jitter_ms) / m.period_ms) + 1;
}

/**
 * One submovement from the pointer's position to (endX, endY), lasting duration_ms
 * from t0_ms, written as mousemove reports on the device's poll grid.
 *
 * Path: a quadratic curve whose midpoint is offset perpendicular to the chord by
 * curvature_px (B(u) = S + u·Δ + 4u(1−u)·h·n). Progress along it: the bell-shaped
 * speed profile v(τ) = 30τ²(1−τ)²(1 + c(1 − 2τ)), integrated to the degree-6
 * polynomial s(τ) = (10+10c)τ³ − (15+30c)τ⁴ + (6+30c)τ⁵ − 10cτ⁶, which has zero
 * speed and acceleration at both ends (minimum jerk when c = 0) and peak speed at
 * 0.40–0.50 of the movement for c in [1, 0].
 *
 * Reports whose integer position equals the previous one are not written (a mouse
 * that did not move reports nothing), and positions are kept on the screen.
 * Returns the time the submovement ended (its last poll, written or not).
 */
export function emitSubmovement(
  m: Motion,
  t0_ms: number,
  duration_ms: number,
  endX: number,
  endY: number,
  curvature_px: number,
  skew: number,
): number {
  const pointer = m.pointer;
  const out = m.out;
  const context = m.context;
  const period = m.period_ms;
  const jitter = m.jitter_ms;
  const gapMax = m.movingGapMax_ms;
  const maxX = pointer.screenW - 1;
  const maxY = pointer.screenH - 1;
  const sx = pointer.x;
  const sy = pointer.y;
  const dx = endX - sx;
  const dy = endY - sy;
  const chord = Math.sqrt(dx * dx + dy * dy);
  // 4·h·(unit normal): the midpoint (u = ½, 4u(1−u) = 1) sits curvature_px off the chord.
  const bend = chord > 0 ? (4 * curvature_px) / chord : 0;
  const nx = -dy * bend;
  const ny = dx * bend;
  const c3 = 10 + 10 * skew;
  const c4 = -15 - 30 * skew;
  const c5 = 6 + 30 * skew;
  const c6 = -10 * skew;
  // A submovement shorter than a millisecond is a jump to its end at the next poll.
  const invDuration = duration_ms > 1 ? 1 / duration_ms : 1;

  let lx = sx;
  let ly = sy;
  let lastMove = m.lastMove_ms;
  let moving = m.moving_ms;
  let lastEvent = m.lastEvent_ms;
  let s = m.noise;
  let k = Math.floor((t0_ms + jitter) / period) + 1;
  let t = t0_ms;
  for (;;) {
    // The sensor samples on the device clock; only the report's arrival is jittered (drawn below,
    // for reports actually sent), so slow stretches with nothing to report cost no noise draws.
    const tPoll = k * period;
    let tau = (tPoll - t0_ms) * invDuration;
    const done = tau >= 1;
    if (done) tau = 1;
    const u = tau * tau * tau * (c3 + tau * (c4 + tau * (c5 + tau * c6)));
    const q = u - u * u;
    // Round half up by truncation: exact for x ≥ −0.5, and anything below lands on 0 after the clamp.
    let ix = (sx + u * dx + q * nx + 0.5) | 0;
    let iy = (sy + u * dy + q * ny + 0.5) | 0;
    ix = ix < 0 ? 0 : ix > maxX ? maxX : ix;
    iy = iy < 0 ? 0 : iy > maxY ? maxY : iy;
    if (ix !== lx || iy !== ly) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      t = tPoll + jitter * (s * INT_TO_SIGNED_UNIT);
      out.push(t, MOUSEMOVE, 0, ix, iy, 0, context, 0);
      const gap = t - lastMove;
      if (gap <= gapMax) moving += gap;
      lastMove = t;
      lastEvent = t;
      lx = ix;
      ly = iy;
    }
    if (done) {
      if (t < tPoll) t = tPoll;
      break;
    }
    k++;
  }
  m.noise = s;
  m.lastMove_ms = lastMove;
  m.moving_ms = moving;
  m.lastEvent_ms = lastEvent;
  pointer.x = lx;
  pointer.y = ly;
  return t;
}
