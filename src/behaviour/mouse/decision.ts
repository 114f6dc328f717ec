import { logNormal, type Motion } from './motion.js';
import type { MouseModelParams } from './params.js';

/**
 * Field-mode pause before a movement starts: finding the target, deciding
 * (BEHAVIOUR.md "mouse movement time": LogNormal(ln 300 ms, 0.8), an assumption
 * calibrated to Balabit's median move durations; see params.ts), capped.
 */
export function decisionDelay(m: Motion, p: MouseModelParams): number {
  const d = logNormal(m, Math.log(p.decisionDelayMedian_ms), p.decisionDelayLogSigma);
  return d > p.decisionDelayMax_ms ? p.decisionDelayMax_ms : d;
}
