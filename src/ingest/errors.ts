/**
 * Every way the ingest service refuses a request, in one place (the fastify
 * lib/errors.js habit): a stable code clients and dashboards key on, its HTTP
 * status, and a default message. Wire codes (WIRE_*) come from src/wire and
 * keep their own statuses; they are listed here too so one table answers
 * "what can this service say".
 *
 * Body of every refusal: { "code": "...", "message": "what was wrong, and what is allowed" }.
 * Retryable ones (429, 503) also carry Retry-After.
 */
import { WIRE_ERROR_HTTP_STATUS, WireError, type WireErrorCode } from '../wire/index.js';
import { BATCH_CONTENT_TYPE, type AuthFailure } from '../auth/index.js';

export const INGEST_ERRORS = {
  INGEST_NOT_FOUND: { status: 404, message: 'no such endpoint' },
  INGEST_METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this endpoint' },
  INGEST_HEADERS_TOO_LARGE: { status: 431, message: 'request headers are larger than the limit' },
  INGEST_BAD_REQUEST: { status: 400, message: 'the request could not be parsed as HTTP' },
  INGEST_BAD_PATH: { status: 400, message: 'the path is not valid percent-encoded UTF-8' },
  INGEST_BODY_TOO_LARGE: { status: 413, message: 'compressed body is larger than the limit' },
  INGEST_LENGTH_REQUIRED: { status: 411, message: 'uploads must send Content-Length' },
  INGEST_BODY_INCOMPLETE: { status: 400, message: 'the body ended before Content-Length bytes arrived' },
  INGEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: `Content-Type must be ${BATCH_CONTENT_TYPE}` },
  INGEST_TIMESTAMP_FUTURE: { status: 400, message: 'the batch window ends in the future' },
  INGEST_TIMESTAMP_TOO_OLD: { status: 400, message: 'the batch window is older than the service keeps' },
  INGEST_UNKNOWN_DEVICE: { status: 404, message: 'no device with this id was ever enrolled' },
  INGEST_NOT_REVOKED: { status: 409, message: 'the device is not revoked' },
  INGEST_SEQUENCE_CONFLICT: { status: 409, message: 'another batch with this sequence number is already stored for this device' },
  INGEST_BAD_DEVICE_ID: { status: 400, message: 'the device id can never authenticate (it travels in an HTTP header)' },
  INGEST_BAD_JSON: { status: 400, message: 'the JSON body is malformed or a field is out of range' },
  INGEST_RATE_LIMITED: { status: 429, message: 'this device sends faster than its rate limit' },
  INGEST_OVERLOADED: { status: 503, message: 'the service is at its concurrency limit' },
  INGEST_STARTING: { status: 503, message: 'the service is starting: its store is not open yet' },
  INGEST_SHUTTING_DOWN: { status: 503, message: 'the service is shutting down' },
  INGEST_STORE_FAILED: { status: 503, message: 'the store could not write the batch' },
  INGEST_STORE_UNAVAILABLE: { status: 503, message: 'not ready: the store cannot take writes' },
  INGEST_DECODER_FAILED: { status: 503, message: 'a decode worker failed while decoding the batch' },
  INGEST_REQUEST_TIMEOUT: { status: 408, message: 'the request body did not arrive in time' },
  INGEST_INTERNAL: { status: 500, message: 'internal error' },
  AUTH_MISSING: { status: 401, message: 'authentication headers are missing or malformed' },
  AUTH_CLOCK_SKEW: { status: 401, message: 'the request timestamp is too far from the server clock' },
  AUTH_BAD_SIGNATURE: { status: 401, message: 'the signature does not match the body and device key' },
  AUTH_UNKNOWN_DEVICE: { status: 401, message: 'this device is not enrolled' },
  AUTH_REVOKED: { status: 401, message: 'this device key has been revoked' },
  AUTH_BAD_FLEET_SECRET: { status: 401, message: 'the fleet secret is wrong or missing' },
  AUTH_BAD_ADMIN_SECRET: { status: 401, message: 'the admin secret is wrong or missing' },
  AUTH_ADMIN_DISABLED: { status: 403, message: 'admin routes are disabled: the service was started without an admin secret' },
  AUTH_ALREADY_ENROLLED: { status: 409, message: 'this device is already enrolled; its key is not handed out again' },
  AUTH_DEVICE_MISMATCH: { status: 403, message: 'a device may write only its own data' },
  POLICY_EXEMPT: { status: 403, message: 'the employee of this device is exempt from capture; stop capturing' },
  /** 409, not 403: a refused pause must not read as "stop capturing" to the agent. */
  POLICY_PAUSE_REFUSED: { status: 409, message: 'the pause is refused under the fleet policy (already paused, cooldown, daily limit)' },
  POLICY_NOT_PAUSED: { status: 409, message: 'no pause is open at that time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;
export type RefusalCode = IngestErrorCode | WireErrorCode;

/** Every refusal code with its HTTP status (wire codes included). */
export const REFUSAL_HTTP_STATUS: Readonly<Record<RefusalCode, number>> = {
  ...(Object.fromEntries(Object.entries(INGEST_ERRORS).map(([k, v]) => [k, v.status])) as Record<IngestErrorCode, number>),
  ...WIRE_ERROR_HTTP_STATUS,
};

export class IngestError extends Error {
  override readonly name = 'IngestError';
  readonly httpStatus: number;
  constructor(
    readonly code: RefusalCode,
    message?: string,
    /** Seconds, for 429/503. */
    readonly retryAfterS?: number,
  ) {
    super(message ?? (code in INGEST_ERRORS ? INGEST_ERRORS[code as IngestErrorCode].message : code));
    this.httpStatus = REFUSAL_HTTP_STATUS[code];
  }
}

export function authError(code: AuthFailure | 'AUTH_UNKNOWN_DEVICE' | 'AUTH_REVOKED', message: string): IngestError {
  return new IngestError(code, message);
}

/** A WireError (or anything the decoder threw) as a refusal. */
export function fromWireError(e: unknown): IngestError {
  if (e instanceof IngestError) return e;
  if (e instanceof WireError) return new IngestError(e.code, e.message);
  return new IngestError('INGEST_INTERNAL', (e as Error)?.message ?? String(e));
}
