/**
 * Memory follows the store: the service's in-memory pause and exemption
 * records change only after the store has committed the change, so a failed
 * write leaves the service exactly as it was (and says 503, retry).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestSigner, type DeviceCredentials } from '../../src/auth/index.js';
import { SqliteStore, type BatchStore, type ExemptionRecord, type PauseRecord } from '../../src/ingest/index.js';
import { PolicyState } from '../../src/ingest/policy-state.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { ADMIN_AUTH, T0, enroll, makeBatch, request, startServer, tempDir, upload } from './helpers.js';

/** A real SQLite store whose policy writes fail while `failing` is set (a full disk, a lost connection). */
class FlakyStore {
  failing = false;
  constructor(readonly inner: SqliteStore) {}
  store(): BatchStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if ((prop === 'upsertPause' || prop === 'setExemption') && this.failing) {
          return () => Promise.reject(new Error('disk I/O error'));
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

function signed(creds: DeviceCredentials, method: string, path: string, json: unknown | undefined, atMs: number) {
  const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
  return {
    method,
    path,
    headers: { 'content-type': 'application/json', ...createRequestSigner(creds, () => atMs)({ method, target: path, body }) },
    ...(json === undefined ? {} : { body }),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function flakyStore(): FlakyStore {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  return new FlakyStore(new SqliteStore({ path: join(tmp.dir, 'flaky.db') }));
}

describe('policy state follows the store', () => {
  it('a pause whose write fails is neither granted nor remembered; the retry is granted', async () => {
    const flaky = flakyStore();
    const policy = new PolicyState(flaky.store(), DEFAULT_POLICY_RULES);
    cleanups.push(() => flaky.inner.close());
    flaky.failing = true;
    await expect(policy.requestPause('d1', T0, 600_000)).rejects.toThrow(/disk I\/O error/);
    expect(policy.windows('d1')).toEqual([]);
    flaky.failing = false;
    // Had memory kept the failed window, this would be refused as "already paused".
    const d = await policy.requestPause('d1', T0, 600_000);
    expect(d.kind).toBe('granted');
    expect(policy.windows('d1')).toHaveLength(1);
    expect(await flaky.inner.loadPauses()).toEqual([
      { deviceId: 'd1', startMs: T0, endMs: T0 + 600_000, endedBy: 'resume' } satisfies PauseRecord,
    ]);
  });

  it('a failed resume or exemption leaves the committed record as it was', async () => {
    const flaky = flakyStore();
    const policy = new PolicyState(flaky.store(), DEFAULT_POLICY_RULES);
    cleanups.push(() => flaky.inner.close());
    await policy.requestPause('d2', T0, 3_600_000);
    const before = [...policy.windows('d2')];
    flaky.failing = true;
    await expect(policy.resume('d2', T0 + 60_000)).rejects.toThrow();
    await expect(policy.setExemption('d2', { deviceId: 'd2', fromMs: T0, untilMs: null })).rejects.toThrow();
    expect(policy.windows('d2')).toEqual(before);
    expect(policy.exemption('d2')).toBeUndefined();
    expect(policy.exemptDuring('d2', T0, T0 + 1)).toBe(false);
    expect(await flaky.inner.loadExemptions()).toEqual([] as ExemptionRecord[]);
  });

  it('decides concurrent pause requests of one device one after the other: one is granted, one refused', async () => {
    const flaky = flakyStore();
    const policy = new PolicyState(flaky.store(), DEFAULT_POLICY_RULES);
    cleanups.push(() => flaky.inner.close());
    const ds = await Promise.all([policy.requestPause('d3', T0, 600_000), policy.requestPause('d3', T0 + 1000, 600_000)]);
    expect(ds.map((d) => d.kind).sort()).toEqual(['granted', 'refused']);
    expect(await flaky.inner.loadPauses()).toHaveLength(1);
  });

  it('over HTTP: a failed pause write answers 503 INGEST_STORE_FAILED and the events it would have covered are stored', async () => {
    const flaky = flakyStore();
    const srv = await startServer({ store: flaky.store() });
    cleanups.push(srv.stop);
    const d = await enroll(srv.url, 'laptop-flaky');
    const pauseAt = T0 - 1_800_000;
    flaky.failing = true;
    const g = await request(srv.url, signed(d, 'POST', `/v1/devices/${d.deviceId}/pause`, { wanted_ms: 600_000, at_ms: pauseAt }, T0));
    expect({ status: g.status, code: g.json.code, retry: g.headers['retry-after'] }).toEqual({
      status: 503,
      code: 'INGEST_STORE_FAILED',
      retry: '1',
    });
    const policy = await request(srv.url, signed(d, 'GET', `/v1/devices/${d.deviceId}/policy`, undefined, T0));
    expect(policy.json.pauses).toEqual([]);
    const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 0, events: 100, startMs: pauseAt }).body, T0);
    expect(r.json).toMatchObject({ status: 'stored', stored: 100, refused_paused: 0 });

    // A pause the agent declares inside a batch: the upload fails as a whole and its retry succeeds.
    const at = T0 - 900_000;
    const b = makeBatch({
      deviceId: d.deviceId,
      sequence: 1,
      events: 100,
      startMs: at - 500,
      controls: [{ kind: 'pause', atMs: at, untilMs: at + 600_000 }],
    });
    const failed = await upload(srv.url, d, b.body, T0);
    expect({ status: failed.status, code: failed.json.code }).toEqual({ status: 503, code: 'INGEST_STORE_FAILED' });
    expect(await srv.server.store.listBatches(d.deviceId)).toHaveLength(1);
    expect((await request(srv.url, signed(d, 'GET', `/v1/devices/${d.deviceId}/policy`, undefined, T0))).json.pauses).toEqual([]);
    flaky.failing = false;
    const retried = await upload(srv.url, d, b.body, T0);
    // 100 events 10 ms apart from 500 ms before the pause: 50 before it, 50 inside.
    expect(retried.json).toMatchObject({ status: 'stored', stored: 50, refused_paused: 50 });
    expect((await request(srv.url, signed(d, 'GET', `/v1/devices/${d.deviceId}/policy`, undefined, T0))).json.pauses).toEqual([
      { start_ms: at, end_ms: at + 600_000, ended_by: 'auto-resume' },
    ]);
  });

  it('over HTTP: a failed exemption write answers 503 and the device keeps uploading', async () => {
    const flaky = flakyStore();
    const srv = await startServer({ store: flaky.store() });
    cleanups.push(srv.stop);
    const d = await enroll(srv.url, 'laptop-flaky-exempt');
    flaky.failing = true;
    const set = await request(srv.url, {
      method: 'PUT',
      path: `/v1/devices/${d.deviceId}/exemption`,
      headers: { ...ADMIN_AUTH },
      body: JSON.stringify({ exempt: true, from_ms: T0 - 86_400_000 }),
    });
    expect({ status: set.status, code: set.json.code }).toEqual({ status: 503, code: 'INGEST_STORE_FAILED' });
    const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 0 }).body, T0);
    expect(r.status).toBe(200);
  });
});
