/**
 * The capture-hours rule on the server: events outside the hours, in the
 * device's local time (its timezone given at enrollment), are refused and
 * counted as a scheduled pause, as the agent does. A device enrolled without
 * a timezone is not checked (the service cannot know its local time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollmentError, enrollOverHttp } from '../../src/agent/http-transport.js';
import { allocateBlock } from '../../src/events/index.js';
import { keptEvents, refuseEvents } from '../../src/ingest/event-filter.js';
import { IngestError } from '../../src/ingest/index.js';
import { DEFAULT_POLICY_RULES, withinCaptureHours, type PolicyRules } from '../../src/policy/index.js';
import { utcOffsetMinutes } from '../../src/time/index.js';
import { decodeBatch, decompress } from '../../src/wire/index.js';
import { ADMIN_AUTH, FLEET_SECRET, T0, enroll, makeBatch, request, startServer, upload } from './helpers.js';

const NINE_TO_FIVE: PolicyRules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 9, endHour: 17 } };
/** 09:00 in Bangalore (UTC+05:30, no DST) on 2026-03-03. */
const KOLKATA_NINE = Date.UTC(2026, 2, 3, 3, 30);

function times(ts: readonly number[]): Float64Array {
  return Float64Array.from(ts);
}

/** The times refuseEvents kept, through keptEvents over a block of those times (as the upload route stores them). */
function keptTimes(ts: readonly number[], keep: Uint8Array | null): number[] {
  const b = allocateBlock(ts.length);
  ts.forEach((t, i) => (b.t_ms[i] = t));
  return keep === null ? [...ts] : Array.from(keptEvents(b, keep).t_ms);
}

describe('refuseEvents with capture hours', () => {
  it('refuses events before the start and from the end hour on, in the device local time', () => {
    const kolkata = { rules: NINE_TO_FIVE, utcOffsetMinutes: (ms: number) => utcOffsetMinutes('Asia/Kolkata', ms) };
    const fiveLocal = KOLKATA_NINE + 8 * 3_600_000;
    const ts = [KOLKATA_NINE - 1, KOLKATA_NINE, KOLKATA_NINE + 1, fiveLocal - 1, fiveLocal, fiveLocal + 60_000];
    const r = refuseEvents(times(ts), [], kolkata);
    expect({ inPauses: r.inPauses, outsideHours: r.outsideHours }).toEqual({ inPauses: 0, outsideHours: 3 });
    expect(keptTimes(ts, r.keep)).toEqual([KOLKATA_NINE, KOLKATA_NINE + 1, fiveLocal - 1]);
    // The rule off, or no timezone: nothing refused, nothing copied.
    expect(refuseEvents(times([KOLKATA_NINE - 1]), [], null).keep).toBeNull();
    expect(refuseEvents(times([KOLKATA_NINE - 1]), [], { ...kolkata, rules: DEFAULT_POLICY_RULES }).keep).toBeNull();
  });

  it('counts an event in a pause window once, as paused, even outside the hours; handles hours across midnight', () => {
    const night: PolicyRules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 22, endHour: 6 } };
    const utc = { rules: night, utcOffsetMinutes: () => 0 };
    const day = Date.UTC(2026, 2, 3);
    const ts = [day + 3 * 3_600_000, day + 12 * 3_600_000, day + 12 * 3_600_000 + 1, day + 23 * 3_600_000];
    const r = refuseEvents(times(ts), [{ startMs: day + 12 * 3_600_000, endMs: day + 12 * 3_600_000 + 2 }], utc);
    expect({ inPauses: r.inPauses, outsideHours: r.outsideHours }).toEqual({ inPauses: 2, outsideHours: 0 });
    const r2 = refuseEvents(times(ts), [], utc);
    expect({ inPauses: r2.inPauses, outsideHours: r2.outsideHours, kept: keptTimes(ts, r2.keep) }).toEqual({
      inPauses: 0,
      outsideHours: 2,
      kept: [ts[0], ts[3]],
    });
  });

  it("uses each event's own offset in a batch that spans a DST change (New York, 2026-03-08)", () => {
    const rules: PolicyRules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 2.5, endHour: 24 } };
    const ny = { rules, utcOffsetMinutes: (ms: number) => utcOffsetMinutes('America/New_York', ms) };
    // Every 10 minutes from 05:00Z (00:00 EST) to 09:00Z (05:00 EDT): the clock jumps from 02:00 to 03:00 at 07:00Z.
    const ts = Array.from({ length: 25 }, (_, i) => Date.UTC(2026, 2, 8, 5) + i * 600_000);
    const r = refuseEvents(times(ts), [], ny);
    const expected = ts.filter(
      (t) => !withinCaptureHours(((t + utcOffsetMinutes('America/New_York', t) * 60_000) % 86_400_000) / 3_600_000, rules),
    ).length;
    // 00:00–01:50 EST (12 events) are before 02:30; after the jump every local time is 03:00 or later.
    expect(expected).toBe(12);
    expect(r.outsideHours).toBe(expected);
  });
});

