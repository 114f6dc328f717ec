import type { Codec } from '../wire/index.js';
import type { CoalesceConfig } from './coalesce.js';
import { DEFAULT_CONTENT_FILTER_RULES, type ContentFilterRules } from './content-filter.js';
import { DEFAULT_UPLOAD_CONFIG, type UploadConfig } from './uploader.js';

/** The agent's configuration: what a fleet operator would set. */
export interface AgentConfig {
  readonly agentVersion: string;
  /** A batch is sealed this long after its first event (one wake-up), or earlier when full. */
  readonly batchMaxAgeMs: number;
  readonly batchMaxEvents: number;
  readonly coalesce: CoalesceConfig;
  /** A pause between two moves longer than this ends a movement (for path simplification). */
  readonly movementGapMs: number;
  readonly codec: Codec;
  /** Codec level; undefined for the codec's default in CODEC_LEVELS. */
  readonly compressionLevel?: number;
  readonly contentFilter: ContentFilterRules;
  readonly upload: UploadConfig;
  /**
   * An agent reading an OS input path (`fleetsim agent`): 0 reads each
   * delivery as it comes, one wake-up per event; N > 0 reads in batches, at
   * most one wake-up per N ms while input flows (src/input/read-pacing.ts).
   * No effect in virtual time, where input arrives in blocks.
   */
  readonly inputReadIntervalMs: number;
  /** How an agent on an X11 display captures input: RECORD, or XInput2 raw events. */
  readonly x11Capture: 'record' | 'xi2';
  /**
   * The laptop's OS or pointer driver reports motion at most this many times
   * a second (src/events/move-cap.ts): of the moves of one 1000/N ms
   * interval only the last reaches the agent; keys, clicks and wheel events
   * are never held back. 0: every move the hand makes is delivered. Process
   * runs cap the replay at the input path; virtual-time runs count only the
   * surviving moves in the energy model's delivery term.
   */
  readonly sourceMoveRateHz: number;
}

/**
 * Defaults chosen by `npm run bench:agent` on simulated days: brotli-5 over
 * 15-minute batches uploads within 1.25x of brotli-11 over the whole day's
 * columnar stream in one piece (wire format 2, headers included; format 1
 * read 1.31x), at about 2.7 ms of agent CPU per laptop-hour.
 * Over 5-minute batches only levels 10–11 stay within 1.3x, at ~95 ms of CPU
 * per laptop-day whatever the brotli window (their optimal parse is the cost),
 * which also caps `fleetsim run` near 700 employee-days a minute. Longer
 * batches halve the wake-ups and uploads too (the radio's wake per upload is
 * most of the agent's energy); the price is freshness: data reaches the
 * service up to 15 minutes after it was typed, which training data does not
 * need. Path coalescing at 2 px cuts bytes by about 45 %. Reading input in
 * batches (`npm run bench:delivery`, options table) cuts an agent process's
 * wake-ups per active minute about 8-fold and its battery figure about
 * 4-fold against a read per delivery, over the tap and X11 alike; a read
 * after 5 s costs about what one after 1 s does, so 5 s batches cut the
 * delivery part of the battery figure about 3-fold again (reads fall from
 * ~40 to ~12 per active minute). Events wait in the OS queue up to 5 s,
 * nothing next to a batch sealed every 15 minutes.
 */
export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  agentVersion: 'fleetsim-agent/0.1.0',
  batchMaxAgeMs: 900_000,
  batchMaxEvents: 50_000,
  coalesce: { mode: 'path', maxErrorPx: 2 },
  movementGapMs: 100,
  codec: 'br',
  compressionLevel: 5,
  contentFilter: DEFAULT_CONTENT_FILTER_RULES,
  upload: DEFAULT_UPLOAD_CONFIG,
  inputReadIntervalMs: 5000,
  x11Capture: 'record',
  sourceMoveRateHz: 0,
};
