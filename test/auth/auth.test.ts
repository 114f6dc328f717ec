import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SKEW_MS,
  DEVICE_AUTH_SCHEME,
  DEVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  adminSecretMatches,
  createRequestSigner,
  fleetSecretMatches,
  RequestSigner,
  bodyDigest,
  newDeviceKey,
  parseDeviceAuth,
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

  it('signs the same canonical request in one authorization header: base64url of the same MAC, verified alike', () => {
    const now = 1_772_539_200_000;
    const line = { method: 'POST', target: '/v1/batches' };
    const legacy = createRequestSigner({ deviceId: 'laptop a', key: KEY_A }, () => now)({ ...line, body });
    const compact = createRequestSigner({ deviceId: 'laptop a', key: KEY_A }, () => now, 'authorization')({ ...line, body });
    expect(Object.keys(compact)).toEqual(['authorization']);
    const sig = Buffer.from(legacy[SIGNATURE_HEADER]!, 'hex').toString('base64url');
    expect(sig).toHaveLength(43);
    // The device id goes last and keeps its spaces.
    expect(compact.authorization).toBe(`${DEVICE_AUTH_SCHEME} ${now} ${sig} laptop a`);
    const p = parseDeviceAuth(compact, now, DEFAULT_MAX_SKEW_MS);
    if ('failure' in p) throw new Error(p.message);
    expect(p).toEqual({ deviceId: 'laptop a', timestampMs: now, signature: Buffer.from(legacy[SIGNATURE_HEADER]!, 'hex') });
    expect(verifySignature(KEY_A, p, line, body)).toBe(true);
    expect(verifySignature(KEY_A, p, line, Buffer.from('a batch bodY'))).toBe(false);
    expect(verifySignature(KEY_B, p, line, body)).toBe(false);
    expect(verifySignature(KEY_A, p, { method: 'POST', target: '/v1/devices/laptop%20a/pause' }, body)).toBe(false);
    // Another device or time in the header is another canonical request.
    for (const changed of [
      compact.authorization!.replace('laptop a', 'laptop b'),
      compact.authorization!.replace(String(now), String(now + 1)),
    ]) {
      const q = parseDeviceAuth({ authorization: changed }, now, DEFAULT_MAX_SKEW_MS);
      if ('failure' in q) throw new Error(q.message);
      expect(verifySignature(KEY_A, q, line, body)).toBe(false);
    }
    // The three headers still parse to the same parts.
    const l = parseDeviceAuth(
      { device: legacy[DEVICE_HEADER], timestamp: legacy[TIMESTAMP_HEADER], signature: legacy[SIGNATURE_HEADER] },
      now,
      DEFAULT_MAX_SKEW_MS,
    );
    expect(l).toEqual(p);
    // The skew bound is the same in both forms.
    expect(parseDeviceAuth(compact, now + DEFAULT_MAX_SKEW_MS + 1, DEFAULT_MAX_SKEW_MS)).toMatchObject({ failure: 'AUTH_CLOCK_SKEW' });
    expect(parseDeviceAuth(compact, now - DEFAULT_MAX_SKEW_MS - 1, DEFAULT_MAX_SKEW_MS)).toMatchObject({ failure: 'AUTH_CLOCK_SKEW' });
  });

  it('refuses a malformed authorization header, one of the wrong length, and both forms on one request', () => {
    const now = 1_772_539_200_000;
    const sig = createRequestSigner(
      { deviceId: 'd', key: KEY_A },
      () => now,
      'authorization',
    )({ ...LINE, body }).authorization!.split(' ')[2]!;
    const hex = Buffer.from(sig, 'base64url').toString('hex');
    const bad = [
      `Device ${now} ${sig}`, // no device id
      `Device ${now} ${sig} `, // empty device id
      `Device ${now}  ${sig} d`,
      `Device soon ${sig} d`,
      `Device ${'9'.repeat(17)} ${sig} d`,
      `Device ${now} ${sig.slice(0, 42)} d`, // 42 characters
      `Device ${now} ${sig}A d`, // 44
      `Device ${now} ${hex} d`, // hex belongs to the three-header form
      `Device ${now} ${sig.slice(0, 42)}= d`, // padding
      `Device ${now} ${sig.slice(0, 20)}+${sig.slice(21)} d`, // base64, not base64url
      `Device ${now} ${sig.slice(0, 42)}B d`, // non-canonical: low bits of the last character set
      `Device ${now},${sig},d`,
      `Device`,
      `Device `,
    ];
    for (const authorization of bad) {
      const r = parseDeviceAuth({ authorization }, now, DEFAULT_MAX_SKEW_MS);
      expect(r, authorization).toMatchObject({ failure: 'AUTH_MISSING' });
    }
    expect((parseDeviceAuth({ authorization: bad[0] }, now, DEFAULT_MAX_SKEW_MS) as { message: string }).message).toMatch(
      /authorization must be "Device <UTC epoch ms> <HMAC-SHA256 as 43 base64url characters> <device id>"/,
    );
    // Another scheme is not this form: the three headers are read, and missing.
    expect(parseDeviceAuth({ authorization: `Bearer ${sig}` }, now, DEFAULT_MAX_SKEW_MS)).toMatchObject({ failure: 'AUTH_MISSING' });
    expect(parseDeviceAuth({ authorization: `device ${now} ${sig} d` }, now, DEFAULT_MAX_SKEW_MS)).toMatchObject({
      failure: 'AUTH_MISSING',
    });
    // Both forms, even naming the same device and time: refused.
    const legacy = createRequestSigner({ deviceId: 'd', key: KEY_A }, () => now)({ ...LINE, body });
    const good = `Device ${now} ${sig} d`;
    expect('failure' in parseDeviceAuth({ authorization: good }, now, DEFAULT_MAX_SKEW_MS)).toBe(false);
    for (const extra of [
      { device: 'd' },
      { timestamp: String(now) },
      { signature: legacy[SIGNATURE_HEADER] },
      { device: legacy[DEVICE_HEADER], timestamp: legacy[TIMESTAMP_HEADER], signature: legacy[SIGNATURE_HEADER] },
    ]) {
      const r = parseDeviceAuth({ authorization: good, ...extra }, now, DEFAULT_MAX_SKEW_MS);
      expect(r).toMatchObject({ failure: 'AUTH_MISSING' });
      expect((r as { message: string }).message).toMatch(/not both/);
    }
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
