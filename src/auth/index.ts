/**
 * Device authentication, shared by the agent (which signs) and the ingest
 * service (which verifies). Pure functions over node:crypto; no I/O.
 *
 * Three secrets, each good for one thing (README "Threat model"):
 * - the fleet secret (the enrollment credential) every laptop is installed
 *   with: `authorization: Fleet <secret>` on POST /v1/enroll, and nothing
 *   else. The service may accept the current one and previous ones, so it can
 *   be rotated while laptops still carry the old one;
 * - the device key: 32 random bytes (CSPRNG) the service draws when the device
 *   enrolls, hands to that device once, and stores. It derives from nothing,
 *   so neither the fleet secret nor another device's key tells anything about
 *   it, and rotating the fleet secret leaves enrolled devices as they are. An
 *   enrolled device cannot enroll again (its key is never handed out twice);
 *   after an admin revokes and reinstates it, its next enrollment draws a new
 *   key, so a revoked (perhaps leaked) key is never accepted again;
 * - the admin secret: `authorization: Admin <secret>` on revoke, reinstate,
 *   exemptions and gaps.
 *
 * Requests: every device request carries its signature in one of two forms,
 * never both (a request with both is refused, not read either way):
 *   authorization: Device <timestamp ms> <signature> <device id>
 *     signature: base64url (no padding, 43 characters) HMAC-SHA256(device key,
 *     canonical request) (./signer.ts); what the agent sends;
 *   or three headers, as agents sent before:
 *   x-fleetsim-device     the device id
 *   x-fleetsim-timestamp  UTC epoch ms when it was signed
 *   x-fleetsim-signature  hex HMAC-SHA256(device key, canonical request)
 * Both sign the same canonical request with the same key and are checked alike.
 * The service refuses a timestamp further than the skew bound from its own
 * clock, so a captured request cannot be replayed later; within the bound a
 * replay is harmless because batches are idempotent.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMIN_AUTH_SCHEME, DEVICE_AUTH_SCHEME, DEVICE_HEADER, FLEET_AUTH_SCHEME, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './protocol.js';
import { RequestSigner, signedHeaders, type RequestLine, type SignatureForm, type SignedHeaders } from './signer.js';

export * from './protocol.js';
export * from './signer.js';

export const DEVICE_KEY_BYTES = 32;
/** Default bound on |server clock − signature timestamp|: NTP-synced laptops are within seconds; 5 min leaves room for a bad clock. */
export const DEFAULT_MAX_SKEW_MS = 300_000;
/** Shortest fleet or admin secret the service accepts: a secret a person could guess is no secret. */
export const MIN_SECRET_CHARS = 16;

/**
 * A new device key. From the operating system's CSPRNG, never from the seeded
 * simulation streams: a key is a credential, and keys never touch event data,
 * so simulated figures stay reproducible.
 */
export function newDeviceKey(): Buffer {
  return randomBytes(DEVICE_KEY_BYTES);
}

export interface DeviceCredentials {
  readonly deviceId: string;
  /** 32 bytes; hex in JSON. */
  readonly key: Uint8Array;
}

/** The signature of one request (hex). */
export function computeSignature(key: Uint8Array, line: RequestLine, deviceId: string, timestampMs: number, body: Uint8Array): string {
  return new RequestSigner(key).sign(line, deviceId, timestampMs, body);
}

/** What a client signs: the request line and the body it sends. */
export interface OutgoingRequest extends RequestLine {
  readonly body: Uint8Array;
}

/**
 * A device's request signer: `request → its auth header(s)`, with the key's
 * HMAC states computed once. HttpTransport's `sign` option takes it and
 * re-signs every attempt, so a retry hours after the batch was sealed still
 * carries a fresh timestamp. The agent signs in the one-header form; the
 * three-header form stays for clients that set the device header themselves.
 */
export function createRequestSigner(
  creds: DeviceCredentials,
  now: () => number = Date.now,
  form: SignatureForm = 'headers',
): (req: OutgoingRequest) => Record<string, string> {
  const signer = new RequestSigner(creds.key);
  return (req) => signedHeaders(signer, creds.deviceId, Math.floor(now()), req, req.body, undefined, form);
}

export type AuthFailure =
  /** A header is missing or not in its format. */
  | 'AUTH_MISSING'
  /** The timestamp is further from the server clock than the bound. */
  | 'AUTH_CLOCK_SKEW'
  /** The signature does not match the body and the device's key. */
  | 'AUTH_BAD_SIGNATURE';

const HEX_64 = /^[0-9a-f]{64}$/;
/** Timestamp, 43 base64url characters (32 bytes), then the device id (the rest, spaces included). */
const DEVICE_AUTH = /^(\d{1,16}) ([A-Za-z0-9_-]{43}) (.+)$/s;

/** A device request's authentication headers as they arrived (node lower-cases names). */
export interface DeviceAuthHeaders {
  readonly authorization?: string | undefined;
  readonly device?: string | undefined;
  readonly timestamp?: string | undefined;
  readonly signature?: string | undefined;
}

