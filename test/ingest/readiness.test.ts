/**
 * GET /readyz says whether the store can take writes, from a probe that is bounded (one in flight,
 * reused for maxAgeMs, timed out) so that polling readiness never becomes load on the store.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, createIngestServer } from '../../src/ingest/index.js';
import { StoreReadiness } from '../../src/ingest/readiness.js';
import { FLEET_SECRET, T0, enroll, request, tempDir } from './helpers.js';

const tmp = tempDir('fleetsim-readiness-');
afterAll(() => tmp.cleanup());

/** A probe the test answers by hand, counting how often the store was asked. */
function heldProbe() {
  const asked: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const probe = () => new Promise<void>((resolve, reject) => asked.push({ resolve, reject }));
  return { asked, probe };
}

describe('the readiness probe', () => {
  it('sends one probe however many ask at once, and reuses its answer for maxAgeMs', async () => {
    const clock = { now: 0 };
    const { asked, probe } = heldProbe();
    const r = new StoreReadiness({ probe, clock: () => clock.now, maxAgeMs: 1000, timeoutMs: 60_000 });
    // Ready from the start (the store was just opened): nothing is probed before maxAgeMs.
    expect(await r.current()).toEqual({ ready: true });
    expect(r.probes).toBe(0);
    clock.now = 1000;
    const answers = Array.from({ length: 50 }, () => r.current());
    expect(asked).toHaveLength(1);
    asked[0]!.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    for (const a of await Promise.all(answers)) expect(a).toEqual({ ready: false, reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    clock.now = 1999;
    expect(await r.current()).toEqual({ ready: false, reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(r.probes).toBe(1);
    // The store is back: the next probe says so.
    clock.now = 2000;
    const back = r.current();
    asked[1]!.resolve();
    expect(await back).toEqual({ ready: true });
    expect(r.probes).toBe(2);
  });

  it('counts a probe the store does not answer as not ready, and does not send another on top of it', async () => {
    const clock = { now: 0 };
    const { asked, probe } = heldProbe();
    const r = new StoreReadiness({ probe, clock: () => clock.now, maxAgeMs: 0, timeoutMs: 1 });
    expect(await r.current()).toEqual({ ready: false, reason: 'the store did not answer a probe within 1 ms' });
    expect(await r.current()).toEqual({ ready: false, reason: 'the store did not answer a probe within 1 ms' });
    expect(r.probes).toBe(1);
    // Once the store has answered the first, the next probe is sent.
    asked[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    const next = r.current();
    expect(r.probes).toBe(2);
    asked[1]!.resolve();
    expect(await next).toEqual({ ready: true });
  });

  it('a probe that throws instead of rejecting is a failed probe', async () => {
    const r = new StoreReadiness({
      probe: () => {
        throw new Error('no handle');
      },
      clock: () => 0,
      maxAgeMs: 0,
      timeoutMs: 60_000,
    });
    expect(await r.current()).toEqual({ ready: false, reason: 'no handle' });
  });
});

/** A SQLite store the test can take down and bring back, as a PostgreSQL server going away would. */
class FlakyStore extends SqliteStore {
  down: string | null = null;
  override async ping(): Promise<void> {
    if (this.down !== null) throw new Error(this.down);
    return super.ping();
  }
}

describe('GET /readyz', () => {
  it('answers 503 INGEST_STORE_UNAVAILABLE with the reason while the store cannot take writes, /healthz stays 200, and it recovers', async () => {
    const store = new FlakyStore({ path: join(tmp.dir, 'flaky.db') });
    const server = createIngestServer({ store, fleetSecret: FLEET_SECRET, now: () => T0, readiness: { maxAgeMs: 0 } });
    const { url } = await server.start();
    try {
      expect(await request(url, { method: 'GET', path: '/readyz' })).toMatchObject({ status: 200, json: { status: 'ready' } });
      store.down = 'nothing accepts connections at 127.0.0.1:5432 (ECONNREFUSED)';
      const down = await request(url, { method: 'GET', path: '/readyz' });
      expect({ status: down.status, retry: down.headers['retry-after'], json: down.json }).toEqual({
        status: 503,
        retry: '1',
        json: {
          code: 'INGEST_STORE_UNAVAILABLE',
          message:
            'not ready: the store cannot take writes: nothing accepts connections at 127.0.0.1:5432 (ECONNREFUSED); /readyz answers 200 again once it can',
        },
      });
      // Liveness is the process, not the store: an orchestrator must not restart the service for the store's outage.
      expect((await request(url, { method: 'GET', path: '/healthz' })).status).toBe(200);
      store.down = null;
      expect((await request(url, { method: 'GET', path: '/readyz' })).status).toBe(200);
      await enroll(url, 'after-recovery');
    } finally {
      await server.stop();
    }
  });

  it('says not ready when the SQLite store itself is closed under the service', async () => {
    const store = new SqliteStore({ path: join(tmp.dir, 'closed.db') });
    const server = createIngestServer({ store, fleetSecret: FLEET_SECRET, now: () => T0, readiness: { maxAgeMs: 0 } });
    const { url } = await server.start();
    try {
      await store.close();
      const r = await request(url, { method: 'GET', path: '/readyz' });
      expect({ status: r.status, code: r.json.code }).toEqual({ status: 503, code: 'INGEST_STORE_UNAVAILABLE' });
      expect(r.json.message).toContain('the SQLite store is closed');
    } finally {
      await server.stop();
    }
  });

  it('refuses readiness timings setTimeout cannot keep', () => {
    expect(() =>
      createIngestServer({ store: `sqlite:${join(tmp.dir, 'x.db')}`, fleetSecret: FLEET_SECRET, readiness: { timeoutMs: -1 } }),
    ).toThrow('readiness.timeoutMs must be a number of ms from 0 to 2147483647, got -1');
  });
});

describe.runIf(process.env.FLEETSIM_TEST_PG_URL)('the PostgreSQL store probe', () => {
  it('answers on its own connection while the server is up and writable', async () => {
    const store = await PostgresStore.open({ url: process.env.FLEETSIM_TEST_PG_URL! });
    try {
      await store.ping();
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
