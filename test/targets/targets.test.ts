import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestSigner, devicePath } from '../../src/auth/index.js';
import { RunError, UsageError } from '../../src/errors.js';
import { createIngestServer, type IngestServer } from '../../src/ingest/index.js';
import { connectHost, enrollDevices, isLoopbackHost, parseTarget } from '../../src/targets/index.js';

const SECRET = 'targets-test-fleet-secret-0123';

describe('the loopback rule', () => {
  it('accepts loopback targets only, unless --allow-remote', () => {
    for (const h of ['127.0.0.1', '127.3.4.5', 'localhost', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'example.com', '[::2]', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
    expect(() => parseTarget('http://10.1.2.3:8080', false)).toThrow(/--allow-remote/);
    expect(parseTarget('http://10.1.2.3:8080', true).loopback).toBe(false);
    expect(() => parseTarget('https://127.0.0.1', false)).toThrow(/http:\/\//);
    expect(() => parseTarget('nonsense', false)).toThrow(/--target/);
    expect(() => parseTarget('nonsense', false)).toThrow(UsageError);
  });
});

describe('the host to connect to', () => {
  it("is the URL's hostname without an IPv6 address's brackets", () => {
    expect(connectHost(new URL('http://[::1]:18085/x'))).toBe('::1');
    expect(connectHost(new URL('http://[0:0:0:0:0:0:0:1]:80'))).toBe('::1');
    expect(connectHost(new URL('http://127.0.0.1:8080'))).toBe('127.0.0.1');
    expect(connectHost(new URL('http://localhost:8080'))).toBe('localhost');
  });
});

// Against the reference ingest service on loopback: real enrollment, real keys.
describe('enrolling devices at a target', () => {
  let dir: string;
  let server: IngestServer;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleetsim-targets-'));
    server = createIngestServer({ store: `sqlite:${join(dir, 'ingest.db')}`, fleetSecret: SECRET, sqliteSync: 'normal' });
    url = (await server.start()).url;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns each device its own key, in the order of the ids, with more devices than the concurrency', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `targets-dev-${i}`);
    const keys = await enrollDevices(
      parseTarget(url, false),
      SECRET,
      ids,
      3,
      ids.map(() => 'Europe/Berlin'),
    );
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(ids.length);
    // Each key is the one the service stored for that id: it signs that device's policy request, and no other's.
    for (const [i, id] of ids.entries()) {
      expect(await policyStatus(url, id, keys[i]!)).toBe(200);
      expect(await policyStatus(url, id, keys[(i + 1) % ids.length]!)).toBe(401);
    }
  });

  it("sends each device's timezone: the service refuses one that is not an IANA zone", async () => {
    const enroll = enrollDevices(parseTarget(url, false), SECRET, ['targets-tz-0', 'targets-tz-1'], 16, ['UTC', 'Mars/Olympus_Mons']);
    await expect(enroll).rejects.toThrow(RunError);
    await expect(enroll).rejects.toThrow(/Mars\/Olympus_Mons.*is not an IANA timezone/);
  });

  it('a wrong fleet secret is a usage error naming --fleet-secret; an unreachable target an I/O error naming it', async () => {
    await expect(enrollDevices(parseTarget(url, false), 'not-the-secret-0123456789', ['targets-x'])).rejects.toThrow(
      /refused enrollment with the fleet secret \(401.*check --fleet-secret/,
    );
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const down = enrollDevices(parseTarget('http://127.0.0.1:1', false), SECRET, ['targets-y']);
    await expect(down).rejects.toThrow(RunError);
    await expect(down).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:1 to enroll devices: ECONNREFUSED/);
  });
});

/** The status of a device's signed GET of its own policy: 200 when the key is that device's. */
async function policyStatus(base: string, deviceId: string, key: Buffer): Promise<number> {
  const target = devicePath(deviceId, 'policy');
  const headers = createRequestSigner({ deviceId, key })({ method: 'GET', target, body: Buffer.alloc(0) });
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${target}`, { headers, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}
