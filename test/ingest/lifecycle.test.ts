/**
 * The service's lifecycle as a library: what start() and stop() accept, and what they leave behind.
 */
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestServer, SqliteStore, type DeviceRecord } from '../../src/ingest/index.js';
import { ADMIN_SECRET, FLEET_SECRET, T0, enroll, request, startServer, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A SQLite store whose device load waits until the test lets it go: start() is held half-way, listening. */
class HeldStore extends SqliteStore {
  reached!: () => void;
  readonly atLoad = new Promise<void>((r) => (this.reached = r));
  release!: (failure?: Error) => void;
  private readonly gate = new Promise<Error | undefined>((r) => (this.release = r));
  override async loadDevices(): Promise<DeviceRecord[]> {
    this.reached();
    const failure = await this.gate;
    if (failure !== undefined) throw failure;
    return super.loadDevices();
  }
}

describe('starting the ingest service', () => {
  it('on a port in use fails with EADDRINUSE and creates no database file', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const file = join(tmp.dir, 'port-in-use.db');
    try {
      const server = createIngestServer({ store: `sqlite:${file}`, fleetSecret: FLEET_SECRET, port });
      await expect(server.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(existsSync(file)).toBe(false);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('answers 503 INGEST_STARTING (and /healthz 200) until its store is loaded, then serves', async () => {
    const store = new HeldStore({ path: join(tmp.dir, 'held.db') });
    const server = createIngestServer({ store, fleetSecret: FLEET_SECRET, adminSecret: ADMIN_SECRET, now: () => T0 });
    const started = server.start();
    await store.atLoad;
    const url = `http://127.0.0.1:${server.address().port}`;
    try {
      expect((await request(url, { method: 'GET', path: '/healthz' })).status).toBe(200);
      for (const [method, path] of [
        ['GET', '/readyz'],
        ['GET', '/metrics'],
        ['POST', '/v1/enroll'],
        ['POST', '/v1/batches'],
      ] as const) {
        const r = await request(url, { method, path, headers: { authorization: `Fleet ${FLEET_SECRET}` }, body: '{"device_id":"early"}' });
        expect({ path, status: r.status, code: r.json.code, retry: r.headers['retry-after'] }).toEqual({
          path,
          status: 503,
          code: 'INGEST_STARTING',
          retry: '1',
        });
      }
      store.release();
      await started;
      expect((await request(url, { method: 'GET', path: '/readyz' })).status).toBe(200);
      await enroll(url, 'after-start');
      // The early enrollment never reached the store.
      expect((await store.loadDevices()).map((d) => d.deviceId)).toEqual(['after-start']);
    } finally {
      store.release();
      await server.stop();
    }
  });

  it('closes its port again when the store fails to load, so nothing is left listening', async () => {
    const store = new HeldStore({ path: join(tmp.dir, 'fails.db') });
    const server = createIngestServer({ store, fleetSecret: FLEET_SECRET });
    const started = server.start();
    await store.atLoad;
    const port = server.address().port;
    store.release(new Error('disk on fire'));
    await expect(started).rejects.toThrow('disk on fire');
    // The same port can be bound again: the service let go of it.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => again.close(() => r()));
    // A store the caller opened is the caller's to close.
    await store.close();
  });
});

describe('stopping the ingest service', () => {
  it('refuses a drain timeout setTimeout would read as 1 ms (NaN, negative, past 2^31 - 1), and still stops when told right', async () => {
    const srv = await startServer();
    try {
      for (const drainTimeoutMs of [Number.NaN, -5, 2 ** 31, Number.POSITIVE_INFINITY]) {
        await expect(srv.server.stop({ drainTimeoutMs })).rejects.toThrow(/drainTimeoutMs must be a number of ms from 0 to 2147483647/);
      }
      // Refused before anything closed: the service still answers.
      expect(srv.server.address().port).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  });
});
