import { describe, expect, it } from 'vitest';
import { Http1Pool } from '../../src/load/http1.js';
import { rawAnswerServer } from '../helpers/raw-server.js';

/** What the load generator's client reports for one request answered with `answer` (then close). */
async function outcome(answer: string): Promise<{ status: number; error: string | null }> {
  const s = await rawAnswerServer(answer);
  try {
    return await new Promise((resolve) => {
      const pool = new Http1Pool(
        '127.0.0.1',
        s.port,
        1,
        5000,
        () => performance.now(),
        (_slot, status, _b, _r, error) => {
          pool.destroy();
          resolve({ status, error });
        },
      );
      pool.send(Buffer.from(`${pool.head('/v1/batches', 3, '')}abc`, 'latin1'), 0);
    });
  } finally {
    await s.close();
  }
}

describe("the load generator's HTTP/1.1 client and answers that cannot be read", () => {
  it('does not count a 200 whose body stops short of its Content-Length (then close) as answered', async () => {
    expect(await outcome('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"status":"stor')).toMatchObject({ error: 'ECONNRESET' });
  });

  it('does not count a chunked 200 cut before its last chunk as answered', async () => {
    expect(await outcome('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"sta\r\n')).toMatchObject({ error: 'ECONNRESET' });
  });

  it('reports a status line or Content-Length it cannot read as a protocol error, not a status', async () => {
    expect(await outcome('HTTP/1.1 2x0 OK\r\ncontent-length: 0\r\n\r\n')).toEqual({ status: 0, error: 'PROTOCOL_ERROR' });
    expect(await outcome('SMTP ready 220\r\n\r\n')).toEqual({ status: 0, error: 'PROTOCOL_ERROR' });
    expect(await outcome('HTTP/1.1 200 OK\r\ncontent-length: lots\r\n\r\n{}')).toEqual({ status: 0, error: 'PROTOCOL_ERROR' });
  });

  it('still counts a complete 200', async () => {
    expect(await outcome('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}')).toEqual({ status: 200, error: null });
  });
});
