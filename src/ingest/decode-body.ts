/**
 * The CPU-heavy middle of an upload: inflate the body (with the inflated-size
 * cap enforced while inflating) and decode the batch (with the service's event
 * limit). Pure: the same function runs in the service's thread or on a decode
 * worker (decode-pool.ts). Throws WireError.
 */
import { decodeBatch, decompress, type Codec, type DecodedBatch } from '../wire/index.js';

export interface DecodeBodyLimits {
  /** Bytes after decompression. */
  readonly maxDecodedBytes: number;
  /** Events in one batch. */
  readonly maxEvents: number;
}

export interface DecodedBody {
  readonly batch: DecodedBatch;
  /** Bytes the body inflated to (the service's metric of inflated bytes). */
  readonly inflatedBytes: number;
}

export function decodeBody(codec: Codec, body: Uint8Array, limits: DecodeBodyLimits): DecodedBody {
  const raw = decompress(codec, body, { maxOutputBytes: limits.maxDecodedBytes });
  return { batch: decodeBatch(raw, { maxEvents: limits.maxEvents }), inflatedBytes: raw.byteLength };
}
