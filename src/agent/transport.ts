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

/**
 * `send` resolves network failures as `network-error` outcomes. What it
 * throws is taken as broken code (a user's adapter, a bug) and stops the
 * uploader, except a system error such as ECONNREFUSED (isNetworkFailure),
 * which is retried like any network error.
 */
export interface Transport {
  send(req: UploadRequest): Promise<UploadOutcome>;
  close?(): Promise<void>;
}

/**
 * Whether an exception is the network failing rather than code: a system
 * error of a socket or a lookup (Node's `syscall`, an errno code such as
 * ECONNREFUSED or EAI_AGAIN), an undici socket error (UND_ERR_*), a timeout,
 * or an error caused by one of these (fetch's "fetch failed"). Node's own
 * ERR_* codes (ERR_INVALID_ARG_TYPE) are bugs, not the network.
 */
export function isNetworkFailure(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; syscall?: unknown; name?: unknown; cause?: unknown };
  if (typeof e.syscall === 'string') return true;
  if (typeof e.code === 'string' && /^(E(?!RR_)[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return true;
  if (e.name === 'TimeoutError') return true;
  return depth < 3 && isNetworkFailure(e.cause, depth + 1);
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
