/**
 * The ingest service under attack: what someone without a device's key (but
 * perhaps with its id, or a captured request) can and cannot do.
 */
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCHES_PATH,
  BATCH_CONTENT_TYPE,
  ENROLL_PATH,
  DEVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  createRequestSigner,
  devicePath,
  type DeviceCredentials,
} from '../../src/auth/index.js';
import { SqliteStore, openStore, type BatchStore } from '../../src/ingest/index.js';
import { ADMIN_AUTH, FLEET_SECRET, T0, enroll, makeBatch, request, startServer, tempDir, upload } from './helpers.js';

function signedRequest(creds: DeviceCredentials, method: string, path: string, json: unknown | undefined, atMs: number) {
  const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
  return {
    method,
    path,
    headers: { 'content-type': 'application/json', ...createRequestSigner(creds, () => atMs)({ method, target: path, body }) },
    body,
  };
}

describe('a captured signature replayed to another request', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv.stop());

  it('is refused on another method or path, and the pause stays open', async () => {
    const d = await enroll(srv.url, 'laptop-replayed');
    const pause = signedRequest(d, 'POST', devicePath(d.deviceId, 'pause'), { wanted_ms: 600_000, at_ms: T0 - 60_000 }, T0);
    const granted = await request(srv.url, pause);
    expect(granted.status).toBe(200);
    // The pause's own headers and body, sent to resume: the body is valid resume JSON too.
    const toResume = await request(srv.url, { ...pause, path: devicePath(d.deviceId, 'resume') });
    expect({ status: toResume.status, code: toResume.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_SIGNATURE' });
    // The empty-body signature of GET …/policy, replayed as POST …/resume.
    const policy = signedRequest(d, 'GET', devicePath(d.deviceId, 'policy'), undefined, T0);
    expect((await request(srv.url, { ...policy, body: undefined })).status).toBe(200);
    const asResume = await request(srv.url, {
      method: 'POST',
      path: devicePath(d.deviceId, 'resume'),
      headers: { ...policy.headers, 'content-length': '0' },
    });
    expect({ status: asResume.status, code: asResume.json.code }).toEqual({ status: 401, code: 'AUTH_BAD_SIGNATURE' });
    // A query string the signer did not see is refused too.
    const withQuery = await request(srv.url, { ...policy, body: undefined, path: `${devicePath(d.deviceId, 'policy')}?x=1` });
    expect(withQuery.status).toBe(401);
    const state = await request(srv.url, { ...signedRequest(d, 'GET', devicePath(d.deviceId, 'policy'), undefined, T0), body: undefined });
    expect(state.json.pauses).toEqual([granted.json.window]);
    expect((granted.json.window as { end_ms: number }).end_ms).toBe(T0 + 540_000);
  });
});

