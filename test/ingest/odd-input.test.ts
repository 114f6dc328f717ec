/**
 * Admin and device policy requests whose values cannot mean what was asked are refused with a
 * code and a message naming the value, instead of a 200 that reads as done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestSigner, type DeviceCredentials } from '../../src/auth/index.js';
import { ADMIN_AUTH, T0, enroll, request, startServer } from './helpers.js';

function signed(creds: DeviceCredentials, path: string, json: unknown) {
  const body = Buffer.from(JSON.stringify(json));
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...createRequestSigner(creds, () => T0)({ method: 'POST', target: path, body }) },
    body,
  };
}

let srv: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv.stop());

describe('admin routes', () => {
  it('answer 404 INGEST_UNKNOWN_DEVICE for a device never enrolled, and change nothing', async () => {
    await enroll(srv.url, 'laptop-known');
    for (const [method, action, body] of [
      ['POST', 'revoke', '{}'],
      ['PUT', 'exemption', '{"exempt":true}'],
      ['GET', 'gaps', undefined],
      ['POST', 'reinstate', '{}'],
    ] as const) {
      const r = await request(srv.url, {
        method,
        path: `/v1/devices/laptop-knwon/${action}`,
        headers: { ...ADMIN_AUTH },
        ...(body ? { body } : {}),
      });
      expect({ action, status: r.status, code: r.json.code }).toEqual({ action, status: 404, code: 'INGEST_UNKNOWN_DEVICE' });
      expect(r.json.message).toContain('"laptop-knwon" was never enrolled');
    }
    // The typo revoked nobody, and created no record the next enrollment would trip over.
    expect((await srv.server.store.loadDevices()).map((x) => x.deviceId)).not.toContain('laptop-knwon');
    await enroll(srv.url, 'laptop-knwon');
  });

  it('refuse an exemption that ends before it starts, naming both times', async () => {
    await enroll(srv.url, 'laptop-exempt');
    const path = '/v1/devices/laptop-exempt/exemption';
    const swapped = await request(srv.url, {
      method: 'PUT',
      path,
      headers: { ...ADMIN_AUTH },
      body: JSON.stringify({ exempt: true, from_ms: T0, until_ms: T0 - 3_600_000 }),
    });
    expect({ status: swapped.status, code: swapped.json.code }).toEqual({ status: 400, code: 'INGEST_BAD_JSON' });
    expect(swapped.json.message).toBe(
      `exemption until_ms ${T0 - 3_600_000} (2026-03-03T11:00:00.000Z) is not after from_ms ${T0} (2026-03-03T12:00:00.000Z); until_ms must be later, or left out for an open-ended exemption`,
    );
    // from_ms defaults to the server clock: an until_ms in the past is the same mistake, and says so.
    const past = await request(srv.url, {
      method: 'PUT',
      path,
      headers: { ...ADMIN_AUTH },
      body: JSON.stringify({ exempt: true, until_ms: 0 }),
    });
    expect(past.status).toBe(400);
    expect(past.json.message).toContain('from_ms defaults to the server clock');
    const ok = await request(srv.url, {
      method: 'PUT',
      path,
      headers: { ...ADMIN_AUTH },
      body: JSON.stringify({ exempt: true, from_ms: T0, until_ms: T0 + 1 }),
    });
    expect(ok.status).toBe(200);
  });
});

describe('pause requests', () => {
  let d: DeviceCredentials;
  const pause = (json: unknown) => request(srv.url, signed(d, `/v1/devices/${d.deviceId}/pause`, json));
  beforeAll(async () => {
    d = await enroll(srv.url, 'laptop-odd-pause');
  });

  it('refuse at_ms far in the future or older than the service keeps, as upload windows are', async () => {
    const future = await pause({ wanted_ms: 60_000, at_ms: 99_999_999_999_999 });
    expect({ status: future.status, code: future.json.code }).toEqual({ status: 400, code: 'INGEST_TIMESTAMP_FUTURE' });
    expect(future.json.message).toBe(
      'at_ms 99999999999999 (5138-11-16T09:46:39.999Z) is more than 300 s after the server clock (2026-03-03T12:00:00.000Z); send the time the employee asked, or leave at_ms out for now',
    );
    const old = await pause({ wanted_ms: 60_000, at_ms: 1 });
    expect({ status: old.status, code: old.json.code }).toEqual({ status: 400, code: 'INGEST_TIMESTAMP_TOO_OLD' });
    const resume = await request(srv.url, signed(d, `/v1/devices/${d.deviceId}/resume`, { at_ms: 99_999_999_999_999 }));
    expect(resume.json.code).toBe('INGEST_TIMESTAMP_FUTURE');
    // Nothing was recorded for year 5138.
    const policy = await srv.server.store.loadPauses();
    expect(policy.filter((p) => p.deviceId === d.deviceId)).toEqual([]);
  });

  it('refuse a wanted_ms that is no duration, saying what is allowed and what was given', async () => {
    for (const wanted of [1e300, 0, -5, 1.5, '60000', 86_400_001]) {
      const r = await pause({ wanted_ms: wanted, at_ms: T0 });
      expect({ wanted, status: r.status, code: r.json.code }).toEqual({ wanted, status: 400, code: 'INGEST_BAD_JSON' });
      expect(r.json.message).toBe(
        `pause needs {"wanted_ms": whole milliseconds from 1 to 86400000 (a day)}, got ${JSON.stringify(wanted)}; the policy caps a pause at 30 minutes anyway`,
      );
    }
  });

  it('refuse a day_start_ms that is not within the 24 h before at_ms (it would dodge the daily limit)', async () => {
    const r = await pause({ wanted_ms: 60_000, at_ms: T0, day_start_ms: 0 });
    expect({ status: r.status, code: r.json.code }).toEqual({ status: 400, code: 'INGEST_BAD_JSON' });
    expect(r.json.message).toContain('day_start_ms 0 (1970-01-01T00:00:00.000Z) must be the start of the laptop');
    const ok = await pause({ wanted_ms: 60_000, at_ms: T0, day_start_ms: T0 - 12 * 3_600_000 });
    expect(ok.status).toBe(200);
  });
});
