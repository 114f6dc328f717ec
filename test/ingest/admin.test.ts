/**
 * Fleet administration: revoking a device and reinstating it under a new key.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestServer } from '../../src/ingest/index.js';
import { FLEET_SECRET, T0, enroll, makeBatch, request, tempDir, upload } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function admin(url: string, path: string, secret = FLEET_SECRET) {
  return request(url, { path, headers: { authorization: `Fleet ${secret}` }, body: '{}' });
}

describe('revoking and reinstating a device', () => {
  it('re-admits a revoked device under a new key; the revoked key stays refused, also after a restart', async () => {
    const store = `sqlite:${join(tmp.dir, 'admin.db')}`;
    let server = createIngestServer({ store, fleetSecret: FLEET_SECRET, now: () => T0 });
    let { url } = await server.start();
    const old = await enroll(url, 'laptop-dave');
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 0 }).body, T0)).status).toBe(200);
    expect((await admin(url, '/v1/devices/laptop-dave/revoke')).status).toBe(200);
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 1 }).body, T0)).json.code).toBe('AUTH_REVOKED');
    const enrollRevoked = await request(url, { path: '/v1/enroll', headers: { authorization: `Fleet ${FLEET_SECRET}` }, body: '{"device_id":"laptop-dave"}' });
    expect(enrollRevoked.json.code).toBe('AUTH_REVOKED');
    expect(enrollRevoked.json.message).toMatch(/reinstate/);

    // Only the fleet may reinstate.
    const forbidden = await admin(url, '/v1/devices/laptop-dave/reinstate', 'not-the-fleet-secret-at-all');
    expect({ status: forbidden.status, code: forbidden.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_FLEET_SECRET' });
    const r = await admin(url, '/v1/devices/laptop-dave/reinstate');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ device_id: 'laptop-dave', reinstated: true, key_generation: 1 });

    // The revoked key (it may have leaked) is not accepted again; the laptop enrolls for its new one.
    const stale = await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 1 }).body, T0);
    expect({ status: stale.status, code: stale.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_SIGNATURE' });
    const fresh = await enroll(url, 'laptop-dave');
    expect(Buffer.from(fresh.key).equals(Buffer.from(old.key))).toBe(false);
    expect((await upload(url, fresh, makeBatch({ deviceId: fresh.deviceId, sequence: 1 }).body, T0)).json.status).toBe('stored');

    // Reinstating what is not revoked, or was never enrolled, says so.
    const again = await admin(url, '/v1/devices/laptop-dave/reinstate');
    expect({ status: again.status, code: again.json.code }).toEqual({ status: 409, code: 'INGEST_NOT_REVOKED' });
    const unknown = await admin(url, '/v1/devices/laptop-nobody/reinstate');
    expect({ status: unknown.status, code: unknown.json.code }).toEqual({ status: 404, code: 'INGEST_UNKNOWN_DEVICE' });
    const wrongMethod = await request(url, { method: 'GET', path: '/v1/devices/laptop-dave/reinstate', headers: { authorization: `Fleet ${FLEET_SECRET}` } });
    expect({ status: wrongMethod.status, allow: wrongMethod.headers.allow }).toEqual({ status: 405, allow: 'POST' });

    // The key generation is in the store: a restarted service accepts the new key and refuses the old.
    await server.stop();
    server = createIngestServer({ store, fleetSecret: FLEET_SECRET, now: () => T0 });
    ({ url } = await server.start());
    expect((await upload(url, fresh, makeBatch({ deviceId: fresh.deviceId, sequence: 2 }).body, T0)).json.status).toBe('stored');
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 3 }).body, T0)).json.code).toBe('AUTH_BAD_SIGNATURE');
    await server.stop();
  });
});