describe('an honest laptop while forgers who know its id (no key) hammer the service', () => {
  it('keeps >= 99 % of its uploads 2xx against stalled bodies, drip-fed bodies and forged requests at 10x its rate', async () => {
    const srv = await startServer({
      limits: {
        maxBodyBytes: 256 << 10,
        maxUnverifiedBodyBytes: 1 << 20,
        maxInFlightBodyBytes: 1 << 20,
        rate: { perSecond: 20, burst: 20 },
        requestTimeoutMs: 20_000,
      },
    });
    const sockets = new Set<net.Socket>();
    let stopped = false;
    const u = new URL(srv.url);
    const forgedHead = (length: number) =>
      `POST ${BATCHES_PATH} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: ${BATCH_CONTENT_TYPE}\r\ncontent-encoding: gzip\r\ncontent-length: ${length}\r\n` +
      `${DEVICE_HEADER}: laptop-honest\r\n${TIMESTAMP_HEADER}: ${T0}\r\n${SIGNATURE_HEADER}: ${'ab'.repeat(32)}\r\n\r\n`;
    // Attack 1: bodies sent fast to one byte short of Content-Length, then stalled; reconnects when cut.
    const staller = (): void => {
      if (stopped) return;
      const s = net.connect(Number(u.port), u.hostname, () =>
        s.write(Buffer.concat([Buffer.from(forgedHead(256 << 10)), Buffer.alloc((256 << 10) - 1, 7)])),
      );
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        setTimeout(staller, 20);
      });
    };
    // Attack 2: 4 MiB promised, one byte every 100 ms.
    const dripper = (): void => {
      if (stopped) return;
      const s = net.connect(Number(u.port), u.hostname, () => s.write(forgedHead(256 << 10)));
      const t = setInterval(() => s.writable && s.write('x'), 100);
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(t);
        sockets.delete(s);
        setTimeout(dripper, 20);
      });
    };
    try {
      const honest = await enroll(srv.url, 'laptop-honest');
      for (let i = 0; i < 16; i++) staller();
      for (let i = 0; i < 16; i++) dripper();
      await new Promise((r) => setTimeout(r, 300));
      // Attack 3: complete forged uploads for the honest id at 10x its rate.
      let forged = 0;
      const forger = setInterval(() => {
        for (let k = 0; k < 2; k++) {
          const b = makeBatch({ deviceId: honest.deviceId, sequence: 10_000 + forged++ });
          void upload(srv.url, { deviceId: honest.deviceId, key: Buffer.alloc(32, 9) }, b.body, T0).catch(() => {});
        }
      }, 20);
      const statuses: number[] = [];
      try {
        for (let i = 0; i < 50; i++) {
          const t = performance.now();
          // The service's clock moves as the real one would: the device's rate tokens refill.
          srv.clock.now = T0 + i * 100;
          statuses.push((await upload(srv.url, honest, makeBatch({ deviceId: honest.deviceId, sequence: i }).body, srv.clock.now)).status);
          await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t))));
        }
      } finally {
        clearInterval(forger);
      }
      const ok = statuses.filter((s) => s >= 200 && s < 300).length;
      expect(forged).toBeGreaterThanOrEqual(10 * statuses.length * 0.8);
      expect({ ok_share: ok / statuses.length, statuses: statuses.filter((s) => s >= 300) }).toEqual({ ok_share: 1, statuses: [] });
      expect(await srv.server.store.listBatches(honest.deviceId)).toHaveLength(50);
    } finally {
      stopped = true;
      for (const s of sockets) s.destroy();
      await srv.stop();
    }
  }, 30_000);
});

describe('client errors and store failures answer with a code, never a stack trace', () => {
  it('answers a malformed %-escape in a device path with 400 INGEST_BAD_PATH and logs nothing', async () => {
    const srv = await startServer();
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string | Uint8Array) => (written.push(String(c)), true)) as typeof process.stderr.write;
    try {
      for (const path of ['/v1/devices/%E0%A4%A/policy', '/v1/devices/%/revoke', '/v1/devices/%C3%28/gaps']) {
        const r = await request(srv.url, { method: 'GET', path });
        expect({ path, status: r.status, code: r.json.code }).toEqual({ path, status: 400, code: 'INGEST_BAD_PATH' });
      }
    } finally {
      process.stderr.write = write;
      await srv.stop();
    }
    expect(written.filter((l) => /at .*\(.*:\d+:\d+\)|internal error/.test(l))).toEqual([]);
  });

  it('answers an enrollment whose store write fails with 503 INGEST_STORE_FAILED, and the retry enrolls', async () => {
    const tmp = tempDir();
    const inner = new SqliteStore({ path: join(tmp.dir, 'enroll.db') });
    let failing = true;
    const store: BatchStore = Object.assign(Object.create(inner) as BatchStore, {
      enrollDevice: async (...a: Parameters<BatchStore['enrollDevice']>) => {
        if (failing) throw new Error('disk I/O error');
        return inner.enrollDevice(...a);
      },
    });
    const srv = await startServer({ store });
    try {
      const r = await request(srv.url, {
        path: ENROLL_PATH,
        headers: { authorization: `Fleet ${FLEET_SECRET}` },
        body: '{"device_id":"laptop-disk"}',
      });
      expect({ status: r.status, code: r.json.code, retry: r.headers['retry-after'] }).toEqual({
        status: 503,
        code: 'INGEST_STORE_FAILED',
        retry: '1',
      });
      failing = false;
      expect((await enroll(srv.url, 'laptop-disk')).deviceId).toBe('laptop-disk');
    } finally {
      await srv.stop();
      tmp.cleanup();
    }
  });

  it('refuses an in-memory SQLite store with a message that says what to use instead', async () => {
    for (const url of ['sqlite::memory:', 'sqlite:file::memory:?cache=shared']) {
      await expect(openStore(url)).rejects.toThrow(/in-memory SQLite database is not supported.*use a file/);
    }
  });
});

