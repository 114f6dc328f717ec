import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SKEW_MS,
  DEVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  adminSecretMatches,
  createRequestSigner,
  fleetSecretMatches,
  RequestSigner,
  bodyDigest,
  newDeviceKey,
  parseSignedHeaders,
  verifySignature,
} from '../../src/auth/index.js';

const SECRET = 'fleet-secret-for-auth-tests';
const body = Buffer.from('a batch body');
const LINE = { method: 'POST', target: '/v1/batches' };
const KEY_A = newDeviceKey();
const KEY_B = newDeviceKey();

function parse(h: Record<string, string>, now: number) {
  return parseSignedHeaders(h[DEVICE_HEADER], h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now, DEFAULT_MAX_SKEW_MS);
}

describe('device authentication', () => {
  it('signs with HMAC-SHA256 (RFC 2104) over the canonical request: the same MAC as node:crypto, for any key length', () => {
    // RFC 4231 test case 2: key "Jefe".
    expect(new RequestSigner(Buffer.from('Jefe')).mac('what do ya want for nothing?').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    for (const keyBytes of [1, 32, 63, 64, 65, 131]) {
      const key = randomBytes(keyBytes);
      const signer = new RequestSigner(key);
      for (const message of ['', 'fleetsim-v2\nPOST\n/v1/batches\n\nlaptop-1\n1\nabc', 'ü'.repeat(300)]) {
        // Twice: the signer reuses its buffers between requests.
        for (let i = 0; i < 2; i++) expect(signer.mac(message)).toEqual(createHmac('sha256', key).update(message, 'utf8').digest());
      }
    }
    const b = randomBytes(5000);
    expect(bodyDigest(b)).toBe(createHash('sha256').update(b).digest('hex'));
  });

  it('draws each device key at random: 32 bytes, a new one every time, derived from no secret', () => {
    const keys = Array.from({ length: 64 }, () => newDeviceKey().toString('hex'));
    expect(keys.every((k) => k.length === 64)).toBe(true);
    expect(new Set(keys).size).toBe(64);
  });

  it('verifies a signed request and refuses another body, device, key or time', () => {
    const key = KEY_A;
    const now = 1_772_539_200_000;
    const h = createRequestSigner({ deviceId: 'laptop-a', key }, () => now)({ ...LINE, body });
    const p = parse(h, now);
    if ('failure' in p) throw new Error(p.message);
    expect(verifySignature(key, p, LINE, body)).toBe(true);
    expect(verifySignature(key, p, LINE, Buffer.from('a batch bodY'))).toBe(false);
    expect(verifySignature(KEY_B, p, LINE, body)).toBe(false);
    // The device id and the timestamp are inside the signature: changing either breaks it.
    const moved = parse({ ...h, [TIMESTAMP_HEADER]: String(now + 1) }, now);
    if ('failure' in moved) throw new Error(moved.message);
    expect(verifySignature(key, moved, LINE, body)).toBe(false);
    const other = parse({ ...h, [DEVICE_HEADER]: 'laptop-b' }, now);
    if ('failure' in other) throw new Error(other.message);
    expect(verifySignature(KEY_B, other, LINE, body)).toBe(false);
  });

  it('binds the method, the path and the query: a signature replayed to another request is refused', () => {
    const key = KEY_A;
    const now = 1_772_539_200_000;
    const empty = Buffer.alloc(0);
    const line = { method: 'GET', target: '/v1/devices/laptop-a/policy' };
    const p = parse(createRequestSigner({ deviceId: 'laptop-a', key }, () => now)({ ...line, body: empty }), now);
    if ('failure' in p) throw new Error(p.message);
    expect(verifySignature(key, p, line, empty)).toBe(true);
    expect(verifySignature(key, p, { method: 'POST', target: '/v1/devices/laptop-a/policy' }, empty)).toBe(false);
    expect(verifySignature(key, p, { method: 'GET', target: '/v1/devices/laptop-a/resume' }, empty)).toBe(false);
    expect(verifySignature(key, p, { method: 'POST', target: '/v1/devices/laptop-a/resume' }, empty)).toBe(false);
    expect(verifySignature(key, p, { method: 'GET', target: '/v1/devices/laptop-a/policy?x=1' }, empty)).toBe(false);
    // The method's case is not a second spelling of the same request.
    expect(verifySignature(key, p, { method: 'get', target: '/v1/devices/laptop-a/policy' }, empty)).toBe(true);
  });

  it('bounds the clock skew both ways and says by how much it was off', () => {
    const key = KEY_A;
    const h = createRequestSigner({ deviceId: 'laptop-a', key }, () => 1_000_000_000_000)({ ...LINE, body });
    expect('failure' in parse(h, 1_000_000_000_000 + DEFAULT_MAX_SKEW_MS)).toBe(false);
    const late = parse(h, 1_000_000_000_000 + DEFAULT_MAX_SKEW_MS + 1);
    expect(late).toMatchObject({ failure: 'AUTH_CLOCK_SKEW' });
    expect((late as { message: string }).message).toMatch(/-300 s from the server clock/);
    expect(parse(h, 1_000_000_000_000 - DEFAULT_MAX_SKEW_MS - 1)).toMatchObject({ failure: 'AUTH_CLOCK_SKEW' });
  });

  it('refuses missing and malformed headers', () => {
    expect(parseSignedHeaders(undefined, '1', 'a'.repeat(64), 0, 1)).toMatchObject({ failure: 'AUTH_MISSING' });
    expect(parseSignedHeaders('d', 'soon', 'a'.repeat(64), 0, 1)).toMatchObject({ failure: 'AUTH_MISSING' });
    expect(parseSignedHeaders('d', '1', 'XYZ', 0, 1)).toMatchObject({ failure: 'AUTH_MISSING' });
  });

  it('checks the fleet secret in constant time and only with the Fleet scheme', () => {
    expect(fleetSecretMatches(`Fleet ${SECRET}`, SECRET)).toBe(true);
    expect(fleetSecretMatches(`Fleet ${SECRET}x`, SECRET)).toBe(false);
    expect(fleetSecretMatches(`Bearer ${SECRET}`, SECRET)).toBe(false);
    expect(fleetSecretMatches(undefined, SECRET)).toBe(false);
  });

  it('accepts the current and previous fleet secrets, and an admin secret only with the Admin scheme', () => {
    const old = 'previous-fleet-secret-0123';
    expect(fleetSecretMatches(`Fleet ${old}`, [SECRET, old])).toBe(true);
    expect(fleetSecretMatches(`Fleet ${SECRET}`, [SECRET, old])).toBe(true);
    expect(fleetSecretMatches(`Fleet ${old}`, [SECRET])).toBe(false);
    expect(fleetSecretMatches(`Fleet ${old}`, [])).toBe(false);
    const admin = 'admin-secret-for-auth-tests';
    expect(adminSecretMatches(`Admin ${admin}`, admin)).toBe(true);
    expect(adminSecretMatches(`Fleet ${admin}`, admin)).toBe(false);
    expect(adminSecretMatches(`Admin ${SECRET}`, admin)).toBe(false);
  });
});
