/**
 * Fleet administration: revoking a device and reinstating it under a new key.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestServer } from '../../src/ingest/index.js';
import { ADMIN_AUTH, ADMIN_SECRET, FLEET_SECRET, T0, enroll, makeBatch, request, tempDir, upload } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function admin(url: string, path: string, authorization = `Admin ${ADMIN_SECRET}`) {
  return request(url, { path, headers: { authorization }, body: '{}' });
}

describe('revoking and reinstating a device', () => {
  it('re-admits a revoked device under a new key; the revoked key stays refused, also after a restart', async () => {
    const store = `sqlite:${join(tmp.dir, 'admin.db')}`;
    let server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    let { url } = await server.start();
    const old = await enroll(url, 'laptop-dave');
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 0 }).body, T0)).status).toBe(200);
    expect((await admin(url, '/v1/devices/laptop-dave/revoke')).status).toBe(200);
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 1 }).body, T0)).json.code).toBe('AUTH_REVOKED');
    const enrollRevoked = await request(url, {
      path: '/v1/enroll',
      headers: { authorization: `Fleet ${FLEET_SECRET}` },
      body: '{"device_id":"laptop-dave"}',
    });
    expect(enrollRevoked.json.code).toBe('AUTH_REVOKED');
    expect(enrollRevoked.json.message).toMatch(/reinstate/);

    // Only the admin may reinstate: not a wrong secret, and not the fleet secret every laptop holds.
    const forbidden = await admin(url, '/v1/devices/laptop-dave/reinstate', 'Admin not-the-admin-secret-at-all');
    expect({ status: forbidden.status, code: forbidden.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_ADMIN_SECRET' });
    const asFleet = await admin(url, '/v1/devices/laptop-dave/reinstate', `Fleet ${FLEET_SECRET}`);
    expect({ status: asFleet.status, code: asFleet.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_ADMIN_SECRET' });
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
    const wrongMethod = await request(url, { method: 'GET', path: '/v1/devices/laptop-dave/reinstate', headers: { ...ADMIN_AUTH } });
    expect({ status: wrongMethod.status, allow: wrongMethod.headers.allow }).toEqual({ status: 405, allow: 'POST' });

    // The key generation is in the store: a restarted service accepts the new key and refuses the old.
    await server.stop();
    server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    ({ url } = await server.start());
    expect((await upload(url, fresh, makeBatch({ deviceId: fresh.deviceId, sequence: 2 }).body, T0)).json.status).toBe('stored');
    expect((await upload(url, old, makeBatch({ deviceId: old.deviceId, sequence: 3 }).body, T0)).json.code).toBe('AUTH_BAD_SIGNATURE');
    await server.stop();
  });
});

describe('three secrets, each good for one thing', () => {
  const NEW_FLEET = 'rotated-fleet-secret-0123456789';
  const fleetAuth = (secret: string) => ({ authorization: `Fleet ${secret}` });
  const enrollAs = (url: string, secret: string, id: string) =>
    request(url, { path: '/v1/enroll', headers: fleetAuth(secret), body: JSON.stringify({ device_id: id }) });

  it('the fleet secret enrolls a new device and nothing else: no enrolled device key, no admin route', async () => {
    const store = `sqlite:${join(tmp.dir, 'fleet-only.db')}`;
    const server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    const { url } = await server.start();
    try {
      const erin = await enroll(url, 'laptop-erin');
      // Enrolling the same id again does not hand out its key (nor a new one that would lock the laptop out).
      const again = await enrollAs(url, FLEET_SECRET, 'laptop-erin');
      expect({ status: again.status, code: again.json.code, key: again.json.key }).toEqual({
        status: 409,
        code: 'AUTH_ALREADY_ENROLLED',
        key: undefined,
      });
      expect((await upload(url, erin, makeBatch({ deviceId: erin.deviceId, sequence: 0 }).body, T0)).json.status).toBe('stored');
      // Every admin route refuses the fleet secret.
      for (const [method, path, body] of [
        ['POST', '/v1/devices/laptop-erin/revoke', '{}'],
        ['POST', '/v1/devices/laptop-erin/reinstate', '{}'],
        ['PUT', '/v1/devices/laptop-erin/exemption', '{"exempt":true}'],
        ['GET', '/v1/devices/laptop-erin/gaps', undefined],
      ] as const) {
        const r = await request(url, { method, path, headers: fleetAuth(FLEET_SECRET), ...(body ? { body } : {}) });
        expect({ path, status: r.status, code: r.json.code }).toEqual({ path, status: 401, code: 'AUTH_BAD_ADMIN_SECRET' });
      }
      // The device still uploads: nothing the fleet secret did touched it.
      expect((await upload(url, erin, makeBatch({ deviceId: erin.deviceId, sequence: 1 }).body, T0)).json.status).toBe('stored');
      // The key is not a function of the fleet secret and the id: a service with the same secret gives the same id another key.
      const other = createIngestServer({ store: `sqlite:${join(tmp.dir, 'fleet-only-2.db')}`, fleetSecret: FLEET_SECRET, now: () => T0 });
      const o = await other.start();
      const twin = await enroll(o.url, 'laptop-erin');
      await other.stop();
      expect(Buffer.from(twin.key).equals(Buffer.from(erin.key))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('rotating the fleet secret keeps enrolled devices working, across restarts, and retires the old secret when told', async () => {
    const store = `sqlite:${join(tmp.dir, 'rotation.db')}`;
    let server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    let { url } = await server.start();
    const frank = await enroll(url, 'laptop-frank');
    expect((await upload(url, frank, makeBatch({ deviceId: frank.deviceId, sequence: 0 }).body, T0)).json.status).toBe('stored');
    await server.stop();

    // The new secret, the old one still accepted: laptops installed with either enroll; frank's stored key still signs.
    server = createIngestServer({
      store,
      fleetSecret: NEW_FLEET,
      previousFleetSecrets: [FLEET_SECRET],
      adminSecret: ADMIN_SECRET,
      now: () => T0,
    });
    ({ url } = await server.start());
    expect((await upload(url, frank, makeBatch({ deviceId: frank.deviceId, sequence: 1 }).body, T0)).json.status).toBe('stored');
    expect((await enrollAs(url, FLEET_SECRET, 'laptop-gina')).status).toBe(200);
    expect((await enrollAs(url, NEW_FLEET, 'laptop-hank')).status).toBe(200);
    await server.stop();

    // The old secret retired: it enrolls nothing more; enrolled devices are untouched.
    server = createIngestServer({ store, fleetSecret: NEW_FLEET, adminSecret: ADMIN_SECRET, now: () => T0 });
    ({ url } = await server.start());
    const old = await enrollAs(url, FLEET_SECRET, 'laptop-ivan');
    expect({ status: old.status, code: old.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_FLEET_SECRET' });
    expect((await upload(url, frank, makeBatch({ deviceId: frank.deviceId, sequence: 2 }).body, T0)).json.status).toBe('stored');
    await server.stop();
  });

  it('revoke needs the admin secret; a service started without one refuses every admin route', async () => {
    const store = `sqlite:${join(tmp.dir, 'no-admin.db')}`;
    let server = createIngestServer({ store, fleetSecret: FLEET_SECRET, now: () => T0 });
    let { url } = await server.start();
    const jill = await enroll(url, 'laptop-jill');
    for (const auth of [`Admin ${ADMIN_SECRET}`, `Fleet ${FLEET_SECRET}`]) {
      const r = await admin(url, '/v1/devices/laptop-jill/revoke', auth);
      expect({ status: r.status, code: r.json.code }).toEqual({ status: 403, code: 'AUTH_ADMIN_DISABLED' });
    }
    expect((await upload(url, jill, makeBatch({ deviceId: jill.deviceId, sequence: 0 }).body, T0)).json.status).toBe('stored');
    await server.stop();

    server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    ({ url } = await server.start());
    const wrong = await admin(url, '/v1/devices/laptop-jill/revoke', 'Admin wrong-admin-secret-0123456');
    expect({ status: wrong.status, code: wrong.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_ADMIN_SECRET' });
    const missing = await request(url, { path: '/v1/devices/laptop-jill/revoke', body: '{}' });
    expect({ status: missing.status, code: missing.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_ADMIN_SECRET' });
    expect((await upload(url, jill, makeBatch({ deviceId: jill.deviceId, sequence: 1 }).body, T0)).json.status).toBe('stored');
    expect((await admin(url, '/v1/devices/laptop-jill/revoke')).status).toBe(200);
    expect((await upload(url, jill, makeBatch({ deviceId: jill.deviceId, sequence: 2 }).body, T0)).json.code).toBe('AUTH_REVOKED');
    await server.stop();
  });

  it('refuses an admin secret equal to a fleet secret, and short secrets', () => {
    const store = `sqlite:${join(tmp.dir, 'bad.db')}`;
    expect(() => createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: FLEET_SECRET })).toThrow(
      /adminSecret must differ from the fleet secret/,
    );
    expect(() =>
      createIngestServer({ store, fleetSecret: NEW_FLEET, previousFleetSecrets: [FLEET_SECRET], adminSecret: FLEET_SECRET }),
    ).toThrow(/must differ/);
    expect(() => createIngestServer({ store, fleetSecret: FLEET_SECRET, previousFleetSecrets: ['short'] })).toThrow(
      /previousFleetSecrets\[0\] must be at least 16 characters/,
    );
    expect(() => createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: 'short' })).toThrow(/adminSecret must be at least 16/);
  });
});