describe('per-device and per-connection bounds', () => {
  it('records at most the bounded number of pause windows from batch control records', async () => {
    const srv = await startServer({ limits: { pauseWindows: { perDay: 5, perDevice: 8 }, rate: { perSecond: 1e6, burst: 1e6 } } });
    try {
      const d = await enroll(srv.url, 'laptop-pauses');
      // 4 batches × 10 one-second pauses, the first two batches within one day, the others on later days.
      for (let s = 0; s < 4; s++) {
        const start = T0 - (4 - s) * 86_400_000;
        const controls = Array.from({ length: 10 }, (_, k) => ({
          kind: 'pause' as const,
          atMs: start + k * 10_000,
          untilMs: start + k * 10_000 + 1000,
        }));
        const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: s, events: 10, startMs: start, controls }).body, T0);
        expect(r.status).toBe(200);
      }
      const windows = srv.server.store
        ? (await request(srv.url, { ...signedRequest(d, 'GET', devicePath(d.deviceId, 'policy'), undefined, T0), body: undefined })).json
            .pauses
        : [];
      expect(windows).toHaveLength(8);
    } finally {
      await srv.stop();
    }
  });

  it('at the connection cap, an honest request takes the place of an idle connection', async () => {
    const srv = await startServer({ limits: { maxConnections: 8 } });
    const u = new URL(srv.url);
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const s = net.connect(Number(u.port), u.hostname);
        s.on('error', () => {});
        idle.push(s);
        await new Promise((r) => s.once('connect', r));
      }
      await new Promise((r) => setTimeout(r, 100));
      const d = await enroll(srv.url, 'laptop-capped');
      expect(d.deviceId).toBe('laptop-capped');
      expect(srv.server.connectionsShed).toBeGreaterThanOrEqual(1);
      expect(idle.filter((s) => s.destroyed || s.readableEnded).length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of idle) s.destroy();
      await srv.stop();
    }
  });
});

