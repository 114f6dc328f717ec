import { DEFAULT_MOUSE_MODEL_PARAMS, type MouseModelParams } from './mouse/index.js';
import { DEFAULT_SCHEDULE_PARAMS, type ScheduleParams } from './schedule/index.js';
import { DEFAULT_TYPING_MODEL_PARAMS, type TypingModelParams } from './typing/index.js';

/** How a session alternates between keyboard and mouse (assumptions unless a source is named). */
export interface CompositionParams {
  /** Length of a stretch of typing, LogNormal(ln median s, sigma). */
  readonly typingEpisodeMedianS: number;
  readonly typingEpisodeLogSigma: number;
  /** Length of a stretch of pointing, LogNormal(ln median s, sigma). */
  readonly mouseEpisodeMedianS: number;
  readonly mouseEpisodeLogSigma: number;
  /** Moving the hand between keyboard and mouse: KLM "H" operator, 400 ms (Card, Moran & Newell 1980). */
  readonly homingMedianMs: number;
  readonly homingLogSigma: number;
}

export const DEFAULT_COMPOSITION_PARAMS: CompositionParams = {
  typingEpisodeMedianS: 40,
  typingEpisodeLogSigma: 0.8,
  mouseEpisodeMedianS: 30,
  mouseEpisodeLogSigma: 0.8,
  homingMedianMs: 400,
  homingLogSigma: 0.3,
};

export interface BehaviourParams {
  readonly schedule: ScheduleParams;
  readonly composition: CompositionParams;
  readonly typing: TypingModelParams;
  readonly mouse: MouseModelParams;
}

export const DEFAULT_BEHAVIOUR_PARAMS: BehaviourParams = {
  schedule: DEFAULT_SCHEDULE_PARAMS,
  composition: DEFAULT_COMPOSITION_PARAMS,
  typing: DEFAULT_TYPING_MODEL_PARAMS,
  mouse: DEFAULT_MOUSE_MODEL_PARAMS,
};
