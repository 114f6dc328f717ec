import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestSigner, type DeviceCredentials } from '../../src/auth/index.js';
import { decodeBatch, decompress } from '../../src/wire/index.js';
import { ADMIN_AUTH, T0, enroll, makeBatch, request, startServer, upload } from './helpers.js';

const PG_URL = process.env.FLEETSIM_TEST_PG_URL;

function signed(creds: DeviceCredentials, method: string, path: string, json: unknown | undefined, atMs: number) {
  const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
  return {
    method,
    path,
    headers: { 'content-type': 'application/json', ...createRequestSigner(creds, () => atMs)({ method, target: path, body }) },
    ...(json === undefined ? {} : { body }),
  };
}

// The SQLite case runs twice: uploads decoded in the event loop, and on a decode worker (decode-pool.ts).
describe.each([
  ['sqlite', undefined, 0],
  ['sqlite, 1 decode thread', undefined, 1],
  ...(PG_URL ? [['postgres', PG_URL, 0] as const] : []),
] as [string, string | undefined, number][])('ingest server on %s', (_name, pgUrl, decodeThreads) => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    srv = await startServer({
      decodeThreads,
      ...(pgUrl ? { store: pgUrl, pgSchema: `fleetsim_srv_${randomBytes(5).toString('hex')}` } : {}),
    });
  });
  afterAll(async () => {
    const store = srv.server.store as { dropSchema?: () => Promise<void> };
    await store.dropSchema?.();
    await srv.stop();
  });

  it('acknowledges a replayed batch as a duplicate and stores it once', async () => {
    const d = await enroll(srv.url, 'laptop-retry');
    const b = makeBatch({ deviceId: d.deviceId, sequence: 0 });
    const first = await upload(srv.url, d, b.body, T0);
    const again = await upload(srv.url, d, b.body, T0 + 1000);
    expect(first.json.status).toBe('stored');
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'duplicate', batch_id: Buffer.from(b.batchId).toString('hex'), sequence: 0 });
    // Concurrent retries of one batch (a client that timed out and resent): one row.
    const c = makeBatch({ deviceId: d.deviceId, sequence: 1 });
    const rs = await Promise.all([0, 1, 2, 3].map((i) => upload(srv.url, d, c.body, T0 + i)));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(rs.filter((r) => r.json.status === 'stored')).toHaveLength(1);
    expect(await srv.server.store.listBatches(d.deviceId)).toHaveLength(2);
    // A different batch under a taken sequence number is a conflict, not silently dropped.
    const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 1 }).body, T0);
    expect({ status: r.status, code: r.json.code }).toEqual({ status: 409, code: 'INGEST_SEQUENCE_CONFLICT' });
  });

  it('makes gaps in sequence numbers visible per device', async () => {
    const d = await enroll(srv.url, 'laptop-gappy');
    for (const s of [0, 1, 4, 5, 8])
      expect((await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: s }).body, T0)).status).toBe(200);
    const r = await request(srv.url, { method: 'GET', path: `/v1/devices/${d.deviceId}/gaps`, headers: { ...ADMIN_AUTH } });
    expect(r.json).toEqual({
      device_id: d.deviceId,
      gaps: [
        { from: 2, to: 3 },
        { from: 6, to: 7 },
      ],
    });
  });

  it('grants a pause capped by policy, then refuses and counts events the agent sent from inside it', async () => {
    const d = await enroll(srv.url, 'laptop-pauser');
    const pauseAt = T0 - 1_800_000;
    const g = await request(
      srv.url,
      signed(d, 'POST', `/v1/devices/${d.deviceId}/pause`, { wanted_ms: 3 * 3_600_000, at_ms: pauseAt }, T0),
    );
    expect(g.status).toBe(200);
    // The default policy caps a pause at 30 minutes, whatever was asked.
    expect(g.json).toEqual({ status: 'granted', window: { start_ms: pauseAt, end_ms: pauseAt + 1_800_000, ended_by: 'auto-resume' } });
    const again = await request(
      srv.url,
      signed(d, 'POST', `/v1/devices/${d.deviceId}/pause`, { wanted_ms: 60_000, at_ms: pauseAt + 60_000 }, T0),
    );
    expect({ status: again.status, code: again.json.code }).toEqual({ status: 409, code: 'POLICY_PAUSE_REFUSED' });
    // 1000 events, 10 ms apart, starting 5 s before the pause: 500 before, 500 inside.
    const b = makeBatch({ deviceId: d.deviceId, sequence: 0, events: 1000, startMs: pauseAt - 5000 });
    const r = await upload(srv.url, d, b.body, T0);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'stored', stored: 500, refused_paused: 500, refused_exempt: 0 });
    const [row] = await srv.server.store.listBatches(d.deviceId);
    const stored = decodeBatch(decompress(row!.payloadCodec, row!.payload, { maxOutputBytes: 1 << 20 }));
    expect(stored.events.length).toBe(500);
    for (let i = 0; i < stored.events.length; i++) expect(stored.events.t_ms[i]!).toBeLessThan(pauseAt);
    expect(row!.refusedPaused).toBe(500);
    const policy = await request(srv.url, signed(d, 'GET', `/v1/devices/${d.deviceId}/policy`, undefined, T0));
    expect(policy.json.pauses).toEqual([{ start_ms: pauseAt, end_ms: pauseAt + 1_800_000, ended_by: 'auto-resume' }]);
    const metrics = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(metrics.body).toMatch(/fleetsim_ingest_events_total\{result="refused",reason="paused"\} 500/);
  });

  it('stores the wire format older agents send (1) as it stores format 2, and enforces a pause on it alike', async () => {
    const d = await enroll(srv.url, 'laptop-format-1');
    const pauseAt = T0 - 900_000;
    const g = await request(srv.url, signed(d, 'POST', `/v1/devices/${d.deviceId}/pause`, { wanted_ms: 60_000, at_ms: pauseAt }, T0));
    expect(g.status).toBe(200);
    // 400 events, 10 ms apart, 2 s before the pause: 200 before it, 200 inside; a whole batch after it.
    const inPause = makeBatch({ deviceId: d.deviceId, sequence: 0, events: 400, startMs: pauseAt - 2000, format: 1 });
    const after = makeBatch({ deviceId: d.deviceId, sequence: 1, events: 300, startMs: pauseAt + 120_000, format: 1 });
    const same = makeBatch({ deviceId: d.deviceId, sequence: 1, events: 300, startMs: pauseAt + 120_000, batchId: after.batchId });
    // The fixtures really are two formats of the same events.
    expect(Buffer.from(after.encoded).equals(Buffer.from(same.encoded))).toBe(false);
    expect(decodeBatch(after.encoded)).toEqual(decodeBatch(same.encoded));
    expect((await upload(srv.url, d, inPause.body, T0)).json).toMatchObject({ status: 'stored', stored: 200, refused_paused: 200 });
    expect((await upload(srv.url, d, after.body, T0)).json).toMatchObject({ status: 'stored', stored: 300, refused_paused: 0 });
    const rows = await srv.server.store.listBatches(d.deviceId);
    const events = rows.map((row) => decodeBatch(decompress(row.payloadCodec, row.payload, { maxOutputBytes: 1 << 20 })).events);
    expect(events.map((e) => e.length)).toEqual([200, 300]);
    expect(events[1]).toEqual(decodeBatch(same.encoded).events);
  });

  it('records pauses the agent declares in a batch, capped by policy, and resumes end them early', async () => {
    const d = await enroll(srv.url, 'laptop-declarer');
    const at = T0 - 7_200_000;
    // The agent claims a 2-hour pause: the service keeps 30 minutes of it.
    const b = makeBatch({
      deviceId: d.deviceId,
      sequence: 0,
      events: 10,
      startMs: at - 1000,
      controls: [{ kind: 'pause', atMs: at, untilMs: at + 7_200_000 }],
    });
    expect((await upload(srv.url, d, b.body, T0)).json).toMatchObject({ stored: 10, refused_paused: 0 });
    const resume = await request(srv.url, signed(d, 'POST', `/v1/devices/${d.deviceId}/resume`, { at_ms: at + 600_000 }, T0));
    expect(resume.json).toEqual({ status: 'resumed', window: { start_ms: at, end_ms: at + 600_000, ended_by: 'resume' } });
    // Events after the resume are stored; events in the first 10 minutes are refused.
    const inside = makeBatch({ deviceId: d.deviceId, sequence: 1, events: 100, startMs: at + 599_000 });
    // 100 events from 1 s before the resume: 100 inside the shortened window, 0 after... 10 ms apart: 100 inside [at+599 s, at+600 s).
    const r = await upload(srv.url, d, inside.body, T0);
    expect(r.json).toMatchObject({ stored: 0, refused_paused: 100 });
    const after = makeBatch({ deviceId: d.deviceId, sequence: 2, events: 100, startMs: at + 600_000 });
    expect((await upload(srv.url, d, after.body, T0)).json).toMatchObject({ stored: 100, refused_paused: 0 });
  });

  it('refuses every event of an exempt device with 403 POLICY_EXEMPT, stores nothing, and counts them', async () => {
    const d = await enroll(srv.url, 'laptop-exempt');
    const set = await request(srv.url, {
      method: 'PUT',
      path: `/v1/devices/${d.deviceId}/exemption`,
      headers: { ...ADMIN_AUTH },
      body: JSON.stringify({ exempt: true, from_ms: T0 - 86_400_000 }),
    });
    expect(set.status).toBe(200);
    const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 0, events: 321 }).body, T0);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('POLICY_EXEMPT');
    expect(await srv.server.store.listBatches(d.deviceId)).toHaveLength(0);
    const metrics = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(metrics.body).toMatch(/fleetsim_ingest_events_total\{result="refused",reason="exempt"\} 321/);
  });

  it('treats an exemption marker inside a batch as exemption from then on', async () => {
    const d = await enroll(srv.url, 'laptop-marks-exempt');
    const b = makeBatch({ deviceId: d.deviceId, sequence: 0, events: 50, controls: [{ kind: 'exempt', atMs: T0 - 3_600_000 + 100 }] });
    const r = await upload(srv.url, d, b.body, T0);
    expect({ status: r.status, code: r.json.code }).toEqual({ status: 403, code: 'POLICY_EXEMPT' });
    const next = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 1 }).body, T0);
    expect(next.status).toBe(403);
  });

  it('exposes health, readiness and Prometheus metrics', async () => {
    expect((await request(srv.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await request(srv.url, { method: 'GET', path: '/readyz' })).status).toBe(200);
    const m = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    for (const name of [
      'fleetsim_ingest_requests_total',
      'fleetsim_ingest_batches_total',
      'fleetsim_ingest_events_total',
      'fleetsim_ingest_body_bytes_total',
      'fleetsim_ingest_request_duration_seconds_bucket',
      'fleetsim_ingest_store_write_seconds_bucket',
      'fleetsim_ingest_queue_depth',
    ])
      expect(m.body).toContain(name);
    expect(m.body).toMatch(/fleetsim_ingest_requests_total\{route="upload",status="200"\} \d+/);
    // Counters are handed to prom-client at the scrape: every byte of the bodies stored above is in it.
    const stored = await srv.server.store.listBatches();
    const bodyBytes = Number(/fleetsim_ingest_body_bytes_total (\d+)/.exec(m.body)?.[1]);
    expect(bodyBytes).toBeGreaterThanOrEqual(
      stored.filter((r) => r.payloadCodec !== 'identity').reduce((a, r) => a + r.payload.byteLength, 0),
    );
    const again = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(Number(/fleetsim_ingest_requests_total\{route="metrics",status="200"\} (\d+)/.exec(again.body)?.[1])).toBeGreaterThanOrEqual(1);
  });
});
