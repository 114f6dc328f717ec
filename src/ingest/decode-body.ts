/**
 * The CPU-heavy middle of an upload: inflate the body (with the inflated-size
 * cap enforced while inflating) and check the batch (with the service's event
 * limit), every rule decodeBatch enforces, keeping what policy needs: header,
 * controls, event times (scanBatch). The service stores the body as received,
 * so the other columns are checked, not kept. Pure, and it never throws: the same function runs in the service's
 * thread or on a decode worker (decode-pool.ts), and a failure carries how far
 * the body got (its inflated size counts in the metrics even when the batch
 * inside is malformed).
 */
import { decompress, scanBatch, type Codec, type ScannedBatch } from '../wire/index.js';

export interface DecodeBodyLimits {
  /** Bytes after decompression. */
  readonly maxDecodedBytes: number;
  /** Events in one batch. */
  readonly maxEvents: number;
}

export type DecodedBody =
  | { readonly ok: true; readonly batch: ScannedBatch; readonly inflatedBytes: number }
  /** error: a WireError for a bad body; inflatedBytes 0 when inflating itself failed. */
  | { readonly ok: false; readonly error: unknown; readonly inflatedBytes: number };

export function decodeBody(codec: Codec, body: Uint8Array, limits: DecodeBodyLimits): DecodedBody {
  let raw: Uint8Array;
  try {
    raw = decompress(codec, body, { maxOutputBytes: limits.maxDecodedBytes });
  } catch (error) {
    return { ok: false, error, inflatedBytes: 0 };
  }
  try {
    return { ok: true, batch: scanBatch(raw, { maxEvents: limits.maxEvents }), inflatedBytes: raw.byteLength };
  } catch (error) {
    return { ok: false, error, inflatedBytes: raw.byteLength };
  }
}