describe('the service checks capture hours when it knows the device timezone', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    srv = await startServer({ rules: NINE_TO_FIVE });
  });
  afterAll(async () => srv.stop());

  it('refuses and counts events before 09:00 local of a device enrolled with its timezone, and stores the rest', async () => {
    const d = await enrollOverHttp({ url: srv.url, fleetSecret: FLEET_SECRET, deviceId: 'laptop-bangalore', timezone: 'Asia/Kolkata' });
    // 200 events 10 ms apart from 1 s before 09:00 local: 100 before, 100 after.
    const b = makeBatch({ deviceId: d.deviceId, sequence: 0, events: 200, startMs: KOLKATA_NINE - 1000 });
    const r = await upload(srv.url, d, b.body, T0);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'stored', stored: 100, refused_paused: 100, refused_outside_hours: 100, refused_exempt: 0 });
    const [row] = await srv.server.store.listBatches(d.deviceId);
    expect(row!.refusedPaused).toBe(100);
    const stored = decodeBatch(decompress(row!.payloadCodec, row!.payload, { maxOutputBytes: 1 << 20 })).events;
    expect(stored.length).toBe(100);
    for (let i = 0; i < stored.length; i++) expect(stored.t_ms[i]!).toBeGreaterThanOrEqual(KOLKATA_NINE);
    const metrics = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(metrics.body).toMatch(/fleetsim_ingest_events_total\{result="refused",reason="outside_capture_hours"\} 100/);
  });

  it('leaves a device enrolled without a timezone unchecked, and checks it once it enrolls again with one (after an admin reinstates it)', async () => {
    const d = await enroll(srv.url, 'laptop-somewhere');
    const r = await upload(
      srv.url,
      d,
      makeBatch({ deviceId: d.deviceId, sequence: 0, events: 200, startMs: KOLKATA_NINE - 1000 }).body,
      T0,
    );
    expect(r.json).toMatchObject({ stored: 200, refused_paused: 0, refused_outside_hours: 0 });
    // The fleet secret alone cannot change an enrolled device (it would be anyone's lever on any laptop's capture hours).
    await expect(
      enrollOverHttp({ url: srv.url, fleetSecret: FLEET_SECRET, deviceId: d.deviceId, timezone: 'Asia/Kolkata' }),
    ).rejects.toMatchObject({ status: 409, code: 'AUTH_ALREADY_ENROLLED' });
    for (const action of ['revoke', 'reinstate'])
      expect((await request(srv.url, { path: `/v1/devices/${d.deviceId}/${action}`, headers: { ...ADMIN_AUTH }, body: '{}' })).status).toBe(
        200,
      );
    const again = await enrollOverHttp({ url: srv.url, fleetSecret: FLEET_SECRET, deviceId: d.deviceId, timezone: 'Asia/Kolkata' });
    expect(Buffer.from(again.key).equals(Buffer.from(d.key))).toBe(false);
    const r2 = await upload(
      srv.url,
      again,
      makeBatch({ deviceId: d.deviceId, sequence: 1, events: 200, startMs: KOLKATA_NINE - 1000 }).body,
      T0,
    );
    expect(r2.json).toMatchObject({ stored: 100, refused_paused: 100, refused_outside_hours: 100 });
  });

  it('refuses an enrollment whose timezone is not an IANA zone, saying what is allowed', async () => {
    const bad = enrollOverHttp({ url: srv.url, fleetSecret: FLEET_SECRET, deviceId: 'laptop-mars', timezone: 'Mars/Olympus_Mons' });
    await expect(bad).rejects.toBeInstanceOf(EnrollmentError);
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'INGEST_BAD_JSON' });
    const r = await request(srv.url, {
      path: '/v1/enroll',
      headers: { authorization: `Fleet ${FLEET_SECRET}` },
      body: JSON.stringify({ device_id: 'laptop-n', timezone: 5 }),
    });
    expect({ status: r.status, code: r.json.code }).toEqual({ status: 400, code: 'INGEST_BAD_JSON' });
    expect(r.json.message).toMatch(/IANA timezone \(e\.g\. "Europe\/Berlin"/);
    await expect(srv.server.enroll('laptop-x', { timezone: 'Nowhere/Town' })).rejects.toBeInstanceOf(IngestError);
    await expect(enrollOverHttp({ url: srv.url, fleetSecret: 'wrong-secret-wrong-secret', deviceId: 'laptop-y' })).rejects.toMatchObject({
      status: 401,
      code: 'AUTH_BAD_FLEET_SECRET',
    });
  });
});
