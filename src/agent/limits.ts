/**
 * What the agent's configuration allows, as plain data: the scenario schema
 * and the agent's settings file are both built from these (src/ranges.ts says
 * why). The codec's levels are CODEC_LEVELS (src/wire).
 */
import type { LengthRange, NumberRange } from '../ranges.js';
import type { AgentConfig } from './config.js';
import type { ContentFilterRules } from './content-filter.js';
import type { UploadConfig } from './uploader.js';

/** A list's length and the range of each of its items; `what` names the items in messages. */
export interface ListLimits<Item> {
  readonly length: LengthRange;
  readonly item: Item;
  readonly what: string;
}

/** agent.x11Capture: how an agent reading an X display takes its input (RECORD, or XInput2 raw events). */
export const X11_CAPTURE_METHODS = ['record', 'xi2'] as const satisfies readonly AgentConfig['x11Capture'][];

export const AGENT_VERSION_LENGTH: LengthRange = { min: 1, max: 100 };

export const AGENT_LIMITS = {
  batchMaxAgeMs: { min: 1_000, max: 3_600_000, whole: true },
  batchMaxEvents: { min: 1, max: 1_000_000, whole: true },
  movementGapMs: { min: 1, max: 60_000 },
  inputReadIntervalMs: { min: 0, max: 60_000, whole: true },
  sourceMoveRateHz: { min: 0, max: 1_000, whole: true },
} as const satisfies Partial<Record<keyof AgentConfig, NumberRange>>;

/** agent.coalesce: the number each mode takes. */
export const COALESCE_LIMITS = {
  maxRateHz: { min: 1, max: 1_000 },
  maxErrorPx: { min: 0, max: 100 },
} as const satisfies Record<string, NumberRange>;

export const CONTENT_FILTER_LIMITS = {
  extraSensitiveContexts: { length: { min: 0, max: 256 }, item: { min: 0, max: 255, whole: true }, what: 'context codes' },
  secretMinLength: { min: 4, max: 128, whole: true },
  cueWords: { length: { min: 0, max: 200 }, item: { min: 1, max: 40 }, what: 'words' },
} as const satisfies {
  readonly extraSensitiveContexts: ListLimits<NumberRange>;
  readonly secretMinLength: NumberRange;
  readonly cueWords: ListLimits<LengthRange>;
} & Partial<Record<keyof ContentFilterRules, unknown>>;

export const UPLOAD_LIMITS = {
  retryBaseMs: { min: 1, max: 3_600_000, whole: true },
  retryMaxMs: { min: 1, max: 86_400_000, whole: true },
  retryableStatuses: { length: { min: 0, max: 100 }, item: { min: 100, max: 599, whole: true }, what: 'HTTP statuses' },
  spoolMaxBytes: { min: 0, max: 16 * 1024 ** 3, whole: true },
} as const satisfies {
  readonly retryBaseMs: NumberRange;
  readonly retryMaxMs: NumberRange;
  readonly retryableStatuses: ListLimits<NumberRange>;
  readonly spoolMaxBytes: NumberRange;
} & Record<keyof UploadConfig, unknown>;

/** Pairs of upload fields where the first must not exceed the second. */
export const UPLOAD_ORDERED = [['retryBaseMs', 'retryMaxMs']] as const satisfies readonly (readonly [
  keyof UploadConfig,
  keyof UploadConfig,
])[];
