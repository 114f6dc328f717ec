/**
 * The mouse model: aimed movements under Fitts' law with bell-shaped, gently
 * curved trajectories and corrective submovements, sampled at the device rate;
 * clicks, double clicks, drags and scroll bursts; whole pointing episodes at the
 * employee's per-active-hour rates. Constants and their sources: params.ts.
 */
export { DEFAULT_MOUSE_MODEL_PARAMS, type MouseModelParams } from './params.js';
export { createPointer, type Pointer } from './pointer.js';
export { correctionProbability, indexOfDifficulty, type PointTarget } from './aimed-move.js';
export { pointAndClick } from './point-and-click.js';
export { mouseEpisode } from './mouse-episode.js';
export { chooseFieldTarget } from './targets.js';
