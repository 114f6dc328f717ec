import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createBlackhole, type BlackholeServer } from '../../src/ingest/index.js';

const servers: BlackholeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function start(opts: Parameters<typeof createBlackhole>[0] = {}): Promise<{ bh: BlackholeServer; url: string }> {
  const bh = createBlackhole(opts);
  servers.push(bh);
  const a = await bh.start();
  return { bh, url: a.url };
}

/** Sends raw bytes and resolves with everything the server wrote before closing or within a bound. */
function raw(port: number, data: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, waitMs);
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    s.on('error', (e) => {
      clearTimeout(t);
      if (out) resolve(out);
      else reject(e);
    });
    s.write(data);
  });
}

describe('blackhole ingest', () => {
  it('accepts any method on any path, answers 204, and counts requests, body and header bytes by route and status', async () => {
    const { bh, url } = await start();
    const a = await fetch(`${url}/v1/upload?device=x`, { method: 'POST', body: Buffer.alloc(1000, 1) });
    const b = await fetch(`${url}/v1/upload`, { method: 'POST', body: 'hello' });
    const c = await fetch(`${url}/anything/else`, { method: 'PUT', body: '{}' });
    const d = await fetch(`${url}/`);
    expect([a.status, b.status, c.status, d.status]).toEqual([204, 204, 204, 204]);
    const s = bh.stats();
    expect(s.requests).toBe(4);
    expect(s.body_bytes).toBe(1007);
    expect(s.by_route['POST /v1/upload']).toMatchObject({ requests: 2, body_bytes: 1005 });
    expect(s.by_route['PUT /anything/else']).toMatchObject({ requests: 1, body_bytes: 2 });
    expect(s.by_route['GET /']).toMatchObject({ requests: 1, body_bytes: 0 });
    expect(s.by_status).toEqual({ '204': 4 });
    expect(s.too_large).toBe(0);
    expect(s.aborted).toBe(0);
    // Each request line and its headers: well over 50 bytes, and the four add up.
    const sumHeaders = Object.values(s.by_route).reduce((n, r) => n + r.header_bytes, 0);
    expect(sumHeaders).toBe(s.header_bytes);
    expect(s.header_bytes).toBeGreaterThan(4 * 50);
  });

  it('counts header bytes exactly as a raw client sent them', async () => {
    const { bh } = await start({ status: 200 });
    const head = 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n';
    const answer = await raw(bh.address().port, `${head}abc`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(bh.stats().header_bytes).toBe(Buffer.byteLength(head));
    expect(bh.stats().body_bytes).toBe(3);
  });

  it('answers the configured status after the configured delay', async () => {
    const { bh, url } = await start({ status: 503, delayMs: 150 });
    const t0 = performance.now();
    const r = await fetch(`${url}/v1/upload`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(503);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(bh.stats().by_status).toEqual({ '503': 1 });
  });

  it('refuses a body over the bound with 413, declared or streamed, and counts it', async () => {
    const { bh, url } = await start({ maxBodyBytes: 100 });
    const declared = await fetch(`${url}/big`, { method: 'POST', body: Buffer.alloc(101) });
    expect(declared.status).toBe(413);
    // Chunked: no content-length, so the bound is found while reading.
    const chunk = Buffer.alloc(60, 120).toString('latin1');
    const streamed = await raw(
      bh.address().port,
      `POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\n${chunk}\r\n3c\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(streamed).toMatch(/^HTTP\/1\.1 413 /);
    const ok = await fetch(`${url}/small`, { method: 'POST', body: Buffer.alloc(100) });
    expect(ok.status).toBe(204);
    const s = bh.stats();
    expect(s.too_large).toBe(2);
    expect(s.by_status).toEqual({ '413': 2, '204': 1 });
    expect(s.by_route['POST /big']!.requests).toBe(2);
  });

  it('stop() closes a connection that is mid-body and cancels a delayed answer', async () => {
    const { bh } = await start({ delayMs: 10_000 });
    const port = bh.address().port;
    const midBody = new net.Socket();
    const closedMid = new Promise((r) => midBody.once('close', r));
    midBody.on('error', () => {});
    midBody.connect(port, '127.0.0.1', () => midBody.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc'));
    const waiting = raw(port, 'POST /y HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 5000);
    await new Promise((r) => setTimeout(r, 150));
    expect(bh.stats().requests).toBe(2);
    const t0 = performance.now();
    await bh.stop();
    await closedMid;
    expect(await waiting).toBe('');
    expect(performance.now() - t0).toBeLessThan(2000);
    // The server sees its side of each connection close on a later turn of the event loop.
    for (let i = 0; i < 50 && bh.stats().aborted < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(bh.stats().aborted).toBe(2);
  });

  it('refuses bad options with the option, the value and what is allowed', () => {
    expect(() => createBlackhole({ status: 302 })).toThrow(UsageError);
    expect(() => createBlackhole({ status: 302 })).toThrow(/status must be an integer HTTP status in 200-299 or 400-599 .*got 302/);
    expect(() => createBlackhole({ status: 600 })).toThrow(/got 600/);
    expect(() => createBlackhole({ delayMs: -5 })).toThrow(/delayMs must be between 0 and 600000, got -5/);
    expect(() => createBlackhole({ maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes must be an integer >= 0, got 1.5/);
    expect(() => createBlackhole({ port: 70000 })).toThrow(/port must be an integer from 0 to 65535, got 70000/);
  });
});
