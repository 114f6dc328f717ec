import type { EventBlock } from '../events/index.js';

/** Who sent a batch, which one it is, and the time it covers. */
export interface BatchHeader {
  /** 16 random bytes chosen when the batch is sealed, kept across retries (idempotent uploads). */
  readonly batchId: Uint8Array;
  readonly deviceId: string;
  /** Per device, +1 per sealed batch: a gap is a lost batch. A safe integer >= 0. */
  readonly sequence: number;
  /** Capture window, UTC epoch ms, integers, both ends inclusive. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly agentVersion: string;
}

export type ControlKind = 'pause' | 'resume' | 'auto_resume' | 'exempt';

/** A policy marker the server needs to enforce the opt-out rules itself. */
export interface ControlRecord {
  readonly kind: ControlKind;
  /** UTC epoch ms, integer, inside the batch window. */
  readonly atMs: number;
  /** pause: latest resume (the cap); exempt: end of the exemption. Absent on resume and auto_resume. */
  readonly untilMs?: number;
}

export interface BatchInput {
  readonly header: BatchHeader;
  /** In non-decreasing atMs order. */
  readonly controls: readonly ControlRecord[];
  /** t_ms are UTC epoch ms here (fractional allowed; the wire keeps whole ms). */
  readonly events: EventBlock;
}

export interface DecodedBatch {
  header: BatchHeader;
  controls: ControlRecord[];
  /** Owns its memory: all columns are views over one ArrayBuffer. t_ms are whole epoch ms. */
  events: EventBlock;
}

/** A batch checked as decodeBatch checks it, of which only the header, controls and event times are kept. */
export interface ScannedBatch {
  header: BatchHeader;
  controls: ControlRecord[];
  /** One per event, in order: whole epoch ms. Its length is the event count, and its buffer its own (it may be transferred). */
  times: Float64Array;
}

/** What a decoder accepts; the ingest service may tighten any of them. */
export interface DecodeLimits {
  /** A batch is minutes of capture; 500k events is over an hour of 125 Hz mouse motion (~11 MB decoded). */
  readonly maxEvents: number;
  readonly maxControls: number;
  /** UTF-8 bytes. */
  readonly maxDeviceIdBytes: number;
  readonly maxAgentVersionBytes: number;
  /** Sane range for every time on the wire, UTC epoch ms. */
  readonly minEpochMs: number;
  readonly maxEpochMs: number;
  /** Longest capture window one batch may cover. */
  readonly maxWindowMs: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxEvents: 500_000,
  maxControls: 4096,
  maxDeviceIdBytes: 128,
  maxAgentVersionBytes: 64,
  minEpochMs: Date.UTC(2000, 0, 1),
  maxEpochMs: Date.UTC(2100, 0, 1),
  maxWindowMs: 24 * 3600 * 1000,
};

/** Bytes in a batch id. */
export const BATCH_ID_BYTES = 16;
