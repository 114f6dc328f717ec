import type { EventOutput } from '../events/index.js';
import type { RandomStream } from '../random/index.js';

/**
 * What the day composer hands a behaviour model for one episode (a stretch of
 * typing or of pointing): where to write, which stream to draw from, and the
 * virtual time window it should fill.
 *
 * Models write events in non-decreasing t_ms order and return the time of the
 * last event they wrote (startMs if none). They may overrun endMs by the tail of
 * the action in progress (a key release, the end of a movement) but never start
 * a new action after endMs.
 */
export interface EpisodeWindow {
  readonly out: EventOutput;
  readonly rng: RandomStream;
  readonly startMs: number;
  readonly endMs: number;
}
