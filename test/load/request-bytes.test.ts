/**
 * Accepted bytes are the bytes of the requests the target received, whatever
 * the protocol: for a foreign target they are what its protocol built from the
 * agent's batch (NDJSON is several times the compressed batch), not the batch.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { useForeignLoad } from '../targets/foreign-load.js';
import { startPlainServer } from '../targets/plain-servers.js';

describe('accepted bytes count the request bodies sent', { retry: 1 }, () => {
  const { load } = useForeignLoad();

  for (const [name, protocol] of [
    ['--protocol http --body ndjson --compression none', { protocol: 'http', body: 'ndjson', compression: 'none' }],
    ['--protocol otlp-http --compression none', { protocol: 'otlp-http', compression: 'none' }],
  ] as const) {
    it(`${name}: bytes_accepted is the sum of the bodies the server received`, async () => {
      const srv = await startPlainServer({
        delayMs: 0,
        // An empty ExportLogsServiceResponse is a full success for OTLP; a plain 204 for http.
        answer: () =>
          protocol.protocol === 'otlp-http' ? { status: 200, headers: { 'content-type': 'application/x-protobuf' } } : { status: 204 },
      });
      onTestFinished(() => srv.stop());
      const r = await load(srv.url, protocol, { rateOverridePerS: 40, durationMs: 1000 });
      expect(r.requests.accepted).toBe(r.requests.sent);
      expect(r.requests.accepted).toBeGreaterThan(10);
      expect(srv.seen.length).toBe(r.requests.sent);
      expect(r.requests.bytes_accepted).toBe(srv.seen.reduce((a, q) => a + q.body.byteLength, 0));
    });
  }
});
