/**
 * fleetsim load against servers that know nothing of fleetsim: each target
 * protocol builds the requests and reads the answers, and latency, errors and
 * Retry-After work as they do against fleetsim's own service. Hostile answers
 * (non-HTTP bytes, a gigabyte body, silence, a 200 with garbage) end as
 * counted failures with a clear reason, and the run stops by itself.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { codecFromContentEncoding, decodeBatch, decompress } from '../../src/wire/index.js';
import { useForeignLoad } from './foreign-load.js';
import { startPlainServer, startRawServer, streamHugeAnswer } from './plain-servers.js';

describe('fleetsim load against foreign targets', { retry: 1 }, () => {
  const { load } = useForeignLoad();

  it("--protocol http: a plain server answering every POST in 50 ms gets the agent's batches; p50 is 50–56 ms, never less", async () => {
    const srv = await startPlainServer({ delayMs: 50 });
    onTestFinished(() => srv.stop());
    const r = await load(
      `${srv.url}/ingest?src=fleet`,
      { protocol: 'http', headers: ['X-Team: sre'] },
      { rateOverridePerS: 100, durationMs: 2000 },
    );
    expect(r.requests.accepted).toBe(r.requests.planned);
    expect(r.latency.upload!.p50_ms!).toBeGreaterThanOrEqual(50);
    expect(r.latency.upload!.p50_ms!).toBeLessThan(56);
    expect(r.protocol).toMatch(/^http POST \/ingest\?src=fleet/);
    expect(srv.seen.length).toBe(r.requests.sent);
    // No enrollment, the static header, the agent's body in its codec: it decodes to a batch of a run device.
    expect(srv.seen.every((q) => q.method === 'POST' && q.url === '/ingest?src=fleet' && q.headers['x-team'] === 'sre')).toBe(true);
    const q = srv.seen[0]!;
    const b = decodeBatch(decompress(codecFromContentEncoding(q.headers['content-encoding']), q.body, { maxOutputBytes: 1 << 26 }));
    expect(b.header.deviceId).toMatch(/^load-/);
    expect(r.valid).toBe(true);
  });

  it('--body ndjson --compression none: one JSON object per event, as many lines as the batch has events and controls', async () => {
    const srv = await startPlainServer({ delayMs: 0, answer: () => ({ status: 204 }) });
    onTestFinished(() => srv.stop());
    const r = await load(
      srv.url,
      { protocol: 'http', body: 'ndjson', compression: 'none', method: 'PUT' },
      { rateOverridePerS: 50, durationMs: 1000 },
    );
    expect(r.requests.accepted).toBe(r.requests.planned);
    const q = srv.seen[0]!;
    expect(q.method).toBe('PUT');
    expect(q.headers['content-type']).toBe('application/x-ndjson');
    expect(q.headers['content-encoding']).toBeUndefined();
    const lines = q.body
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    const events = lines.filter((l) => 't_ms' in l);
    expect(events.every((e) => typeof e.type === 'string' && typeof e.device_id === 'string' && typeof e.context === 'string')).toBe(true);
    const total = srv.seen.reduce(
      (a, x) =>
        a +
        x.body
          .toString('utf8')
          .split('\n')
          .filter((l) => l.includes('"t_ms"')).length,
      0,
    );
    expect(total).toBe(r.requests.events_accepted);
  });

  it('counts 429s with Retry-After as retryable failures and 400s as refusals, by reason', async () => {
    let n = 0;
    const srv = await startPlainServer({
      delayMs: 0,
      answer: () => (n++ % 2 === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 400, body: 'bad' }),
    });
    onTestFinished(() => srv.stop());
    const r = await load(srv.url, { protocol: 'http' }, { rateOverridePerS: 50, durationMs: 1000 });
    expect(r.requests.accepted).toBe(0);
    expect(r.errors.by_reason.HTTP_429).toBeGreaterThan(0);
    expect(r.errors.by_reason.HTTP_400).toBeGreaterThan(0);
    expect(r.valid).toBe(false);
  });

  it('the example adapter (examples/adapters/my-target.mjs) against the API it was written for', async () => {
    const srv = await startPlainServer({
      delayMs: 2,
      answer: (q) => {
        if (q.url !== '/api/v2/activity' || q.headers['x-api-key'] !== 'k-123') return { status: 401 };
        const doc = JSON.parse(q.body.toString('utf8')) as { records: unknown[] };
        return { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: doc.records.length }) };
      },
    });
    process.env.MY_TARGET_API_KEY = 'k-123';
    onTestFinished(async () => {
      delete process.env.MY_TARGET_API_KEY;
      await srv.stop();
    });
    const r = await load(srv.url, { adapter: 'examples/adapters/my-target.mjs' }, { rateOverridePerS: 50, durationMs: 1000 });
    expect(r.requests.accepted).toBe(r.requests.planned);
    expect(r.protocol).toMatch(/^adapter .*my-target\.mjs$/);
    const records = srv.seen.reduce((a, q) => a + (JSON.parse(q.body.toString('utf8')) as { records: unknown[] }).records.length, 0);
    expect(records).toBe(r.requests.events_accepted);
  });

  it('the example adapter reads a 202 with garbage as unreadable: counted, described, the run invalid', async () => {
    const srv = await startPlainServer({
      delayMs: 0,
      answer: () => ({ status: 202, headers: { 'content-type': 'text/html' }, body: '<html>\x01hello' }),
    });
    onTestFinished(() => srv.stop());
    const r = await load(srv.url, { adapter: 'examples/adapters/my-target.mjs' }, { rateOverridePerS: 50, durationMs: 1000 });
    expect(r.requests.accepted).toBe(0);
    expect(r.errors.by_reason.MY_TARGET_BAD_ACK).toBe(r.requests.sent);
    expect(r.unreadable_answers!.count).toBe(r.requests.sent);
    expect(r.unreadable_answers!.first).toContain(
      `POST ${srv.url}/api/v2/activity was answered 202 (content-type text/html, body begins "<html>\\x01hello")`,
    );
    expect(r.valid).toBe(false);
    expect(r.invalid_reasons.join(' ')).toContain('could not be read as adapter');
  });

  describe('hostile answers: counted failures, and the run stops by itself', () => {
    it('non-HTTP bytes', async () => {
      const srv = await startRawServer((sock) => sock.end('SSH-2.0-OpenSSH_9.6\r\n'));
      onTestFinished(() => srv.stop());
      const r = await load(srv.url, { protocol: 'http' }, { rateOverridePerS: 20, durationMs: 500, graceMs: 2000 });
      expect(r.requests.accepted).toBe(0);
      expect(r.errors.by_reason.PROTOCOL_ERROR).toBe(r.requests.sent);
    });

    it('a 1 GB body: reading stops after 1 MiB', async () => {
      const streams: { sent: () => number }[] = [];
      const srv = await startRawServer((sock) => streams.push(streamHugeAnswer(sock, 1 << 30)));
      onTestFinished(() => srv.stop());
      const t0 = Date.now();
      const r = await load(srv.url, { protocol: 'http' }, { rateOverridePerS: 10, durationMs: 500, graceMs: 3000 });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.requests.accepted).toBe(0);
      expect(r.errors.by_reason.RESPONSE_TOO_LARGE).toBe(r.requests.sent);
      // The client hung up long before a gigabyte: at most a few socket buffers went out.
      for (const st of streams) expect(st.sent()).toBeLessThan(64 << 20);
    });

    it('a connection that never answers: each request times out and the run ends on its own', async () => {
      const srv = await startRawServer(() => {});
      onTestFinished(() => srv.stop());
      const t0 = Date.now();
      const r = await load(srv.url, { protocol: 'http' }, { rateOverridePerS: 10, durationMs: 500, requestTimeoutMs: 500, graceMs: 3000 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.requests.accepted).toBe(0);
      expect(r.errors.by_reason.REQUEST_TIMEOUT).toBe(r.requests.sent);
    });
  });
});
