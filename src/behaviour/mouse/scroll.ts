import { EventType } from '../../events/index.js';
import { firstPollAfter, logNormal, reportTime, type Motion } from './motion.js';
import type { MouseModelParams } from './params.js';

/** Notches in one burst (BEHAVIOUR.md "scrolls/hour": LogNormal(ln 4, 1.2), p90 ≈ 19), at least 1. */
function burstNotches(m: Motion, p: MouseModelParams): number {
  const n = Math.round(logNormal(m, Math.log(p.scrollNotchesMedian), p.scrollNotchesLogSigma));
  return n < 1 ? 1 : n > p.scrollNotchesMax ? p.scrollNotchesMax : n;
}

/**
 * One scroll burst at the pointer, starting at t0_ms. A wheel writes one event per
 * notch (key = ±1, positive = down as DOM deltaY) with inter-notch intervals
 * LogNormal(ln 40 ms, 0.8) (Balabit). A touchpad writes a smooth stream of small
 * pixel deltas at the device rate. Returns the time of the last event.
 */
export function scrollBurst(m: Motion, t0_ms: number, touchpad: boolean, p: MouseModelParams): number {
  const notches = burstNotches(m, p);
  const sign = m.rng.next() < p.scrollDownShare ? 1 : -1;
  return touchpad ? touchpadScroll(m, t0_ms, sign * notches * p.touchpadPxPerNotch, p) : wheelNotches(m, t0_ms, sign, notches, p);
}

function wheelNotches(m: Motion, t0_ms: number, sign: number, notches: number, p: MouseModelParams): number {
  const out = m.out;
  const x = m.pointer.x;
  const y = m.pointer.y;
  const mu = Math.log(p.interNotchMedian_ms);
  let t = t0_ms;
  for (let i = 0; i < notches; i++) {
    if (i > 0) t += logNormal(m, mu, p.interNotchLogSigma);
    out.push(t, EventType.wheel, sign, x, y, 0, m.context, 0);
  }
  m.lastEvent_ms = t;
  return t;
}

/**
 * Two-finger swipe then inertial scrolling (assumption, shaped on how desktop
 * touchpad drivers scroll): the finger accelerates over the swipe (s ∝ τ²) and
 * lifts at speed v; the content glides on with speed v·e^(−t/τm) until it falls
 * below a stop speed. The swipe distance is chosen so that swipe + glide ≈ the
 * burst's total. Deltas are whole pixels; the fraction carries to the next report.
 */
function touchpadScroll(m: Motion, t0_ms: number, total_px: number, p: MouseModelParams): number {
  const out = m.out;
  const x = m.pointer.x;
  const y = m.pointer.y;
  const swipe_ms = logNormal(m, Math.log(p.touchpadSwipeMedian_ms), p.touchpadSwipeLogSigma);
  const tau = p.touchpadMomentumTau_ms;
  const swipe_px = total_px / (1 + (2 * tau) / swipe_ms);
  const liftSpeed = (2 * swipe_px) / swipe_ms;
  const absLift = Math.abs(liftSpeed);
  const glide_ms = absLift > p.touchpadMomentumStopPxPerMs ? tau * Math.log(absLift / p.touchpadMomentumStopPxPerMs) : 0;
  const end_ms = t0_ms + swipe_ms + glide_ms;
  let written = 0;
  let last = m.lastEvent_ms;
  for (let k = firstPollAfter(m, t0_ms); ; k++) {
    const t = reportTime(m, k);
    const done = t >= end_ms;
    const e = t - t0_ms;
    let pos: number;
    if (e <= swipe_ms) {
      const r = e / swipe_ms;
      pos = swipe_px * r * r;
    } else {
      pos = swipe_px + liftSpeed * tau * (1 - Math.exp(-(e - swipe_ms) / tau));
    }
    const delta = Math.round(pos) - written;
    if (delta !== 0) {
      out.push(t, EventType.wheel, delta, x, y, 0, m.context, 0);
      written += delta;
      last = t;
    }
    if (done) break;
  }
  m.lastEvent_ms = last;
  return last;
}
