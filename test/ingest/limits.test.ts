import { createHash, createHmac } from 'node:crypto';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCHES_PATH, computeSignature, createRequestSigner, newDeviceKey, type DeviceCredentials } from '../../src/auth/index.js';
import { join } from 'node:path';
import { INGEST_ERRORS, REFUSAL_HTTP_STATUS, SqliteStore, type BatchRow, type BatchStore } from '../../src/ingest/index.js';
import { compress } from '../../src/wire/index.js';
import {
  BATCH_CONTENT_TYPE,
  ADMIN_AUTH,
  FLEET_SECRET,
  T0,
  enroll,
  makeBatch,
  request,
  startServer,
  tempDir,
  upload,
  uploadHeaders,
} from './helpers.js';

/** Expects a refusal with this code, its documented status, and a message. */
function refused(r: { status: number; json: Record<string, unknown> }, code: keyof typeof REFUSAL_HTTP_STATUS): void {
  expect({ status: r.status, code: r.json.code }).toEqual({ status: REFUSAL_HTTP_STATUS[code], code });
  expect(typeof r.json.message).toBe('string');
  expect((r.json.message as string).length).toBeGreaterThan(10);
}

// Every case runs with uploads decoded in the event loop and on a decode worker (decode-pool.ts): the same answers.
describe.each([0, 1])('with %i decode threads', (decodeThreads) => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let alice: DeviceCredentials;
  let bob: DeviceCredentials;
  let seq = 0;

  beforeAll(async () => {
    srv = await startServer({
      decodeThreads,
      limits: {
        maxBodyBytes: 64 * 1024,
        maxDecodedBytes: 256 * 1024,
        maxEventsPerBatch: 5_000,
        maxHeaderBytes: 4096,
        rate: { perSecond: 1000, burst: 1000 },
      },
    });
    alice = await enroll(srv.url, 'laptop-alice');
    bob = await enroll(srv.url, 'laptop-bob');
  });
  afterAll(async () => srv.stop());

  describe('ingest refuses what it must, each with a stable code and a message', () => {
    it('stores a well-formed signed batch and answers with the stored counts', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const r = await upload(srv.url, alice, b.body, T0);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        status: 'stored',
        batch_id: Buffer.from(b.batchId).toString('hex'),
        stored: 200,
        refused_paused: 0,
        refused_exempt: 0,
      });
    });

    it('lists every code in one table with its HTTP status', () => {
      for (const [code, e] of Object.entries(INGEST_ERRORS)) expect(REFUSAL_HTTP_STATUS[code as keyof typeof INGEST_ERRORS]).toBe(e.status);
      expect(REFUSAL_HTTP_STATUS.WIRE_TOO_LARGE).toBe(413);
    });

    it('refuses uploads without authentication headers (401 AUTH_MISSING) before reading the body', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      refused(
        await request(srv.url, {
          path: '/v1/batches',
          headers: { 'content-type': BATCH_CONTENT_TYPE, 'content-encoding': 'gzip' },
          body: b.body,
        }),
        'AUTH_MISSING',
      );
    });

    it('stores a batch signed in one authorization header, with no content-type, as the agent sends it', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const auth = createRequestSigner(alice, () => T0, 'authorization')({ method: 'POST', target: BATCHES_PATH, body: b.body });
      const r = await request(srv.url, { path: BATCHES_PATH, headers: { 'content-encoding': 'gzip', ...auth }, body: b.body });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ status: 'stored', batch_id: Buffer.from(b.batchId).toString('hex'), stored: 200 });
      // The same batch again in the three-header form: the same device, acknowledged as a retry.
      const again = await upload(srv.url, alice, b.body, T0);
      expect(again.status).toBe(200);
      expect(again.json.status).toBe('duplicate');
    });

    it('checks the one-header form as strictly: wrong key, changed body, skew, malformed, both forms (401)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const sign = (c: DeviceCredentials, atMs: number) =>
        createRequestSigner(c, () => atMs, 'authorization')({ method: 'POST', target: BATCHES_PATH, body: b.body });
      const send = (headers: Record<string, string>, body: Uint8Array = b.body) =>
        request(srv.url, { path: BATCHES_PATH, headers: { 'content-encoding': 'gzip', ...headers }, body });
      refused(await send(sign({ deviceId: alice.deviceId, key: Buffer.alloc(32, 7) }, T0)), 'AUTH_BAD_SIGNATURE');
      const tampered = Buffer.from(b.body);
      tampered[tampered.length - 5]! ^= 1;
      refused(await send(sign(alice, T0), tampered), 'AUTH_BAD_SIGNATURE');
      // Bob's valid signature with Alice's id put in its place.
      refused(await send({ authorization: sign(bob, T0).authorization!.replace(bob.deviceId, alice.deviceId) }), 'AUTH_BAD_SIGNATURE');
      refused(await send(sign(alice, T0 - 301_000)), 'AUTH_CLOCK_SKEW');
      refused(await send(sign(alice, T0 + 301_000)), 'AUTH_CLOCK_SKEW');
      const good = sign(alice, T0).authorization!;
      const [, ts, sig] = good.split(' ');
      for (const authorization of [
        `Device ${ts} ${sig!.slice(0, 42)} ${alice.deviceId}`,
        `Device ${ts} ${sig}AA ${alice.deviceId}`,
        `Device ${ts} ${Buffer.from(sig!, 'base64url').toString('hex')} ${alice.deviceId}`,
        `Device ${ts} ${sig}`,
        `Device x${ts} ${sig} ${alice.deviceId}`,
      ]) {
        const r = await send({ authorization });
        refused(r, 'AUTH_MISSING');
        expect(r.json.message).toMatch(/43 base64url characters/);
      }
      // Both forms on one request, each valid on its own: refused, and the message says why.
      const legacy = uploadHeaders(alice, b.body, T0);
      const both = await send({ ...legacy, authorization: good });
      refused(both, 'AUTH_MISSING');
      expect(both.json.message).toMatch(/not both/);
      refused(await send({ authorization: good, 'x-fleetsim-device': alice.deviceId }), 'AUTH_MISSING');
      // Nothing of it was stored: the same batch signed correctly is new.
      expect((await send(sign(alice, T0))).json.status).toBe('stored');
    });

    it('refuses a body signed with the wrong key (401 AUTH_BAD_SIGNATURE)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const forged = { deviceId: alice.deviceId, key: Buffer.alloc(32, 7) };
      refused(await upload(srv.url, forged, b.body, T0), 'AUTH_BAD_SIGNATURE');
    });

    it('refuses a body changed after signing (401 AUTH_BAD_SIGNATURE)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const headers = uploadHeaders(alice, b.body, T0);
      const tampered = Buffer.from(b.body);
      tampered[tampered.length - 5]! ^= 1;
      refused(await request(srv.url, { path: '/v1/batches', headers, body: tampered }), 'AUTH_BAD_SIGNATURE');
    });

    it('refuses a timestamp outside the skew bound (401 AUTH_CLOCK_SKEW), so a captured request cannot be replayed later', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      refused(await upload(srv.url, alice, b.body, T0 - 301_000), 'AUTH_CLOCK_SKEW');
      refused(await upload(srv.url, alice, b.body, T0 + 301_000), 'AUTH_CLOCK_SKEW');
    });

    it('refuses devices that never enrolled exactly as an enrolled one with a bad signature: no key exists for them', async () => {
      const b = makeBatch({ deviceId: 'laptop-mallory', sequence: 0 });
      refused(await upload(srv.url, { deviceId: 'laptop-mallory', key: newDeviceKey() }, b.body, T0), 'AUTH_BAD_SIGNATURE');
      // An unknown id reads exactly as an enrolled one with a bad signature.
      const unknown = await upload(srv.url, { deviceId: 'laptop-mallory', key: Buffer.alloc(32) }, b.body, T0);
      const enrolled = await upload(
        srv.url,
        { deviceId: alice.deviceId, key: Buffer.alloc(32) },
        makeBatch({ deviceId: alice.deviceId, sequence: 999 }).body,
        T0,
      );
      refused(unknown, 'AUTH_BAD_SIGNATURE');
      refused(enrolled, 'AUTH_BAD_SIGNATURE');
      expect(unknown.json.message).toBe(String(enrolled.json.message).replace(alice.deviceId, 'laptop-mallory'));
    });

    it("refuses a batch of another device signed with one's own key (403 AUTH_DEVICE_MISMATCH)", async () => {
      const b = makeBatch({ deviceId: bob.deviceId, sequence: 0 });
      refused(await upload(srv.url, alice, b.body, T0), 'AUTH_DEVICE_MISMATCH');
      expect(await srv.server.store.listBatches(bob.deviceId)).toHaveLength(0);
    });

    it('refuses enrollment without the fleet secret (401 AUTH_BAD_FLEET_SECRET)', async () => {
      const r = await request(srv.url, {
        path: '/v1/enroll',
        headers: { authorization: 'Fleet wrong-secret-wrong-secret' },
        body: '{"device_id":"x"}',
      });
      refused(r, 'AUTH_BAD_FLEET_SECRET');
    });

    it('refuses a revoked device (401 AUTH_REVOKED), for uploads and re-enrollment', async () => {
      const carol = await enroll(srv.url, 'laptop-carol');
      expect((await upload(srv.url, carol, makeBatch({ deviceId: carol.deviceId, sequence: 0 }).body, T0)).status).toBe(200);
      const rv = await request(srv.url, { path: `/v1/devices/${carol.deviceId}/revoke`, headers: { ...ADMIN_AUTH } });
      expect(rv.status).toBe(200);
      refused(await upload(srv.url, carol, makeBatch({ deviceId: carol.deviceId, sequence: 1 }).body, T0), 'AUTH_REVOKED');
      refused(
        await request(srv.url, {
          path: '/v1/enroll',
          headers: { authorization: `Fleet ${FLEET_SECRET}` },
          body: '{"device_id":"laptop-carol"}',
        }),
        'AUTH_REVOKED',
      );
    });

    it('refuses a malformed body (400 WIRE_*), and still counts the bytes it inflated to', async () => {
      const decoded = async () =>
        Number(
          /^fleetsim_ingest_decoded_bytes_total (\d+)/m.exec((await request(srv.url, { method: 'GET', path: '/metrics' })).body)?.[1] ?? 0,
        );
      const before = await decoded();
      const words = Buffer.from('this is not a protobuf batch at all, just words');
      const r = await upload(srv.url, alice, gzipSync(words), T0);
      expect(r.status).toBe(400);
      expect(String(r.json.code)).toMatch(/^WIRE_/);
      expect((await decoded()) - before).toBe(words.length);
    });

    it('refuses a truncated compression stream (400 WIRE_CORRUPT)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      refused(await upload(srv.url, alice, b.body.subarray(0, b.body.length - 9), T0), 'WIRE_CORRUPT');
      const br = makeBatch({ deviceId: alice.deviceId, sequence: seq++, codec: 'br' });
      refused(await upload(srv.url, alice, br.body.subarray(0, br.body.length >> 1), T0, 'br'), 'WIRE_CORRUPT');
    });

    it('refuses a body whose Content-Encoding does not match it (400) and an unknown encoding (415 WIRE_UNSUPPORTED)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++, codec: 'gzip' });
      const r = await upload(srv.url, alice, b.body, T0, 'br');
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('WIRE_CORRUPT');
      refused(await upload(srv.url, alice, b.body, T0, 'gzip', { 'content-encoding': 'compress' }), 'WIRE_UNSUPPORTED');
      refused(await upload(srv.url, alice, b.body, T0, 'gzip', { 'content-type': 'text/plain' }), 'INGEST_UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses a gzip bomb while inflating it (413 WIRE_TOO_LARGE), without allocating its output', async () => {
      // 1 GiB of zeros in ~1 MB of gzip... kept to 64 MiB here (64 KiB compressed) to fit the body cap.
      const bomb = gzipSync(Buffer.alloc(60 << 20), { level: 9 });
      expect(bomb.length).toBeLessThan(64 * 1024);
      const rss0 = process.memoryUsage().rss;
      refused(await upload(srv.url, alice, bomb, T0), 'WIRE_TOO_LARGE');
      // The server inflates at most maxDecodedBytes (256 KiB here) of the 60 MiB.
      expect(process.memoryUsage().rss - rss0).toBeLessThan(40 << 20);
      const brBomb = compress('br', Buffer.alloc(60 << 20), 5);
      refused(await upload(srv.url, alice, brBomb, T0, 'br'), 'WIRE_TOO_LARGE');
    });

    it('refuses an oversize compressed body from Content-Length alone (413 INGEST_BODY_TOO_LARGE)', async () => {
      const big = Buffer.alloc(65 * 1024, 1);
      refused(await upload(srv.url, alice, big, T0), 'INGEST_BODY_TOO_LARGE');
    });

    it('refuses oversize request headers (431 INGEST_HEADERS_TOO_LARGE)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      refused(await upload(srv.url, alice, b.body, T0, 'gzip', { 'x-padding': 'a'.repeat(8000) }), 'INGEST_HEADERS_TOO_LARGE');
    });

    it('answers bytes that are not HTTP with 400 INGEST_BAD_REQUEST and closes', async () => {
      const u = new URL(srv.url);
      const text = await new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(u.port), u.hostname, () => s.write('HELLO\x00 not http\r\n\r\n'));
        let out = '';
        s.on('data', (c) => (out += c.toString()));
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
      expect(text).toMatch(/^HTTP\/1\.1 400/);
      expect(text).toContain('"code":"INGEST_BAD_REQUEST"');
    });

    it('refuses more events than the per-batch limit (413 WIRE_TOO_LARGE)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++, events: 5_001 });
      refused(await upload(srv.url, alice, b.body, T0), 'WIRE_TOO_LARGE');
    });

    it('refuses batch windows in the future or too old (400 INGEST_TIMESTAMP_*)', async () => {
      refused(
        await upload(srv.url, alice, makeBatch({ deviceId: alice.deviceId, sequence: seq++, startMs: T0 + 3_600_000 }).body, T0),
        'INGEST_TIMESTAMP_FUTURE',
      );
      refused(
        await upload(srv.url, alice, makeBatch({ deviceId: alice.deviceId, sequence: seq++, startMs: T0 - 401 * 86_400_000 }).body, T0),
        'INGEST_TIMESTAMP_TOO_OLD',
      );
    });

    it('refuses chunked uploads without Content-Length (411 INGEST_LENGTH_REQUIRED)', async () => {
      const b = makeBatch({ deviceId: alice.deviceId, sequence: seq++ });
      const headers = uploadHeaders(alice, b.body, T0);
      refused(
        await request(srv.url, { path: '/v1/batches', headers: { ...headers, 'transfer-encoding': 'chunked' }, body: b.body }),
        'INGEST_LENGTH_REQUIRED',
      );
    });

    it('answers a client that stops sending its body mid-way with 408 INGEST_REQUEST_TIMEOUT (slowloris)', async () => {
      const s = await startServer({ limits: { requestTimeoutMs: 600 } });
      try {
        const d = await enroll(s.url, 'laptop-slow');
        const b = makeBatch({ deviceId: d.deviceId, sequence: 0 });
        const headers = uploadHeaders(d, b.body, T0);
        const u = new URL(s.url);
        const t0 = performance.now();
        const text = await new Promise<string>((resolve, reject) => {
          const sock = net.connect(Number(u.port), u.hostname, () => {
            let head = `POST /v1/batches HTTP/1.1\r\nhost: x\r\ncontent-length: ${b.body.length}\r\n`;
            for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
            sock.write(`${head}\r\n`);
            sock.write(b.body.subarray(0, 10));
          });
          let out = '';
          sock.on('data', (c) => (out += c.toString()));
          sock.on('close', () => resolve(out));
          sock.on('error', reject);
        });
        expect(text).toMatch(/^HTTP\/1\.1 408/);
        expect(text).toContain('"code":"INGEST_REQUEST_TIMEOUT"');
        expect(performance.now() - t0).toBeLessThan(5000);
      } finally {
        await s.stop();
      }
    });

    it('answers unknown paths and wrong methods with 404 / 405', async () => {
      refused(await request(srv.url, { method: 'GET', path: '/nope' }), 'INGEST_NOT_FOUND');
      refused(await request(srv.url, { method: 'GET', path: '/v1/batches' }), 'INGEST_METHOD_NOT_ALLOWED');
    });

    it('refuses a device over its rate limit with 429 and Retry-After', async () => {
      const s = await startServer({ limits: { rate: { perSecond: 1, burst: 3 } } });
      try {
        const d = await enroll(s.url, 'laptop-fast');
        const statuses: number[] = [];
        let retryAfter: string | undefined;
        for (let i = 0; i < 5; i++) {
          const r = await upload(s.url, d, makeBatch({ deviceId: d.deviceId, sequence: i }).body, T0);
          statuses.push(r.status);
          if (r.status === 429) {
            refused(r, 'INGEST_RATE_LIMITED');
            retryAfter = r.headers['retry-after'] as string;
          }
        }
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      } finally {
        await s.stop();
      }
    });

    it('answers overload with 503 + Retry-After from a bounded queue instead of growing memory', async () => {
      // A store that stalls until released: uploads pile up behind it, as behind a slow disk.
      const tmp = tempDir();
      const inner = new SqliteStore({ path: join(tmp.dir, 'slow.db') });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow: BatchStore = Object.assign(Object.create(inner) as BatchStore, {
        insertBatch: async (row: BatchRow) => {
          await gate;
          return inner.insertBatch(row);
        },
      });
      const s = await startServer({ store: slow, limits: { maxInFlight: 4, rate: { perSecond: 1e6, burst: 1e6 } } });
      try {
        const d = await enroll(s.url, 'laptop-herd');
        const pending = Array.from({ length: 20 }, (_, i) => upload(s.url, d, makeBatch({ deviceId: d.deviceId, sequence: i }).body, T0));
        await new Promise((r) => setTimeout(r, 300));
        release();
        const results = await Promise.all(pending);
        const by = (st: number) => results.filter((r) => r.status === st);
        expect(by(200)).toHaveLength(4);
        expect(by(503)).toHaveLength(16);
        for (const r of by(503)) {
          expect(r.json.code).toBe('INGEST_OVERLOADED');
          expect(r.headers['retry-after']).toBe('1');
        }
        expect((await s.server.store.totals()).batches).toBe(4);
        const metrics = await request(s.url, { method: 'GET', path: '/metrics' });
        expect(metrics.body).toMatch(/fleetsim_ingest_batches_total\{result="rejected",reason="INGEST_OVERLOADED"\} 16/);
      } finally {
        await s.stop();
        tmp.cleanup();
      }
    });

    it('signs with the documented recipe, so other languages can implement it', () => {
      // HMAC-SHA256(key, "fleetsim-v2\n" METHOD "\n" path "\n" query "\n" device "\n" timestamp "\n" hex SHA-256(body)), lowercase hex.
      const key = Buffer.alloc(32, 1);
      const digest = createHash('sha256').update('body').digest('hex');
      const expected = createHmac('sha256', key).update(`fleetsim-v2\nPOST\n/v1/batches\na=1\ndev\n1700000000000\n${digest}`).digest('hex');
      expect(computeSignature(key, { method: 'POST', target: '/v1/batches?a=1' }, 'dev', 1700000000000, Buffer.from('body'))).toBe(
        expected,
      );
    });
  });
});
