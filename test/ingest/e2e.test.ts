/**
 * End to end: simulated employee-days through the real CaptureAgent, its
 * uploads over HttpTransport signed by the auth module's signer (the agent's
 * signRequest hook), into the real service on loopback with a SQLite file.
 * The store must hold exactly what the agent's ledger says was acknowledged,
 * and no planted canary can be rebuilt from the stored keystrokes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureAgent, DEFAULT_AGENT_CONFIG, ManualClock } from '../../src/agent/index.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import { createRequestSigner, type DeviceCredentials } from '../../src/auth/index.js';
import { simulateEmployeeDay, defaultDayEnvironment } from '../../src/behaviour/index.js';
import { EventWriter, copyBlock, type EventBlock } from '../../src/events/index.js';
import { countLeakedCanaries, rebuildTypedText } from '../../src/metrics/leaks.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, type Employee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../../src/policy/index.js';
import { createStream } from '../../src/random/index.js';
import { decodeBatch, decompress } from '../../src/wire/index.js';
import { enroll, request, startServer } from './helpers.js';

const P = DEFAULT_POPULATION_PARAMS;
const env = defaultDayEnvironment('e2e');
const calendar = env.calendar;

let srv: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  // Real wall clock; a simulated day replays in seconds, so the per-device rate limit is lifted and old windows allowed.
  srv = await startServer({ now: Date.now, limits: { rate: { perSecond: 1e6, burst: 1e6 }, maxAgeMs: 20 * 365 * 86_400_000 } });
});
afterAll(async () => srv.stop());

/** Each device enrolls once (its key is handed out once); employee ids repeat across the tests of this file. */
const enrolled = new Map<string, DeviceCredentials>();
async function credsOf(deviceId: string): Promise<DeviceCredentials> {
  let c = enrolled.get(deviceId);
  if (c === undefined) {
    c = await enroll(srv.url, deviceId);
    enrolled.set(deviceId, c);
  }
  return c;
}

async function runDayOverHttp(employee: Employee) {
  const creds = await credsOf(employee.id);
  // Signed per attempt with the wall clock (the service checks the skew against its own).
  const transport = new HttpTransport({
    url: `${srv.url}/v1/batches`,
    timeoutMs: 10_000,
    sign: createRequestSigner(creds, Date.now, 'authorization'),
  });
  const clock = new ManualClock(calendar.epochUtcMs);
  const agent = new CaptureAgent(
    {
      clock,
      transport,
      rng: createStream('e2e-agent', employee.index),
      deviceId: employee.id,
      rules: DEFAULT_POLICY_RULES,
      inputTimeOffsetMs: calendar.epochUtcMs,
    },
    DEFAULT_AGENT_CONFIG,
  );
  agent.setExemption(employee.exemptionRequested, employee.exemptionDraw);
  const blocks: EventBlock[] = [];
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)));
  const day = simulateEmployeeDay(employee, 0, env, writer, ({ plan, pauses }) => {
    for (const w of pauses.windows)
      agent.requestPause(w.startMs + calendar.epochUtcMs, w.endMs - w.startMs, plan.dayStartMs + calendar.epochUtcMs);
  });
  writer.flush();
  for (const b of blocks) {
    clock.advanceTo(b.t_ms[0]! + calendar.epochUtcMs);
    agent.capture(b);
    await agent.settled();
  }
  clock.advanceTo(calendar.epochUtcMs + day.plan.leaveMs + 3_600_000);
  await agent.finish();
  await agent.close();
  await transport.close();
  return { agent, day };
}

describe('agent → HttpTransport → ingest service → SQLite', () => {
  it('stores exactly the events the agent counts as acknowledged, refuses none, and leaks no canary', async () => {
    let pausedDays = 0;
    let planted = 0;
    let employees = 0;
    for (let i = 0; employees < 3 && i < 50; i++) {
      const e = createEmployee('e2e', i, P);
      if (isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES)) continue;
      employees++;
      const { agent, day } = await runDayOverHttp(e);
      expect(ledgerImbalance(agent.ledger)).toBe(0);
      expect(agent.ledger.lost).toBe(0);
      expect(agent.ledger.spooled).toBe(0);
      const rows = await srv.server.store.listBatches(e.id);
      expect(rows.length).toBe(agent.costs.batches);
      let storedEvents = 0;
      const blocks: EventBlock[] = [];
      for (const r of rows) {
        const batch = decodeBatch(decompress(r.payloadCodec, r.payload, { maxOutputBytes: 64 << 20 }));
        expect(batch.events.length).toBe(r.eventCount);
        expect(r.refusedPaused).toBe(0);
        storedEvents += r.eventCount;
        blocks.push(batch.events);
      }
      expect(storedEvents).toBe(agent.ledger.stored + agent.ledger.redacted);
      expect(countLeakedCanaries(rebuildTypedText(blocks), day.canaries)).toBe(0);
      planted += day.canaries.length;
      // The service recorded the pauses the agent declared in its batches.
      const gaps = await srv.server.store.sequenceGaps(e.id);
      expect(gaps).toEqual([]);
      if (day.pauses.windows.length > 0) pausedDays++;
    }
    expect(employees).toBe(3);
    expect(planted).toBeGreaterThan(0);
    const m = await request(srv.url, { method: 'GET', path: '/metrics' });
    expect(m.body).toMatch(/fleetsim_ingest_batches_total\{result="stored",reason=""\} \d+/);
    void pausedDays;
  });

  it('stops capture when the service says the employee is exempt (403 POLICY_EXEMPT over HTTP)', async () => {
    let e = createEmployee('e2e-exempt', 0, P);
    for (let i = 1; isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES); i++) e = createEmployee('e2e-exempt', i, P);
    // Employee ids are per index, not per seed: this device may already hold the first test's batches.
    await credsOf(e.id);
    const before = (await srv.server.store.listBatches(e.id)).length;
    const r = await request(srv.url, {
      method: 'PUT',
      path: `/v1/devices/${e.id}/exemption`,
      headers: { authorization: 'Admin test-admin-secret-0123456789' },
      body: JSON.stringify({ exempt: true, from_ms: 0 }),
    });
    expect(r.status).toBe(200);
    const { agent } = await runDayOverHttp(e);
    expect(agent.isExempt).toBe(true);
    expect(await srv.server.store.listBatches(e.id)).toHaveLength(before);
    expect(agent.ledger.stored).toBe(0);
    expect(ledgerImbalance(agent.ledger)).toBe(0);
  });
});
