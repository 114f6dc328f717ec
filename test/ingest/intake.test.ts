/**
 * The unverified-body intake on a real node:http server: it reads exactly the
 * body, and once it has, it leaves nothing behind on the request (a 'close'
 * listener left there would run, and build an error, for every upload).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyIntake } from '../../src/ingest/intake.js';

describe('BodyIntake', () => {
  const intake = new BodyIntake(1 << 20);
  const seen: { bytes: number; closeListenersBefore: number; closeListenersAfter: number }[] = [];
  let server: http.Server;
  let port = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const before = req.listenerCount('close');
      const read = intake.read(req, res, Number(req.headers['content-length']));
      // Runs right after the intake's own 'end' listener, before node:http emits 'close' (next tick).
      let afterEnd = -1;
      req.once('end', () => (afterEnd = req.listenerCount('close')));
      void read.then(
        (body) => {
          seen.push({ bytes: body.length, closeListenersBefore: before, closeListenersAfter: afterEnd });
          res.end('ok');
        },
        (e: Error) => {
          res.statusCode = 503;
          res.end(e.message);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('reads the whole body and removes its close listener once done, on a kept-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const size of [10, 70_000, 3]) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-length': size } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(Buffer.alloc(size, 7));
        });
        expect(status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
    expect(seen.map((s) => s.bytes)).toEqual([10, 70_000, 3]);
    for (const s of seen) expect(s.closeListenersAfter).toBe(s.closeListenersBefore);
    expect(intake.heldBytes).toBe(0);
  });
});
