/**
 * How a virtual-time laptop day moves time: input, the agent's timers and the
 * answers to the uploads they start, in time order. The agent under test is the
 * default one (src/agent/config.ts), so its backoff ceiling (upload.retryMaxMs,
 * 5 minutes) is what bounds the wait for a retry.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG, ManualClock, type Transport, type UploadOutcome, type UploadRequest } from '../../src/agent/index.js';
import { defaultDayEnvironment, simulateEmployeeDay } from '../../src/behaviour/index.js';
import { EventWriter, copyBlock, type EventBlock } from '../../src/events/index.js';
import { freshnessFigures } from '../../src/metrics/freshness.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../../src/policy/index.js';
import { DRAIN_HORIZON_MS, createLaptopAgent, runLaptopDay, type LaptopDayOptions } from '../../src/run/laptop-day.js';
import type { Fault } from '../../src/scenario/index.js';
import { AdapterError } from '../../src/targets/protocols/index.js';

const SEED = 'laptop-day';
const env = defaultDayEnvironment(SEED);
const MINUTE_MS = 60_000;
const { retryMaxMs } = DEFAULT_AGENT_CONFIG.upload;

/** Acknowledges every upload, keeping the bodies in upload order. */
class Ack implements Transport {
  readonly bodies: Uint8Array[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.bodies.push(req.body);
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength };
  }
}

/** The first employees who are not exempt (an exempt laptop uploads nothing). */
function employees(n: number) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const e = createEmployee(SEED, i, DEFAULT_POPULATION_PARAMS);
    if (!isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES)) out.push(e);
  }
  return out;
}

/** An ingest outage over [fromUtcMs, fromUtcMs + minutes). */
function outage(fromUtcMs: number, minutes: number): Extract<Fault, { kind: 'ingest-outage' }> {
  const startMs = fromUtcMs - env.calendar.startDateUtcMs;
  const at = new Date(fromUtcMs).toISOString().slice(11, 16);
  return { kind: 'ingest-outage', day: 1, at, durationMinutes: minutes, startMs, endMs: startMs + minutes * MINUTE_MS };
}

/** The day as the harness drove it before it stepped through timers: one block at a time, timers only where the clock jumped. */
async function blockByBlockDay(o: LaptopDayOptions) {
  const epoch = o.env.calendar.epochUtcMs;
  const { agent, clock, onPlanned } = createLaptopAgent(o, (skewMs) => new ManualClock(epoch + skewMs));
  const blocks: EventBlock[] = [];
  const writer = new EventWriter((block) => blocks.push(copyBlock(block)));
  const day = simulateEmployeeDay(o.employee, o.day, o.env, writer, onPlanned);
  writer.flush();
  for (const block of blocks) {
    clock.advanceTo((block.t_ms[0] as number) + epoch);
    agent.capture(block);
    await agent.settled();
  }
  const horizon = epoch + Math.max(day.plan.leaveMs, day.plan.dayStartMs) + DRAIN_HORIZON_MS;
  for (let next = clock.nextTimerMs(); next <= horizon; next = clock.nextTimerMs()) {
    clock.advanceTo(next);
    await agent.settled();
  }
  clock.advanceTo(horizon);
  await agent.finish();
  await agent.close();
  return agent;
}

describe('a virtual-time laptop day', () => {
  it('retries an upload refused by a 30-minute outage within the backoff ceiling, not at the employee’s next input', async () => {
    for (const employee of employees(3)) {
      const clean = await runLaptopDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport: new Ack() });
      const { arriveMs, lunch } = clean.day.plan;
      expect(lunch).not.toBeNull();
      const epoch = env.calendar.epochUtcMs;
      // One outage that ends while the employee is at lunch (no input for a while), one that ends mid-morning.
      for (const fromUtcMs of [epoch + lunch!.startMs - 20 * MINUTE_MS, epoch + arriveMs + 2 * 60 * MINUTE_MS]) {
        const fault = outage(fromUtcMs, 30);
        const endUtcMs = env.calendar.startDateUtcMs + fault.endMs;
        const attempts: number[] = [];
        const r = await runLaptopDay({
          employee,
          day: 0,
          env,
          agentConfig: DEFAULT_AGENT_CONFIG,
          transport: new Ack(),
          faults: [fault],
          onUploadAttempt: (utcMs) => attempts.push(utcMs),
        });
        const refused = r.injected['ingest-outage'] ?? 0;
        expect(refused).toBeGreaterThan(0);
        // From the first refusal until the backlog is through, the agent is never more than one
        // backoff ceiling without trying, during the outage and after it.
        const first = attempts.findIndex((t) => t >= fromUtcMs);
        const back = attempts.findIndex((t) => t >= endUtcMs);
        expect(back).toBe(first + refused);
        for (let i = first + 1; i <= back; i++) expect(attempts[i]! - attempts[i - 1]!).toBeLessThanOrEqual(retryMaxMs);
        expect(attempts[back]! - endUtcMs).toBeLessThanOrEqual(retryMaxMs);
        // Everything gets through, no later than outage + batch age + one backoff ceiling after its input.
        expect(r.agent.ledger).toEqual(clean.agent.ledger);
        const f = freshnessFigures(r.agent.freshness);
        expect(f.events).toBe(freshnessFigures(clean.agent.freshness).events);
        expect(f.max_s!).toBeLessThanOrEqual((30 * MINUTE_MS + DEFAULT_AGENT_CONFIG.batchMaxAgeMs + retryMaxMs) / 1000 + 1);
      }
    }
  });

  it("stops at the first upload whose adapter throws: the day rejects with the adapter's error after one attempt, no retries", async () => {
    const [employee] = employees(1);
    const thrown = new AdapterError(
      "--adapter /x/my-target.mjs: classify() threw: TypeError: Cannot read properties of undefined (reading 'kind')",
    );
    const attempts: number[] = [];
    const broken: unknown[] = [];
    const day = runLaptopDay({
      employee: employee!,
      day: 0,
      env,
      agentConfig: DEFAULT_AGENT_CONFIG,
      transport: {
        send: () => Promise.reject(thrown),
      },
      onUploadAttempt: (utcMs) => attempts.push(utcMs),
      onBroken: (err) => broken.push(err),
    });
    await expect(day).rejects.toBe(thrown);
    expect(attempts.length).toBe(1);
    expect(broken).toEqual([thrown]);
  });

  it('without faults, stepping through timers leaves every batch, cost and freshness figure as block-by-block driving gave', async () => {
    for (const employee of employees(3)) {
      const stepped = new Ack();
      const r = await runLaptopDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport: stepped });
      const blockwise = new Ack();
      const agent = await blockByBlockDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport: blockwise });
      expect(stepped.bodies.length).toBeGreaterThan(10);
      expect(stepped.bodies).toEqual(blockwise.bodies);
      expect(r.agent.ledger).toEqual(agent.ledger);
      expect(r.agent.costs).toEqual(agent.costs);
      expect(freshnessFigures(r.agent.freshness)).toEqual(freshnessFigures(agent.freshness));
    }
  });
});
