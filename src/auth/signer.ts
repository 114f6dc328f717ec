/**
 * The one request signer: what a device signs, how, and how the service
 * checks it. The agent, the load generator, verify and the benches sign with
 * it; the ingest service verifies with it.
 *
 * A signature covers the canonical request, so it means one thing:
 *
 *   fleetsim-v2 \n METHOD \n path \n query \n device id \n timestamp ms \n hex SHA-256 of the body
 *
 * (path and query exactly as on the request line, split at the first "?").
 * A signature captured on one request cannot be replayed to another method or
 * path (a signed pause to resume, a GET's empty-body signature to a POST), nor
 * with another body, device or time. Fields are separated by newlines, which
 * none of them can contain (header values, request-line tokens, hex digits).
 * The timestamp bounds replays of the same request to the skew window, where
 * they are harmless: batches are idempotent.
 *
 * HMAC-SHA256 as RFC 2104 defines it, H((K ^ opad) || H((K ^ ipad) || m)),
 * with the padded keys computed once per key and two one-shot hashes per
 * request: the load generator signs tens of thousands of requests a second and
 * the service verifies every upload. crypto.hash() builds no Hash stream
 * object; with createHmac per request, or Hash.copy() of precomputed states,
 * the three objects a request needed cost more than the hashing (7.7-10.6
 * against 6.0-6.3 µs for a 4.5 KB body's digest and MAC, measured).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { DEVICE_AUTH_SCHEME, DEVICE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './protocol.js';

/** The first line of every canonical request: the signing scheme's version (v1 signed only device, time and body). */
export const SIGNATURE_VERSION = 'fleetsim-v2';

/** What a signature binds besides the device, the time and the body. */
export interface RequestLine {
  readonly method: string;
  /** The request target as sent: path, then "?" and the query if any. */
  readonly target: string;
}

/** SHA-256 of a body, hex: what the canonical request carries for it. */
export function bodyDigest(body: Uint8Array): string {
  return hash('sha256', body, 'hex');
}

export function canonicalRequest(line: RequestLine, deviceId: string, timestampMs: number, bodyDigestHex: string): string {
  const q = line.target.indexOf('?');
  const path = q < 0 ? line.target : line.target.slice(0, q);
  const query = q < 0 ? '' : line.target.slice(q + 1);
  return `${SIGNATURE_VERSION}\n${line.method.toUpperCase()}\n${path}\n${query}\n${deviceId}\n${timestampMs}\n${bodyDigestHex}`;
}

/** The parts of a signed request's headers, checked for form and skew before the body is read. */
export interface SignedHeaders {
  readonly deviceId: string;
  readonly timestampMs: number;
  readonly signature: Buffer;
}

/** SHA-256's block: the padded key fills one. */
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/** One device key's signer (and verifier), with its padded HMAC keys precomputed. */
export class RequestSigner {
  private readonly ipad = Buffer.alloc(BLOCK_BYTES, 0x36);
  /** K ^ opad, then room for the inner digest: the outer hash's whole input, reused (one thread uses a signer at a time). */
  private readonly outerInput = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES, 0x5c);

  constructor(key: Uint8Array) {
    let k = Buffer.from(key);
    if (k.byteLength > BLOCK_BYTES) k = createHash('sha256').update(k).digest();
    for (let i = 0; i < k.byteLength; i++) {
      this.ipad[i]! ^= k[i]!;
      this.outerInput[i]! ^= k[i]!;
    }
  }

  /** HMAC-SHA256 of a canonical request. */
  mac(canonical: string): Buffer {
    const innerInput = Buffer.allocUnsafe(BLOCK_BYTES + Buffer.byteLength(canonical, 'utf8'));
    this.ipad.copy(innerInput, 0);
    innerInput.write(canonical, BLOCK_BYTES, 'utf8');
    hash('sha256', innerInput, 'buffer').copy(this.outerInput, BLOCK_BYTES);
    return hash('sha256', this.outerInput, 'buffer');
  }

  /** The hex signature of a request; pass the body's digest when it is reused across requests (the load generator's bodies are). */
  sign(
    line: RequestLine,
    deviceId: string,
    timestampMs: number,
    body: Uint8Array,
    digestHex: string = bodyDigest(body),
    encoding: 'hex' | 'base64url' = 'hex',
  ): string {
    return this.mac(canonicalRequest(line, deviceId, timestampMs, digestHex)).toString(encoding);
  }

  /** Constant-time check of a request's signature. */
  verify(h: SignedHeaders, line: RequestLine, body: Uint8Array): boolean {
    const expected = this.mac(canonicalRequest(line, h.deviceId, h.timestampMs, bodyDigest(body)));
    return expected.length === h.signature.length && timingSafeEqual(expected, h.signature);
  }
}

/** How a request carries its signature: one `authorization: Device …` header, or the three x-fleetsim-* headers. */
export type SignatureForm = 'authorization' | 'headers';

/** A signed request's auth header(s): the three x-fleetsim-* headers, or (form 'authorization') the same signature in one. */
export function signedHeaders(
  signer: RequestSigner,
  deviceId: string,
  timestampMs: number,
  line: RequestLine,
  body: Uint8Array,
  digestHex?: string,
  form: SignatureForm = 'headers',
): Record<string, string> {
  if (form === 'authorization')
    return {
      authorization: `${DEVICE_AUTH_SCHEME} ${timestampMs} ${signer.sign(line, deviceId, timestampMs, body, digestHex, 'base64url')} ${deviceId}`,
    };
  return {
    [DEVICE_HEADER]: deviceId,
    [TIMESTAMP_HEADER]: String(timestampMs),
    [SIGNATURE_HEADER]: signer.sign(line, deviceId, timestampMs, body, digestHex),
  };
}
