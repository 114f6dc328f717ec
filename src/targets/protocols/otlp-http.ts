/**
 * OpenTelemetry OTLP/HTTP logs: every batch is one ExportLogsServiceRequest
 * (its events as log records, encoded by src/targets/otlp/encode.ts), POSTed
 * to /v1/logs as application/x-protobuf or application/json, gzip-compressed
 * or not. Answers follow the OTLP/HTTP specification
 * (opentelemetry.io/docs/specs/otlp/#otlphttp-response): 200 is success (its
 * body an ExportLogsServiceResponse, possibly reporting a partial success);
 * 429, 502, 503 and 504 are retryable, honouring Retry-After; 400 and every
 * other status are refused for good.
 */
import { gzipSync } from 'node:zlib';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { BatchInput } from '../../wire/index.js';
import { OTLP_LOGS_PATH, encodeOtlpLogs, otlpContentType, type OtlpEncoding } from '../otlp/encode.js';
import type { AnswerVerdict, OutgoingBatch, TargetAnswer, TargetProtocol, TargetRequest } from '../protocol.js';

export type { OtlpEncoding } from '../otlp/encode.js';

export interface OtlpProtocolOptions {
  readonly encoding: OtlpEncoding;
  readonly compression: 'gzip' | 'none';
  /** Absolute path; the standard one is /v1/logs. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The encoder (src/targets/otlp/encode.ts) as this protocol uses it. */
export interface OtlpEncoder {
  encodeOtlpLogs(batch: BatchInput, o: { encoding: OtlpEncoding; employeeId?: string }): Uint8Array;
  otlpContentType(encoding: OtlpEncoding): string;
  readonly OTLP_LOGS_PATH: string;
}

/** The standard OTLP/HTTP logs path. */
export const OTLP_DEFAULT_LOGS_PATH = OTLP_LOGS_PATH;
export const OTLP_RETRYABLE_STATUSES: readonly number[] = [429, 502, 503, 504];

const ENCODER: OtlpEncoder = { encodeOtlpLogs, otlpContentType, OTLP_LOGS_PATH };

/** The OTLP encoder (kept behind a promise so callers need not change if it is ever loaded lazily again). */
export function loadOtlpEncoder(): Promise<OtlpEncoder> {
  return Promise.resolve(ENCODER);
}

export function otlpHttpProtocol(o: OtlpProtocolOptions, encoder: OtlpEncoder): TargetProtocol {
  const contentType = encoder.otlpContentType(o.encoding);
  return {
    name: 'otlp-http',
    readsAcceptedBody: true,
    request(b: OutgoingBatch): TargetRequest {
      const raw = encoder.encodeOtlpLogs(b.batch(), {
        encoding: o.encoding,
        ...(b.employeeId !== undefined ? { employeeId: b.employeeId } : {}),
      });
      const headers: Record<string, string> = { ...o.headers, 'content-type': contentType };
      if (o.compression === 'gzip') headers['content-encoding'] = 'gzip';
      return { method: 'POST', path: o.path, headers, body: o.compression === 'gzip' ? gzipSync(raw) : raw };
    },
    classify: (a) => classifyOtlpAnswer(a, o.encoding),
  };
}

/** Reads an OTLP/HTTP answer: the status decides, and a 200's body must be an ExportLogsServiceResponse in the request's encoding. */
export function classifyOtlpAnswer(a: TargetAnswer, encoding: OtlpEncoding): AnswerVerdict {
  if (a.status === 200 || (a.status > 200 && a.status < 300)) {
    if (a.status !== 200) return { kind: 'accepted' };
    const read = readOtlpResponse(a.body, a.contentType, encoding);
    if (typeof read === 'string') return { kind: 'unreadable', reason: 'OTLP_BAD_RESPONSE', problem: read };
    // A partial success: the target took the request but dropped these records for good (the client must not retry them).
    return read.rejectedRecords > 0
      ? { kind: 'accepted', rejectedRecords: read.rejectedRecords, ...(read.message ? { message: read.message } : {}) }
      : { kind: 'accepted' };
  }
  const reason = `HTTP_${a.status}`;
  if (OTLP_RETRYABLE_STATUSES.includes(a.status))
    return { kind: 'retryable', reason, ...(a.retryAfterMs !== null ? { retryAfterMs: a.retryAfterMs } : {}) };
  return { kind: 'refused', reason };
}

/**
 * A 200's ExportLogsServiceResponse: the records it says it rejected, or why
 * the body is not one. An empty body is the empty message (valid in both
 * encodings' practice). Protobuf is read by @opentelemetry/otlp-transformer
 * (the SDK exporters' own reader); its JSON reader swallows what it cannot
 * parse, so JSON is parsed here and must be an object.
 */
export function readOtlpResponse(
  body: Uint8Array,
  contentType: string | null,
  encoding: OtlpEncoding,
): { rejectedRecords: number; message: string | null } | string {
  if (body.byteLength === 0) return { rejectedRecords: 0, message: null };
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let partial: { rejectedLogRecords?: unknown; errorMessage?: unknown } | undefined;
  if (encoding === 'json' || ct === 'application/json') {
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch {
      return 'the 200 answer is not JSON (an ExportLogsServiceResponse was expected)';
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return 'the 200 answer is JSON but not an object (an ExportLogsServiceResponse)';
    const p = (v as { partialSuccess?: unknown }).partialSuccess;
    if (p !== undefined && (typeof p !== 'object' || p === null)) return "the 200 answer's partialSuccess is not an object";
    partial = p as typeof partial;
  } else {
    try {
      partial = ProtobufLogsSerializer.deserializeResponse(body).partialSuccess;
    } catch (err) {
      return `the 200 answer is not an ExportLogsServiceResponse in protobuf (${(err as Error).message})`;
    }
  }
  // int64 travels as a JSON string or number; protobuf's reader gives a number.
  const n = Number(partial?.rejectedLogRecords ?? 0);
  if (!Number.isSafeInteger(n) || n < 0)
    return `the 200 answer's partial_success.rejected_log_records is not a count (${String(partial?.rejectedLogRecords)})`;
  const message = typeof partial?.errorMessage === 'string' && partial.errorMessage !== '' ? partial.errorMessage.slice(0, 200) : null;
  return { rejectedRecords: n, message };
}
