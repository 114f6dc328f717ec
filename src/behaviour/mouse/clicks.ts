import { EventType, MouseButton } from '../../events/index.js';
import { logNormal, type Motion } from './motion.js';
import type { MouseModelParams } from './params.js';

/** Button hold time (BEHAVIOUR.md "clicks/hour": LogNormal(ln 105 ms, 0.35); KLM B = 100 ms). */
function holdTime(m: Motion, p: MouseModelParams): number {
  const h = logNormal(m, Math.log(p.clickHoldMedian_ms), p.clickHoldLogSigma);
  return h < p.clickHoldMin_ms ? p.clickHoldMin_ms : h > p.clickHoldMax_ms ? p.clickHoldMax_ms : h;
}

function press(m: Motion, t_ms: number, button: number): void {
  m.out.push(t_ms, EventType.mousedown, 0, m.pointer.x, m.pointer.y, button, m.context, 0);
}

function release(m: Motion, t_ms: number, button: number): void {
  m.out.push(t_ms, EventType.mouseup, 0, m.pointer.x, m.pointer.y, button, m.context, 0);
  m.lastEvent_ms = t_ms;
}

/** A single click at the pointer: press at t_ms, release after the hold. Returns the release time. */
export function click(m: Motion, t_ms: number, button: number, p: MouseModelParams): number {
  const up = t_ms + holdTime(m, p);
  press(m, t_ms, button);
  release(m, up, button);
  return up;
}

/**
 * A double click: press-to-press interval LogNormal(ln 200 ms, 0.3) kept under the
 * 500 ms double-click time; the first hold is shortened when needed so the button is
 * up before the second press. Returns the second release time.
 */
export function doubleClick(m: Motion, t_ms: number, p: MouseModelParams): number {
  let interval = logNormal(m, Math.log(p.doubleClickIntervalMedian_ms), p.doubleClickIntervalLogSigma);
  if (interval > p.doubleClickIntervalMax_ms) interval = p.doubleClickIntervalMax_ms;
  const minInterval = p.clickHoldMin_ms + p.doubleClickMinReleaseGap_ms;
  if (interval < minInterval) interval = minInterval;
  let hold1 = holdTime(m, p);
  const hold1Max = interval - p.doubleClickMinReleaseGap_ms;
  if (hold1 > hold1Max) hold1 = hold1Max;
  press(m, t_ms, MouseButton.left);
  release(m, t_ms + hold1, MouseButton.left);
  return click(m, t_ms + interval, MouseButton.left, p);
}

/** Press the left button and hold it (a drag starts); the caller moves and releases. */
export function pressAndHold(m: Motion, t_ms: number): void {
  press(m, t_ms, MouseButton.left);
  m.lastEvent_ms = t_ms;
}

/** Release the left button at the end of a drag. */
export function releaseDrag(m: Motion, t_ms: number): void {
  release(m, t_ms, MouseButton.left);
}
