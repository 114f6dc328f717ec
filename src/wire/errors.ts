/**
 * Every way a batch or a compressed body can be refused, in one place (the
 * fastify lib/errors.js habit): a stable code the ingest service counts and
 * maps to an HTTP status, and a message a person can act on.
 *
 * WireError deliberately does not extend FleetsimError: its codes are not in
 * the project's FleetsimErrorCode union, and a bad upload is the client's
 * fault, not a CLI exit code.
 */

export type WireErrorCode =
  /** The message ends in the middle of a field (a cut-off upload). */
  | 'WIRE_TRUNCATED'
  /** The bytes are not a valid encoding: bad tag, wrong wire type, broken varint, bad UTF-8, a compressed stream that fails to inflate or is cut off, bytes after its end. */
  | 'WIRE_CORRUPT'
  /** A configured size limit is exceeded: inflated bytes, events, controls, string bytes. */
  | 'WIRE_TOO_LARGE'
  /** An integer does not fit the type it decodes into (a 33-bit sint32, a coordinate past Int32, a sequence past 2^53). */
  | 'WIRE_OVERFLOW'
  /** Well-formed protobuf that breaks the batch rules: column lengths, negative time deltas, times outside the window, unknown codes, missing fields. */
  | 'WIRE_INVALID'
  /** A codec this runtime does not have, or an option it does not take. */
  | 'WIRE_UNSUPPORTED';

/** The HTTP status the ingest service answers with for each code. */
export const WIRE_ERROR_HTTP_STATUS: Readonly<Record<WireErrorCode, number>> = {
  WIRE_TRUNCATED: 400,
  WIRE_CORRUPT: 400,
  WIRE_TOO_LARGE: 413,
  WIRE_OVERFLOW: 400,
  WIRE_INVALID: 400,
  WIRE_UNSUPPORTED: 415,
};

export class WireError extends Error {
  override readonly name = 'WireError';
  readonly httpStatus: number;
  constructor(
    readonly code: WireErrorCode,
    message: string,
    /** The .proto field (or codec) where the problem was found, for error counters. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.httpStatus = WIRE_ERROR_HTTP_STATUS[code];
  }
}
