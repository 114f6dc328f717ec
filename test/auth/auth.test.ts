import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SKEW_MS, DEVICE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, createRequestSigner, deriveDeviceKey, fleetSecretMatches, parseSignedHeaders,
  verifySignature,
} from '../../src/auth/index.js';

const SECRET = 'fleet-secret-for-auth-tests';
const body = Buffer.from('a batch body');
const LINE = { method: 'POST', target: '/v1/batches' };

function parse(h: Record<string, string>, now: number) {
  return parseSignedHeaders(h[DEVICE_HEADER], h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now, DEFAULT_MAX_SKEW_MS);
}

describe('device authentication', () => {
  it('gives each device its own 32-byte key from the fleet secret, the same on every derivation', () => {
    const a = deriveDeviceKey(SECRET, 'laptop-a');
    expect(a).toHaveLength(32);
    expect(deriveDeviceKey(SECRET, 'laptop-a').equals(a)).toBe(true);
    expect(deriveDeviceKey(SECRET, 'laptop-b').equals(a)).toBe(false);
    expect(deriveDeviceKey('another-fleet-secret', 'laptop-a').equals(a)).toBe(false);
  });

  it('derives a different key for each key generation, generation 0 being the original key', () => {
    const a0 = deriveDeviceKey(SECRET, 'laptop-a');
    expect(deriveDeviceKey(SECRET, 'laptop-a', 0).equals(a0)).toBe(true);
    const a1 = deriveDeviceKey(SECRET, 'laptop-a', 1);
    expect(a1).toHaveLength(32);
    expect(a1.equals(a0)).toBe(false);
    expect(deriveDeviceKey(SECRET, 'laptop-a', 2).equals(a1)).toBe(false);
    // No device id of generation 0 spells another device's later generation.
    expect(deriveDeviceKey(SECRET, '\u0000\u0000\u0000\u0001laptop-a').equals(a1)).toBe(false);
    expect(() => deriveDeviceKey(SECRET, 'laptop-a', -1)).toThrow(RangeError);
    expect(() => deriveDeviceKey(SECRET, 'laptop-a', 1.5)).toThrow(RangeError);
  });

  it('verifies a signed request and refuses another body, device, key or time', () => {
    const key = deriveDeviceKey(SECRET, 'laptop-a');
    const now = 1_772_539_200_000;
    const h = createRequestSigner({ deviceId: 'laptop-a', key }, () => now)({ ...LINE, body });
    const p = parse(h, now);
    if ('failure' in p) throw new Error(p.message);
    expect(verifySignature(key, p, LINE, body)).toBe(true);
    expect(verifySignature(key, p, LINE, Buffer.from('a batch bodY'))).toBe(false);
    expect(verifySignature(deriveDeviceKey(SECRET, 'laptop-b'), p, LINE, body)).toBe(false);
    // The device id and the timestamp are inside the signature: changing either breaks it.
    const moved = parse({ ...h, [TIMESTAMP_HEADER]: String(now + 1) }, now);
    if ('failure' in moved) throw new Error(moved.message);
    expect(verifySignature(key, moved, LINE, body)).toBe(false);
    const other = parse({ ...h, [DEVICE_HEADER]: 'laptop-b' }, now);
    if ('failure' in other) throw new Error(other.message);
    expect(verifySignature(deriveDeviceKey(SECRET, 'laptop-b'), other, LINE, body)).toBe(false);
  });

  it('binds the method, the path and the query: a signature replayed to another request is refused', () => {
    const key = deriveDeviceKey(SECRET, 'laptop-a');
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
    const key = deriveDeviceKey(SECRET, 'laptop-a');
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
});
