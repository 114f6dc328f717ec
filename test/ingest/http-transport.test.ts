import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, enrollOverHttp } from '../../src/agent/http-transport.js';
import { BATCHES_PATH, DEVICE_HEADER, SEQUENCE_HEADER, createRequestSigner } from '../../src/auth/index.js';
import { requestBytes } from '../../src/run/transports.js';
import { hasIpv6Loopback } from '../targets/plain-servers.js';
import { FLEET_SECRET, T0, makeBatch, startServer } from './helpers.js';

let server: http.Server | null = null;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = null;
});

/** A loopback server that answers with `reply` and records each request's socket and raw size. */
async function serve(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: { remotePort: number; headerBytes: number; bodyBytes: number; headers: http.IncomingHttpHeaders }[] = [];
  server = http.createServer((req, res) => {
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => {
      // Request line + raw header lines + blank line, as they were on the wire.
      let headerBytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length + 2;
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headerBytes += req.rawHeaders[i]!.length + 2 + Buffer.byteLength(req.rawHeaders[i + 1]!) + 2;
      seen.push({ remotePort: req.socket.remotePort!, headerBytes, bodyBytes: body, headers: req.headers });
      reply(req, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/batches`, seen };
}

describe('HttpTransport', () => {
  it('uploads over one keep-alive connection and counts the exact request bytes (headers + body)', async () => {
    const { url, seen } = await serve((_req, res) => res.end('{"status":"stored"}'));
    const t = new HttpTransport({ url });
    const body = new Uint8Array(1234).fill(7);
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(await t.send({ body, headers: { 'content-type': 'application/x-protobuf', 'x-fleetsim-device': 'd1' } }));
    await t.close();
    expect(outcomes.map((o) => o.kind === 'response' && o.status)).toEqual([200, 200, 200]);
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
    expect(outcomes[0]!.requestBytes).toBe(seen[0]!.headerBytes + seen[0]!.bodyBytes);
  });

  it('sends only what the service reads: the signer names the device, no sequence, no Connection header; bytes exact', async () => {
    const { url, seen } = await serve((_req, res) => res.end('{"status":"stored"}'));
    const sign = createRequestSigner({ deviceId: 'laptop 7', key: Buffer.alloc(32, 3) }, () => 1_772_539_200_000, 'authorization');
    const t = new HttpTransport({ url, sign });
    const body = new Uint8Array(999).fill(1);
    const outcomes = [];
    for (let i = 0; i < 2; i++)
      outcomes.push(
        await t.send({ body, headers: { 'content-encoding': 'br', [DEVICE_HEADER]: 'laptop 7', [SEQUENCE_HEADER]: String(i) } }),
      );
    await t.close();
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
    expect(Object.keys(seen[0]!.headers).sort()).toEqual(['authorization', 'content-encoding', 'content-length', 'host']);
    expect(seen[0]!.headers.authorization).toMatch(/^Device 1772539200000 [A-Za-z0-9_-]{43} laptop 7$/);
    for (let i = 0; i < 2; i++) expect(outcomes[i]!.requestBytes).toBe(seen[i]!.headerBytes + seen[i]!.bodyBytes);
  });

  it('a run without a network charges an upload what HttpTransport sends for it, signed as the agent signs', async () => {
    const { url, seen } = await serve((_req, res) => res.end('{"status":"stored"}'));
    const t = new HttpTransport({
      url,
      sign: createRequestSigner({ deviceId: 'laptop-9', key: Buffer.alloc(32, 5) }, Date.now, 'authorization'),
    });
    const req = {
      body: new Uint8Array(4321).fill(2),
      headers: { 'content-encoding': 'br', [DEVICE_HEADER]: 'laptop-9', [SEQUENCE_HEADER]: '12' },
    };
    await t.send(req);
    await t.close();
    // The modelled service is 127.0.0.1:8080; this one listens on another port.
    const hostDifference = new URL(url).host.length - '127.0.0.1:8080'.length;
    expect(requestBytes(req)).toBe(seen[0]!.headerBytes + seen[0]!.bodyBytes - hostDifference);
  });

  it("reports the status, Retry-After and the error body's code for the uploader", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end('{"code":"INGEST_RATE_LIMITED","message":"slow down"}');
    });
    const t = new HttpTransport({ url });
    const o = await t.send({ body: new Uint8Array(10), headers: {} });
    await t.close();
    expect(o).toMatchObject({ kind: 'response', status: 429, retryAfterMs: 7000, code: 'INGEST_RATE_LIMITED' });
  });

  it('re-signs every attempt with the sign option', async () => {
    const { url, seen } = await serve((_req, res) => res.end());
    let n = 0;
    const t = new HttpTransport({ url, sign: () => ({ 'x-fleetsim-timestamp': String(++n) }) });
    await t.send({ body: new Uint8Array(1), headers: { 'x-fleetsim-timestamp': 'stale' } });
    await t.send({ body: new Uint8Array(1), headers: { 'x-fleetsim-timestamp': 'stale' } });
    await t.close();
    expect(seen.map((s) => s.headers['x-fleetsim-timestamp'])).toEqual(['1', '2']);
  });

  it('turns a server that never answers into a network error after the timeout', async () => {
    const { url } = await serve(() => {});
    const t = new HttpTransport({ url, timeoutMs: 200 });
    const t0 = performance.now();
    const o = await t.send({ body: new Uint8Array(5), headers: {} });
    await t.close();
    expect(o.kind).toBe('network-error');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('turns a refused connection into a network error', async () => {
    const { url } = await serve((_req, res) => res.end());
    await new Promise((r) => server!.close(r));
    server = null;
    const t = new HttpTransport({ url, timeoutMs: 2000 });
    const o = await t.send({ body: new Uint8Array(5), headers: {} });
    await t.close();
    expect(o).toMatchObject({ kind: 'network-error' });
  });
});

const ipv6 = await hasIpv6Loopback();
describe('HttpTransport and enrollment on the IPv6 loopback', () => {
  it.skipIf(!ipv6)("enroll and upload to a service at http://[::1]:port (the URL's brackets are not part of the address)", async () => {
    const srv = await startServer({ host: '::1' });
    try {
      expect(srv.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const creds = await enrollOverHttp({ url: srv.url, fleetSecret: FLEET_SECRET, deviceId: 'laptop-v6' });
      const t = new HttpTransport({ url: `${srv.url}${BATCHES_PATH}`, sign: createRequestSigner(creds, () => T0, 'authorization') });
      const b = makeBatch({ deviceId: creds.deviceId, sequence: 0 });
      const o = await t.send({ body: b.body, headers: { 'content-encoding': b.codec } });
      await t.close();
      expect(o).toMatchObject({ kind: 'response', status: 200 });
      expect(await srv.server.store.listBatches(creds.deviceId)).toHaveLength(1);
    } finally {
      await srv.stop();
    }
  });
});
