import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOptions, runLoad, smallScenario, writeCorpus } from './helpers.js';

describe('fleetsim load judges validity on outcomes', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
  });
  afterAll(() => corpus?.cleanup());

  it('calls a run against a target that refuses every upload invalid, however fast it refuses', async () => {
    // Answers every enrollment, then 401 to every upload, at once: the fastest target there is.
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/v1/enroll') {
          const body = JSON.stringify({ device_id: 'x', key: '00'.repeat(32) });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        } else res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"AUTH_BAD_SIGNATURE","message":"no"}');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const r = await runLoad(loadOptions(s, url, corpus.dir, { rateOverridePerS: 50, durationMs: 1000 }));
      expect(r.requests.accepted).toBe(0);
      expect(r.valid).toBe(false);
      expect(r.invalid_reasons.join(' ')).toMatch(/uploads failed \(error rate 1 > 0\.01/);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });
});
