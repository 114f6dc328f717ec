import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http1Pool } from '../../src/load/http1.js';

// A raw loopback server that answers each request with the next scripted response, written in pieces.
function scriptedServer(responses: (readonly string[])[]): Promise<{ port: number; close: () => Promise<void> }> {
  let k = 0;
  const server = net.createServer((sock) => {
    let seen = '';
    sock.on('data', (c: Buffer) => {
      seen += c.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      const len = Number(/content-length: (\d+)/i.exec(seen)?.[1] ?? 0);
      if (end < 0 || seen.length < end + 4 + len) return;
      seen = '';
      const parts = responses[k++]!;
      let i = 0;
      // Each piece in its own write, a little apart: the client sees the response split across reads.
      const next = () => {
        if (i < parts.length) sock.write(parts[i++]!, () => setTimeout(next, 2));
      };
      next();
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

describe("the load generator's HTTP/1.1 client", () => {
  let srv: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    srv = await scriptedServer([
      ['HTTP/1.1 200 OK\r\nContent-Len', 'gth: 5\r\n\r\nhe', 'llo'],
      ['HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7\r\ncontent-length: 28\r\n\r\n{"code":"INGEST_RATE_LIM', 'IT"}'],
      ['HTTP/1.1 503 Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n', '0\r\n\r\n'],
      ['HTTP/1.1 201 Created\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'],
    ]);
  });
  afterAll(() => srv?.close());

  it('parses responses split across reads: Content-Length, Retry-After with a refusal body, chunked framing (de-chunked), and Connection: close', async () => {
    const answers: { slot: number; status: number; body: string | null; retryAfterS: number | null; error: string | null }[] = [];
    let done: () => void;
    const all = new Promise<void>((r) => (done = r));
    const pool = new Http1Pool(
      '127.0.0.1',
      srv.port,
      1,
      5000,
      () => performance.now(),
      (slot, status, body, retryAfterS, error) => {
        answers.push({ slot, status, body: body?.toString('latin1') ?? null, retryAfterS, error });
        if (answers.length === 4) done();
      },
    );
    const req = Buffer.from(`${pool.head('/v1/batches', 3, 'x-a: 1\r\n')}abc`, 'latin1');
    // One connection: the four requests queue and go one after another on it.
    for (let slot = 10; slot < 14; slot++) pool.send(req, slot);
    expect(pool.queued).toBe(3);
    await all;
    pool.destroy();
    expect(answers).toEqual([
      { slot: 10, status: 200, body: null, retryAfterS: null, error: null },
      { slot: 11, status: 429, body: '{"code":"INGEST_RATE_LIMIT"}', retryAfterS: 7, error: null },
      { slot: 12, status: 503, body: 'busy', retryAfterS: null, error: null },
      { slot: 13, status: 201, body: null, retryAfterS: null, error: null },
    ]);
  });

  it('reports a refused connection as a network error for the request', async () => {
    const closed = await scriptedServer([]);
    await closed.close();
    const got = await new Promise<{ slot: number; error: string | null }>((resolve) => {
      const pool = new Http1Pool(
        '127.0.0.1',
        closed.port,
        1,
        5000,
        () => performance.now(),
        (slot, _s, _b, _r, error) => {
          pool.destroy();
          resolve({ slot, error });
        },
      );
      pool.send(Buffer.from('POST / HTTP/1.1\r\n\r\n'), 3);
    });
    expect(got).toEqual({ slot: 3, error: 'ECONNREFUSED' });
  });
});