describe('identity and enrollment', () => {
  it('refuses at enrollment ids that could never authenticate (control characters, beyond Latin-1, edge whitespace)', async () => {
    const srv = await startServer();
    try {
      for (const id of ['bad\u0001id', 'tab\tid', 'laptop-\u4e2d', ' leading', 'trailing ', '', 'x'.repeat(129)]) {
        const r = await request(srv.url, {
          path: ENROLL_PATH,
          headers: { authorization: `Fleet ${FLEET_SECRET}` },
          body: JSON.stringify({ device_id: id }),
        });
        expect({ id, status: r.status, code: r.json.code }).toEqual({ id, status: 400, code: 'INGEST_BAD_DEVICE_ID' });
      }
      // Latin-1 beyond ASCII travels in a header and authenticates.
      const d = await enroll(srv.url, 'laptop-zoë');
      expect((await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 0 }).body, T0)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });

  it("keeps batch ids unique per device: one device cannot make another's batch a conflict", async () => {
    const srv = await startServer();
    try {
      const a = await enroll(srv.url, 'laptop-a');
      const b = await enroll(srv.url, 'laptop-b');
      const batchId = new Uint8Array(16).fill(42);
      expect((await upload(srv.url, b, makeBatch({ deviceId: b.deviceId, sequence: 0, batchId }).body, T0)).status).toBe(200);
      const r = await upload(srv.url, a, makeBatch({ deviceId: a.deviceId, sequence: 0, batchId }).body, T0);
      expect({ status: r.status, result: r.json.status }).toEqual({ status: 200, result: 'stored' });
    } finally {
      await srv.stop();
    }
  });

  it('throttles fleet-secret guesses per address; a right guess after them is refused the same way', async () => {
    const srv = await startServer({ limits: { fleetSecretFailures: { perSecond: 1, burst: 5 } } });
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        codes.push(
          (
            await request(srv.url, {
              path: ENROLL_PATH,
              headers: { authorization: `Fleet wrong-${i}-0123456789` },
              body: '{"device_id":"x"}',
            })
          ).json.code,
        );
      }
      expect(codes).toEqual([...Array(5).fill('AUTH_BAD_FLEET_SECRET'), ...Array(3).fill('INGEST_RATE_LIMITED')]);
      const right = await request(srv.url, {
        path: ENROLL_PATH,
        headers: { authorization: `Fleet ${FLEET_SECRET}` },
        body: '{"device_id":"x"}',
      });
      expect({ status: right.status, code: right.json.code }).toEqual({ status: 429, code: 'INGEST_RATE_LIMITED' });
      // The bucket refills with the service's clock.
      srv.clock.now += 2000;
      expect(
        (await request(srv.url, { path: ENROLL_PATH, headers: { authorization: `Fleet ${FLEET_SECRET}` }, body: '{"device_id":"x"}' }))
          .status,
      ).toBe(200);
    } finally {
      await srv.stop();
    }
  });

  it('bounds new enrollments service-wide', async () => {
    const srv = await startServer({ limits: { enrollments: { perSecond: 1, burst: 3 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (
            await request(srv.url, {
              path: ENROLL_PATH,
              headers: { authorization: `Fleet ${FLEET_SECRET}` },
              body: JSON.stringify({ device_id: `laptop-${i}` }),
            })
          ).status,
        );
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Enrolling an enrolled device again is refused as such (its key is not handed out twice), not counted as a new enrollment.
      expect(
        (
          await request(srv.url, {
            path: ENROLL_PATH,
            headers: { authorization: `Fleet ${FLEET_SECRET}` },
            body: '{"device_id":"laptop-0"}',
          })
        ).json.code,
      ).toBe('AUTH_ALREADY_ENROLLED');
    } finally {
      await srv.stop();
    }
  });
});

describe('revocation', () => {
  it("does not store a revoked key's upload that was in flight when the revoke answered", async () => {
    const tmp = tempDir();
    const inner = new SqliteStore({ path: join(tmp.dir, 'revoke.db') });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    // The upload's pause marker is written first; holding that write keeps the upload in flight.
    // (A Proxy, not Object.create: the store's methods must run on the store itself, whose writer state they change.)
    const gated = async (...a: Parameters<BatchStore['upsertPause']>) => {
      held++;
      await gate;
      return inner.upsertPause(...a);
    };
    const store = new Proxy(inner, {
      get: (t, p) =>
        p === 'upsertPause'
          ? gated
          : typeof Reflect.get(t, p) === 'function'
            ? (Reflect.get(t, p) as (...x: unknown[]) => unknown).bind(t)
            : Reflect.get(t, p),
    }) as BatchStore;
    const srv = await startServer({ store });
    try {
      const d = await enroll(srv.url, 'laptop-stolen');
      const at = T0 - 600_000;
      const inFlight = upload(
        srv.url,
        d,
        makeBatch({
          deviceId: d.deviceId,
          sequence: 0,
          events: 10,
          startMs: at - 1000,
          controls: [{ kind: 'pause', atMs: at, untilMs: at + 60_000 }],
        }).body,
        T0,
      );
      while (held === 0) await new Promise((r) => setTimeout(r, 10));
      const rv = await request(srv.url, { path: devicePath(d.deviceId, 'revoke'), headers: { ...ADMIN_AUTH } });
      expect(rv.status).toBe(200);
      release();
      const r = await inFlight;
      expect({ status: r.status, code: r.json.code }).toEqual({ status: 401, code: 'AUTH_REVOKED' });
      expect(await srv.server.store.listBatches(d.deviceId)).toHaveLength(0);
    } finally {
      release();
      await srv.stop();
      tmp.cleanup();
    }
  });
});
