/**
 * What a target protocol is: the one small interface every ingestion API
 * fleetsim can send to implements (fleetsim's own, plain HTTP, OTLP/HTTP, a
 * user's adapter module). A protocol turns a batch as the agent built it into
 * an HTTP request, and reads the answer as accepted, retryable or refused.
 * Load and run both drive targets through it, so latency, retries, Retry-After
 * and error rates mean the same for every target.
 *
 * Plain data in, plain data out: no sockets here. The sender (src/load) and
 * the agent's uploader (src/agent) own the connections.
 */
import { RunError } from '../errors.js';
import type { BatchInput, Codec } from '../wire/index.js';

/** A batch as the agent sealed it, with its decoded form on demand (protocols that re-encode need it). */
export interface OutgoingBatch {
  /** The agent's body: the encoded batch, compressed with `codec`. */
  readonly body: Uint8Array;
  readonly codec: Codec;
  readonly deviceId: string;
  readonly sequence: number;
  /** The batch decoded (header, controls, events); computed once when first asked for. */
  batch(): BatchInput;
  /** The employee behind the device, when the run knows it. */
  readonly employeeId?: string;
}

/** One HTTP request to the target. `path` is absolute (may carry a query). */
export interface TargetRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names; content-length is added by the sender. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The target's answer as far as a protocol may read it. */
export interface TargetAnswer {
  readonly status: number;
  readonly contentType: string | null;
  /** Parsed Retry-After, ms, when the target sent one. */
  readonly retryAfterMs: number | null;
  /** The first bytes of the body (at most ANSWER_BODY_MAX_BYTES; empty when the sender did not read it). */
  readonly body: Uint8Array;
}

/** Bytes of an answer's body a protocol gets to read; the sender stops reading after RESPONSE_MAX_BYTES. */
export const ANSWER_BODY_MAX_BYTES = 64 * 1024;

/** How a protocol reads an answer. */
export type AnswerVerdict =
  /**
   * Taken. rejectedRecords: of what it took, records the target says it
   * dropped for good (an OTLP partial success); sending them again would not help.
   */
  | { readonly kind: 'accepted'; readonly rejectedRecords?: number; readonly message?: string }
  /** Worth sending again, after retryAfterMs when the target said so. */
  | { readonly kind: 'retryable'; readonly reason: string; readonly retryAfterMs?: number }
  /** Sending it again would get the same answer. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The answer is not what the protocol can read: the target does not speak it (see describeAnswer). */
  | { readonly kind: 'unreadable'; readonly reason: string; readonly problem: string };

/**
 * A target protocol. `request` and `classify` must be pure and cheap: the load
 * sender calls `request` for every prepared body before the run starts and
 * `classify` for every answer.
 */
export interface TargetProtocol {
  /** Names the protocol in reports and errors (`fleetsim`, `http`, `otlp-http`, or the adapter's own). */
  readonly name: string;
  /** Whether classify needs the body of 2xx answers too (otherwise only refusals' bodies are read). */
  readonly readsAcceptedBody?: boolean;
  request(batch: OutgoingBatch): TargetRequest;
  classify(answer: TargetAnswer): AnswerVerdict;
}

/** Statuses worth retrying for protocols that follow HTTP's usual meaning (RFC 9110; the agent's default list). */
export const RETRYABLE_STATUSES: readonly number[] = [408, 429, 502, 503, 504];

/** The plain HTTP reading of a status: 2xx accepted, RETRYABLE_STATUSES retryable (with Retry-After), anything else refused. */
export function classifyByStatus(a: TargetAnswer, retryable: readonly number[] = RETRYABLE_STATUSES): AnswerVerdict {
  if (a.status >= 200 && a.status < 300) return { kind: 'accepted' };
  const reason = `HTTP_${a.status}`;
  if (retryable.includes(a.status))
    return { kind: 'retryable', reason, ...(a.retryAfterMs !== null ? { retryAfterMs: a.retryAfterMs } : {}) };
  if (a.status < 100 || a.status > 599)
    return { kind: 'unreadable', reason: 'BAD_STATUS', problem: `status ${a.status} is not an HTTP status` };
  return { kind: 'refused', reason };
}

/**
 * The request and answer in words, for a person reading an error: the target,
 * the request line, the status, the content type and the first bytes (control
 * characters escaped, so binary garbage cannot mess up a terminal).
 */
export function describeAnswer(
  targetOrigin: string,
  req: { readonly method: string; readonly path: string },
  answer: Pick<TargetAnswer, 'status' | 'contentType' | 'body'>,
): string {
  return `${req.method} ${targetOrigin}${req.path} was answered ${answer.status} (content-type ${answer.contentType ?? 'none'}, ${answer.body.byteLength === 0 ? 'no body' : `body begins ${firstBytes(answer.body)}`})`;
}

/** Up to 120 bytes as a JSON string literal with non-printable bytes escaped. */
export function firstBytes(b: Uint8Array, max = 120): string {
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, max)).toString('latin1');
  const printable = s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${printable.replace(/"/g, '\\"')}"${b.byteLength > max ? ` … (${b.byteLength} bytes read)` : ''}`;
}

/** A target that answered what its protocol cannot read. */
export class TargetAnswerError extends RunError {
  constructor(
    readonly protocol: string,
    message: string,
  ) {
    super('IO', message);
  }
}
