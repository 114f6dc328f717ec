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
      const raw = encoder.encodeOtlpLogs(b.batch(), { encoding: o.encoding, ...(b.employeeId !== undefined ? { employeeId: b.employeeId } : {}) });
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
    const problem = a.status === 200 ? otlpResponseProblem(a.body, a.contentType, encoding) : null;
    return problem === null ? { kind: 'accepted' } : { kind: 'unreadable', reason: 'OTLP_BAD_RESPONSE', problem };
  }
  const reason = `HTTP_${a.status}`;
  if (OTLP_RETRYABLE_STATUSES.includes(a.status)) return { kind: 'retryable', reason, ...(a.retryAfterMs !== null ? { retryAfterMs: a.retryAfterMs } : {}) };
  return { kind: 'refused', reason };
}

/**
 * Why a 200's body is not an ExportLogsServiceResponse, or null. An empty body
 * is the empty message (valid in both encodings' practice); JSON must be an
 * object; protobuf must be well-formed wire format whose fields are those of
 * a message (1: partial_success, a length-delimited message).
 */
export function otlpResponseProblem(body: Uint8Array, contentType: string | null, encoding: OtlpEncoding): string | null {
  if (body.byteLength === 0) return null;
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (encoding === 'json' || ct === 'application/json') {
    try {
      const v: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'the 200 answer is JSON but not an object (an ExportLogsServiceResponse)';
    } catch {
      return 'the 200 answer is not JSON (an ExportLogsServiceResponse was expected)';
    }
  }
  return protobufProblem(body);
}

/** Walks protobuf wire format (unknown fields are allowed, as proto3 readers must; field 1 is partial_success, a message). */
function protobufProblem(b: Uint8Array): string | null {
  let i = 0;
  const varint = (): number | null => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (i >= b.length) return null;
      const c = b[i++]!;
      v += (c & 0x7f) * 2 ** shift;
      if ((c & 0x80) === 0) return v;
    }
    return null;
  };
  while (i < b.length) {
    const key = varint();
    if (key === null) return 'the 200 answer is not protobuf (a field key runs off the end)';
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) return 'the 200 answer is not protobuf (field number 0)';
    if (wire === 0) {
      if (varint() === null) return 'the 200 answer is not protobuf (a varint runs off the end)';
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const n = varint();
      if (n === null || i + n > b.length) return 'the 200 answer is not protobuf (a length runs past the end)';
      i += n;
    } else return `the 200 answer is not protobuf (wire type ${wire})`;
    if (i > b.length) return 'the 200 answer is not protobuf (a field runs past the end)';
    if (field === 1 && wire !== 2) return `the 200 answer is not an ExportLogsServiceResponse (its field 1, partial_success, must be a message, got wire type ${wire})`;
  }
  return null;
}
