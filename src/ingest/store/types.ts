/**
 * What the ingest service needs from a store. SQLite (embedded default) and
 * PostgreSQL (scale) implement it; the same tests run against both.
 *
 * One row per batch, not per event: the payload blob plus the indexed fields
 * a query needs (device, sequence, batch id, capture window, counts). The
 * payload is what the agent sent (compressed bytes, codec named beside them)
 * when every event was accepted, so the hot path never re-encodes; when the
 * service refused some events (pause windows) it is the re-encoded batch
 * without them, uncompressed (`identity`). Either way decodeBatch(decompress(
 * payload_codec, payload)) gives exactly the stored events.
 */
import type { Codec } from '../../wire/index.js';

export interface BatchRow {
  readonly deviceId: string;
  readonly sequence: number;
  /** 16 bytes. */
  readonly batchId: Uint8Array;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Events stored (after server-side refusals). */
  readonly eventCount: number;
  readonly refusedPaused: number;
  readonly refusedExempt: number;
  readonly receivedMs: number;
  readonly agentVersion: string;
  readonly payloadCodec: Codec;
  readonly payload: Uint8Array;
}

/**
 * stored: new; duplicate: the same batch id was already stored for this (device, sequence); conflict: the sequence or
 * batch id is taken by another batch; revoked: the device is revoked, or no longer at the key generation the upload was
 * authenticated under (only when the caller names one), so nothing was stored.
 */
export type InsertResult = 'stored' | 'duplicate' | 'conflict' | 'revoked';

export interface DeviceRecord {
  readonly deviceId: string;
  readonly enrolledMs: number;
  readonly revokedMs: number | null;
  /** Bumped when a revoked device is reinstated (its key is dropped then, and it enrolls again for a new one). */
  readonly keyGeneration: number;
  /** IANA timezone given at enrollment (for the capture-hours rule), or null when unknown. */
  readonly timezone: string | null;
  /**
   * The device key enrollment drew (32 random bytes), or null: reinstated and not enrolled again, or enrolled in a
   * store written before keys were stored. A device without a key authenticates nothing until it enrolls.
   */
  readonly key: Uint8Array | null;
}

export interface PauseRecord {
  readonly deviceId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly endedBy: 'auto-resume' | 'resume';
}

export interface ExemptionRecord {
  readonly deviceId: string;
  readonly fromMs: number;
  /** null: open-ended. */
  readonly untilMs: number | null;
}

/** A run of missing sequence numbers of one device, both ends inclusive. */
export interface SequenceGap {
  readonly deviceId: string;
  readonly fromSequence: number;
  readonly toSequence: number;
}

export interface StoreTotals {
  readonly batches: number;
  readonly events: number;
  readonly refusedPaused: number;
}

export interface BatchStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Resolves once the transaction holding the row has committed (never before). With `keyGeneration` (the device's
   * generation when the upload's signature was checked) the row is stored only if, inside that transaction, the
   * device is enrolled, not revoked and still at that generation; a revoke or reinstate that answered first wins.
   */
  insertBatch(row: BatchRow, keyGeneration?: number): Promise<InsertResult>;
  /** Writes waiting for their transaction. */
  queueDepth(): number;

  loadDevices(): Promise<DeviceRecord[]>;
  /** Records an enrollment; an existing record keeps its enrollment time, and takes the timezone and the key when given. */
  enrollDevice(deviceId: string, atMs: number, timezone?: string, key?: Uint8Array): Promise<void>;
  revokeDevice(deviceId: string, atMs: number): Promise<void>;
  /** Clears a revocation and the device's key, and sets its key generation (the caller's previous one + 1). */
  reinstateDevice(deviceId: string, keyGeneration: number): Promise<void>;

  loadPauses(): Promise<PauseRecord[]>;
  /** Inserts a window, or changes the end of the device's window that starts at startMs. */
  upsertPause(p: PauseRecord): Promise<void>;
  loadExemptions(): Promise<ExemptionRecord[]>;
  /** Sets (or with null clears) a device's exemption. */
  setExemption(deviceId: string, e: ExemptionRecord | null): Promise<void>;

  /** Missing sequence numbers per device (before the first stored one, and between stored ones). */
  sequenceGaps(deviceId?: string): Promise<SequenceGap[]>;
  /** Stored rows in (device, sequence) order; for audits and tests, not for the hot path. */
  listBatches(deviceId?: string): Promise<BatchRow[]>;
  totals(): Promise<StoreTotals>;
  /**
   * Resolves if the store can take writes now, rejects saying why not (GET /readyz, through readiness.ts, which
   * bounds how often it is called). Cheap: no table is read. A store without it is taken as ready while started.
   */
  ping?(): Promise<void>;
  /** Waits for pending writes to commit, then closes. */
  close(): Promise<void>;
}

/** Observes each store transaction, for the store write latency metric. */
export type StoreWriteObserver = (seconds: number, rows: number) => void;
