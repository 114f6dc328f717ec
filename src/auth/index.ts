/**
 * Device authentication, shared by the agent (which signs) and the ingest
 * service (which verifies). Pure functions over node:crypto; no I/O.
 *
 * Enrollment: a device presents the fleet secret once and receives its own
 * key, derived as HMAC-SHA256(fleet secret, "fleetsim/device-key/v1" ‖ device id).
 * Derivation (rather than a random key kept in a table) means the service
 * never stores device keys: a leaked database holds no credentials, and a
 * service restarted from an empty store still verifies enrolled laptops.
 * What the service does keep is which devices are enrolled and which are
 * revoked. A revoked device stays refused until an admin reinstates it; a
 * reinstated device gets the next key generation, whose key derives as
 * HMAC-SHA256(fleet secret, "fleetsim/device-key/v2" ‖ generation (uint32 BE) ‖ device id),
 * so the key that was revoked (perhaps because it leaked) is never accepted
 * again: the laptop enrolls once more for its new key.
 *
 * Requests: every device request carries
 *   x-fleetsim-device     the device id
 *   x-fleetsim-timestamp  UTC epoch ms when it was signed
 *   x-fleetsim-signature  hex HMAC-SHA256(device key, canonical request) (./signer.ts)
 * The service refuses a timestamp further than the skew bound from its own
 * clock, so a captured request cannot be replayed later; within the bound a
 * replay is harmless because batches are idempotent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEVICE_HEADER, FLEET_AUTH_SCHEME, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './protocol.js';
import { RequestSigner, signedHeaders, type RequestLine, type SignedHeaders } from './signer.js';

export * from './protocol.js';
export * from './signer.js';

const KEY_LABEL = 'fleetsim/device-key/v1\0';
/** Generations after the first: another label (no input of generation 0 can collide with them), then a fixed-width generation. */
const KEY_LABEL_GENERATION = 'fleetsim/device-key/v2\0';
export const DEVICE_KEY_BYTES = 32;
/** Default bound on |server clock − signature timestamp|: NTP-synced laptops are within seconds; 5 min leaves room for a bad clock. */
export const DEFAULT_MAX_SKEW_MS = 300_000;

/** A device's own key, as enrollment hands it out; generation 0 until the device is first reinstated after a revocation. */
export function deriveDeviceKey(fleetSecret: string | Uint8Array, deviceId: string, keyGeneration = 0): Buffer {
  if (!Number.isInteger(keyGeneration) || keyGeneration < 0 || keyGeneration > 0xffffffff) throw new RangeError(`key generation must be a uint32, got ${keyGeneration}`);
  if (keyGeneration === 0) return createHmac('sha256', fleetSecret).update(KEY_LABEL).update(deviceId, 'utf8').digest();
  const g = Buffer.alloc(4);
  g.writeUInt32BE(keyGeneration);
  return createHmac('sha256', fleetSecret).update(KEY_LABEL_GENERATION).update(g).update(deviceId, 'utf8').digest();
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
 * A device's request signer: `request → its three auth headers`, with the
 * key's HMAC states computed once. HttpTransport's `sign` option takes it and
 * re-signs every attempt, so a retry hours after the batch was sealed still
 * carries a fresh timestamp.
 */
export function createRequestSigner(creds: DeviceCredentials, now: () => number = Date.now): (req: OutgoingRequest) => Record<string, string> {
  const signer = new RequestSigner(creds.key);
  return (req) => signedHeaders(signer, creds.deviceId, Math.floor(now()), req, req.body);
}

export type AuthFailure =
  /** A header is missing or not in its format. */
  | 'AUTH_MISSING'
  /** The timestamp is further from the server clock than the bound. */
  | 'AUTH_CLOCK_SKEW'
  /** The signature does not match the body and the device's key. */
  | 'AUTH_BAD_SIGNATURE';

const HEX_64 = /^[0-9a-f]{64}$/;

/** Checks header form and the skew bound; returns the parts or why not. */
export function parseSignedHeaders(
  device: string | undefined,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
  maxSkewMs: number,
): SignedHeaders | { failure: AuthFailure; message: string } {
  if (!device || !timestamp || !signature) {
    return { failure: 'AUTH_MISSING', message: `requests must carry ${DEVICE_HEADER}, ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} (enroll at POST /v1/enroll for a device key)` };
  }
  if (!/^\d{1,16}$/.test(timestamp)) return { failure: 'AUTH_MISSING', message: `${TIMESTAMP_HEADER} must be UTC epoch milliseconds, got ${JSON.stringify(timestamp.slice(0, 40))}` };
  if (!HEX_64.test(signature)) return { failure: 'AUTH_MISSING', message: `${SIGNATURE_HEADER} must be 64 lowercase hex digits (HMAC-SHA256)` };
  const ts = Number(timestamp);
  const skew = ts - nowMs;
  if (Math.abs(skew) > maxSkewMs) {
    return {
      failure: 'AUTH_CLOCK_SKEW',
      message: `request signed at ${new Date(ts).toISOString()} is ${Math.round(skew / 1000)} s from the server clock; at most ${maxSkewMs / 1000} s is allowed (check the laptop clock)`,
    };
  }
  return { deviceId: device, timestampMs: ts, signature: Buffer.from(signature, 'hex') };
}

/** Constant-time check of a request's signature. */
export function verifySignature(key: Uint8Array, h: SignedHeaders, line: RequestLine, body: Uint8Array): boolean {
  return new RequestSigner(key).verify(h, line, body);
}

/** Constant-time comparison of a presented fleet secret. */
export function fleetSecretMatches(presented: string | undefined, fleetSecret: string): boolean {
  if (presented === undefined) return false;
  const prefix = `${FLEET_AUTH_SCHEME} `;
  if (!presented.startsWith(prefix)) return false;
  const a = createHmac('sha256', 'cmp').update(presented.slice(prefix.length)).digest();
  const b = createHmac('sha256', 'cmp').update(fleetSecret).digest();
  return timingSafeEqual(a, b);
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
