/**
 * The fleetsim wire protocol's names, in one place: the media type of a batch,
 * the service's paths and the headers a device request carries. The agent, the
 * ingest service, the load generator, verify and the benches import them from
 * here, so a rename is one edit and a client and the service cannot disagree.
 */

/** The media type of an upload body (a compressed batch, src/wire). */
export const BATCH_CONTENT_TYPE = 'application/vnd.fleetsim.batch+protobuf';
/** What the service also accepts as a batch (generic clients label protobuf bodies these ways). */
export const BATCH_CONTENT_TYPES: readonly string[] = [BATCH_CONTENT_TYPE, 'application/x-protobuf', 'application/octet-stream'];

export const BATCHES_PATH = '/v1/batches';
export const ENROLL_PATH = '/v1/enroll';
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

/** The per-device endpoints under /v1/devices/<id>/: the device's own (signed) and the admin's. */
export const DEVICE_ACTIONS = ['pause', 'resume', 'policy', 'exemption', 'revoke', 'reinstate', 'gaps'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];

/** The path of a per-device endpoint; the id is percent-encoded, as the service decodes it. */
export function devicePath(deviceId: string, action: DeviceAction): string {
  return `/v1/devices/${encodeURIComponent(deviceId)}/${action}`;
}

/** The device id a signed request claims. */
export const DEVICE_HEADER = 'x-fleetsim-device';
/** UTC epoch ms when the request was signed. */
export const TIMESTAMP_HEADER = 'x-fleetsim-timestamp';
/** Hex HMAC-SHA256 of the canonical request (src/auth/signer.ts). */
export const SIGNATURE_HEADER = 'x-fleetsim-signature';
/**
 * The same signature in one header, the form the agent sends:
 * `authorization: Device <timestamp ms> <base64url HMAC-SHA256, 43 chars> <device id>`.
 * It signs the same canonical request as the three headers above, in 64-67 fewer
 * bytes per request (one header name instead of three, 43 characters of MAC
 * instead of 64): on a laptop's ~16 uploads a day that is ~1 KB, 1.7 % of what
 * the default agent sends. The device id goes last because it may hold spaces.
 */
export const DEVICE_AUTH_SCHEME = 'Device';
/**
 * The batch's sequence number, for transports that file batches by it (a corpus, a
 * foreign target). Informational: the body is authoritative, the service does not
 * read it, and HttpTransport does not send it.
 */
export const SEQUENCE_HEADER = 'x-fleetsim-sequence';
/** Enrollment (POST /v1/enroll, and nothing else): `authorization: Fleet <fleet secret>`. */
export const FLEET_AUTH_SCHEME = 'Fleet';
/** `authorization: Admin <admin secret>`: revoke, reinstate, exemptions, gaps. */
export const ADMIN_AUTH_SCHEME = 'Admin';

/**
 * Why a device id can never authenticate, or null when it can. It travels in
 * an HTTP header (DEVICE_HEADER), which carries Latin-1 text without control
 * characters and loses edge whitespace: an id outside that would enroll and
 * then fail every signature check.
 */
export function deviceIdProblem(id: string): string | null {
  if (id.length === 0 || Buffer.byteLength(id, 'utf8') > 128) return 'must be 1 to 128 bytes of UTF-8';
  if (!/^[\x20-\x7e\xa0-\xff]+$/.test(id))
    return 'may hold only printable Latin-1 characters (no control characters, nothing beyond U+00FF), as an HTTP header carries it';
  if (/^[ \xa0]|[ \xa0]$/.test(id)) return 'must not begin or end with whitespace (HTTP strips it from a header)';
  return null;
}
