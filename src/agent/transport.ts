/** What the uploader needs from the network: send one body, get one outcome. */
export interface UploadRequest {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

export type UploadOutcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      /** Parsed Retry-After, in ms, when the server sent one. */
      readonly retryAfterMs?: number;
      /** Machine-readable rejection code from the server's body (e.g. POLICY_EXEMPT). */
      readonly code?: string;
      /** Bytes on the wire for this exchange (request headers + body), for the bandwidth figure. */
      readonly requestBytes: number;
    }
  | { readonly kind: 'network-error'; readonly message: string; readonly requestBytes: number };

export interface Transport {
  send(req: UploadRequest): Promise<UploadOutcome>;
  close?(): Promise<void>;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