/**
 * Reads either form of a device request's signature (see the top of this
 * file), checks its form and the skew bound, and returns the parts or why not.
 * A request carrying the one-header form and any of the three headers is
 * refused: which device and time it means would depend on which the reader
 * looked at first.
 */
export function parseDeviceAuth(
  h: DeviceAuthHeaders,
  nowMs: number,
  maxSkewMs: number,
): SignedHeaders | { failure: AuthFailure; message: string } {
  const prefix = `${DEVICE_AUTH_SCHEME} `;
  if (h.authorization === undefined || !h.authorization.startsWith(prefix)) {
    return parseSignedHeaders(h.device, h.timestamp, h.signature, nowMs, maxSkewMs);
  }
  if (h.device !== undefined || h.timestamp !== undefined || h.signature !== undefined) {
    return {
      failure: 'AUTH_MISSING',
      message: `a request signs with authorization: ${DEVICE_AUTH_SCHEME} … or with ${DEVICE_HEADER}, ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}, not both`,
    };
  }
  const m = DEVICE_AUTH.exec(h.authorization.slice(prefix.length));
  // One spelling per MAC: base64url's last character carries 4 bits of the 32 bytes, and its other 2 must be zero.
  if (m === null || Buffer.from(m[2]!, 'base64url').toString('base64url') !== m[2]) {
    return {
      failure: 'AUTH_MISSING',
      message: `authorization must be "${DEVICE_AUTH_SCHEME} <UTC epoch ms> <HMAC-SHA256 as 43 base64url characters> <device id>"`,
    };
  }
  return checkSkew(m[3]!, Number(m[1]), Buffer.from(m[2]!, 'base64url'), nowMs, maxSkewMs);
}

/** Checks the three-header form and the skew bound; returns the parts or why not. */
export function parseSignedHeaders(
  device: string | undefined,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
  maxSkewMs: number,
): SignedHeaders | { failure: AuthFailure; message: string } {
  if (!device || !timestamp || !signature) {
    return {
      failure: 'AUTH_MISSING',
      message: `requests must carry ${DEVICE_HEADER}, ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} (enroll at POST /v1/enroll for a device key)`,
    };
  }
  if (!/^\d{1,16}$/.test(timestamp))
    return {
      failure: 'AUTH_MISSING',
      message: `${TIMESTAMP_HEADER} must be UTC epoch milliseconds, got ${JSON.stringify(timestamp.slice(0, 40))}`,
    };
  if (!HEX_64.test(signature))
    return { failure: 'AUTH_MISSING', message: `${SIGNATURE_HEADER} must be 64 lowercase hex digits (HMAC-SHA256)` };
  return checkSkew(device, Number(timestamp), Buffer.from(signature, 'hex'), nowMs, maxSkewMs);
}

function checkSkew(
  deviceId: string,
  ts: number,
  signature: Buffer,
  nowMs: number,
  maxSkewMs: number,
): SignedHeaders | { failure: AuthFailure; message: string } {
  const skew = ts - nowMs;
  if (Math.abs(skew) > maxSkewMs) {
    return {
      failure: 'AUTH_CLOCK_SKEW',
      message: `request signed at ${new Date(ts).toISOString()} is ${Math.round(skew / 1000)} s from the server clock; at most ${maxSkewMs / 1000} s is allowed (check the laptop clock)`,
    };
  }
  return { deviceId, timestampMs: ts, signature };
}

/** Constant-time check of a request's signature. */
export function verifySignature(key: Uint8Array, h: SignedHeaders, line: RequestLine, body: Uint8Array): boolean {
  return new RequestSigner(key).verify(h, line, body);
}

/**
 * Whether `authorization: <scheme> <secret>` names one of the accepted
 * secrets. Every accepted secret is compared (constant time each), so the
 * time taken does not tell which one matched, or how much of one did.
 */
export function presentedSecretMatches(presented: string | undefined, scheme: string, accepted: readonly string[]): boolean {
  if (presented === undefined) return false;
  const prefix = `${scheme} `;
  if (!presented.startsWith(prefix)) return false;
  const a = createHmac('sha256', 'cmp').update(presented.slice(prefix.length)).digest();
  let match = false;
  for (const secret of accepted) {
    const b = createHmac('sha256', 'cmp').update(secret).digest();
    if (timingSafeEqual(a, b)) match = true;
  }
  return match;
}

/** Constant-time check of a presented fleet (enrollment) secret against the accepted ones. */
export function fleetSecretMatches(presented: string | undefined, accepted: string | readonly string[]): boolean {
  return presentedSecretMatches(presented, FLEET_AUTH_SCHEME, typeof accepted === 'string' ? [accepted] : accepted);
}

/** Constant-time check of a presented admin secret. */
export function adminSecretMatches(presented: string | undefined, adminSecret: string): boolean {
  return presentedSecretMatches(presented, ADMIN_AUTH_SCHEME, [adminSecret]);
}

/** The body of a successful enrollment (POST /v1/enroll). */
export interface EnrollmentResponse {
  readonly device_id: string;
  /** Hex, 64 digits. */
  readonly key: string;
}

export function credentialsFromEnrollment(r: EnrollmentResponse): DeviceCredentials {
  return { deviceId: r.device_id, key: Buffer.from(r.key, 'hex') };
}
