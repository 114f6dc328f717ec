import { MouseButton } from '../../events/index.js';
import type { MouseTraits } from '../../population/mouse-traits.js';
import type { EpisodeWindow } from '../episode.js';
import { aimedMove, type PointTarget } from './aimed-move.js';
import { click } from './clicks.js';
import { decisionDelay } from './decision.js';
import { createMotion } from './motion.js';
import { DEFAULT_MOUSE_MODEL_PARAMS, type MouseModelParams } from './params.js';
import type { Pointer } from './pointer.js';

/**
 * One aimed movement to a target followed by a left click. Lab mode starts moving
 * at w.startMs (a Fitts trial: no decision delay); field mode first waits a
 * decision delay. A single action: it runs to completion even past w.endMs.
 * Returns t_ms of the last event (the release).
 */
export function pointAndClick(
  w: EpisodeWindow,
  traits: MouseTraits,
  pointer: Pointer,
  target: PointTarget,
  mode: 'lab' | 'field',
  context: number,
  params: MouseModelParams = DEFAULT_MOUSE_MODEL_PARAMS,
): number {
  const m = createMotion(w.out, w.rng, pointer, traits.deviceRateHz, context, w.startMs, params);
  const onset = mode === 'field' ? w.startMs + decisionDelay(m, params) : w.startMs;
  const pressAt = aimedMove(m, traits, target, onset, 1, params);
  return click(m, pressAt, MouseButton.left, params);
}
