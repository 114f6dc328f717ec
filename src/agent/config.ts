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
}

/**
 * Defaults chosen by `npm run bench:agent` on simulated days: brotli over
 * 5-minute batches uploads within 1.3x of brotli-11 over the whole day's
 * columnar stream in one piece (60 s batches: 1.9x; the batch framing costs
 * that much), at a quarter of the wake-ups. Level 10 gives the bytes of level
 * 11 on these ~4 KB batches at half the CPU (≈ 3 ms a batch); levels 5–9 are
 * 10 % larger. Path coalescing at 2 px cuts bytes by about 45 %.
 */
export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  agentVersion: 'fleetsim-agent/0.1.0',
  batchMaxAgeMs: 300_000,
  batchMaxEvents: 50_000,
  coalesce: { mode: 'path', maxErrorPx: 2 },
  movementGapMs: 100,
  codec: 'br',
  compressionLevel: 10,
  contentFilter: DEFAULT_CONTENT_FILTER_RULES,
  upload: DEFAULT_UPLOAD_CONFIG,
};
