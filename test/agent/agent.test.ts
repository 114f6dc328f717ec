import { describe, expect, it } from 'vitest';
import { CaptureAgent } from '../../src/agent/agent.js';
import { ManualClock } from '../../src/agent/clock.js';
import { DEFAULT_AGENT_CONFIG, type AgentConfig } from '../../src/agent/config.js';
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/transport.js';
import { simulateEmployeeDay, defaultDayEnvironment } from '../../src/behaviour/index.js';
import { BytePool, EventWriter, collectingWriter, sliceBlock, type EventBlock } from '../../src/events/index.js';
import { countLeakedCanaries, rebuildTypedText } from '../../src/metrics/leaks.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, type Employee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createStream } from '../../src/random/index.js';
import { codecFromContentEncoding, decodeBatch, decompress, type DecodedBatch } from '../../src/wire/index.js';

/** A stand-in for the ingest service: decompresses and decodes every body, as the real one must. */
class DecodingServer implements Transport {
  readonly batches: DecodedBatch[] = [];
  constructor(private readonly answer: (n: number) => number = () => 200) {}
  async send(req: UploadRequest): Promise<UploadOutcome> {
    const status = this.answer(this.batches.length + 1);
    const requestBytes = req.body.byteLength + JSON.stringify(req.headers).length;
    if (status !== 200) return { kind: 'response', status, requestBytes };
    const raw = decompress(codecFromContentEncoding(req.headers['content-encoding']), req.body, { maxOutputBytes: 64 << 20 });
    this.batches.push(decodeBatch(raw));
    return { kind: 'response', status: 200, requestBytes };
  }
}

const P = DEFAULT_POPULATION_PARAMS;
const env = defaultDayEnvironment('agent');
const calendar = env.calendar;

/** Runs one employee-day through the agent on a virtual clock; returns everything a test needs. */
/** An employee's agent on a virtual clock at the calendar's start, uploading to `server`. */
function dayAgent(employee: Employee, server: DecodingServer, config: AgentConfig = DEFAULT_AGENT_CONFIG, buffers?: BytePool) {
  const clock = new ManualClock(calendar.epochUtcMs);
  const agent = new CaptureAgent(
    {
      clock,
      transport: server,
      rng: createStream('agent', employee.index),
      deviceId: employee.id,
      rules: DEFAULT_POLICY_RULES,
      inputTimeOffsetMs: calendar.epochUtcMs,
      ...(buffers ? { buffers } : {}),
    },
    config,
  );
  return { clock, agent };
}

async function runDay(employee: Employee, config: AgentConfig = DEFAULT_AGENT_CONFIG, server = new DecodingServer()) {
  const { clock, agent } = dayAgent(employee, server, config);
  const activeMinutes = new Set<number>();
  const writer = new EventWriter((block: EventBlock) => {
    clock.advanceTo(block.t_ms[0]! + calendar.epochUtcMs);
    for (let i = 0; i < block.length; i++) activeMinutes.add(Math.floor(block.t_ms[i]! / 60_000));
    agent.capture(block);
  });
  const day = simulateEmployeeDay(employee, 0, env, writer, ({ plan, pauses }) => {
    // The agent decides each request itself with the same policy code; it must agree with the plan.
    for (const w of pauses.windows) {
      const d = agent.requestPause(w.startMs + calendar.epochUtcMs, w.endMs - w.startMs, plan.dayStartMs + calendar.epochUtcMs);
      expect(d.kind).toBe('granted');
    }
  });
  writer.flush();
  clock.advanceTo(calendar.epochUtcMs + day.plan.leaveMs + 3_600_000);
  await agent.finish();
  await agent.close();
  return { agent, server, day, produced: writer.total, activeMinutes: activeMinutes.size };
}

describe('capture agent on a simulated day', () => {
  it('accounts for every event in exactly one fate, and what the server decoded matches the ledger', async () => {
    const { agent, server, produced } = await runDay(createEmployee('agent', 3, P));
    expect(agent.ledger.produced).toBe(produced);
    expect(ledgerImbalance(agent.ledger)).toBe(0);
    const decoded = server.batches.reduce((a, b) => a + b.events.length, 0);
    expect(agent.ledger.stored + agent.ledger.redacted).toBe(decoded);
    expect(agent.ledger.lost).toBe(0);
    expect(agent.ledger.spooled).toBe(0);
    expect(agent.ledger.coalesced).toBeGreaterThan(0);
  });

  it('lets no planted canary reach an uploaded batch (12 employees of mixed roles)', async () => {
    let planted = 0;
    for (let i = 0; i < 12; i++) {
      const { server, day } = await runDay(createEmployee('canary', i, P));
      const text = rebuildTypedText(server.batches.map((b) => b.events));
      // Verbatim, or for card numbers and SSNs in any other grouping.
      expect(countLeakedCanaries(text, day.canaries)).toBe(0);
      planted += day.canaries.length;
    }
    expect(planted).toBeGreaterThan(20);
  });

  it('captures nothing inside pause windows and records them for the server', async () => {
    // Find an employee who pauses today.
    for (let i = 0; i < 200; i++) {
      const e = createEmployee('pauser', i, P);
      if (e.pause.pausesPerDay < 2) continue;
      const { agent, server, day } = await runDay(e);
      if (day.pauses.windows.length === 0) continue;
      expect(agent.ledger.dropped_paused).toBeGreaterThan(0);
      for (const b of server.batches) {
        for (let k = 0; k < b.events.length; k++) {
          const t = b.events.t_ms[k]! - calendar.epochUtcMs;
          for (const w of day.pauses.windows) expect(t >= w.startMs && t < w.endMs).toBe(false);
        }
      }
      const pauses = server.batches.flatMap((b) => b.controls.filter((c) => c.kind === 'pause'));
      expect(pauses.length).toBe(day.pauses.windows.length);
      return;
    }
    throw new Error('no employee paused in 200: the pause habit model changed');
  });

  it('drops everything of an exempt employee as dropped_exempt and uploads nothing', async () => {
    const e = createEmployee('exempt', 1, P);
    const server = new DecodingServer();
    const clock = new ManualClock(calendar.epochUtcMs);
    const agent = new CaptureAgent(
      {
        clock,
        transport: server,
        rng: createStream('x'),
        deviceId: e.id,
        rules: { ...DEFAULT_POLICY_RULES, exemptionApprovalRate: 1 },
        inputTimeOffsetMs: calendar.epochUtcMs,
      },
      DEFAULT_AGENT_CONFIG,
    );
    agent.setExemption(true, 0.5);
    const writer = new EventWriter((b) => agent.capture(b));
    simulateEmployeeDay(e, 0, env, writer);
    writer.flush();
    await agent.finish();
    await agent.close();
    expect(agent.ledger.dropped_exempt).toBe(agent.ledger.produced);
    expect(server.batches).toHaveLength(0);
  });

  it('wakes at most once per active minute and never while idle; stays under 1 MB per day', async () => {
    const { agent, activeMinutes, server } = await runDay(createEmployee('cost', 5, P));
    expect(agent.costs.wakeups).toBeLessThanOrEqual(activeMinutes);
    // One batch per stretch of activity at most every minute: no timer fires without input before it.
    expect(agent.costs.batches).toBe(server.batches.length);
    expect(agent.costs.radioBytes).toBeLessThan(1_000_000);
  });

  it('keeps captured data when the server is down for a while, and delivers it after', async () => {
    const server = new DecodingServer((n) => (n <= 5 ? 503 : 200));
    const { agent } = await runDay(createEmployee('outage', 2, P), DEFAULT_AGENT_CONFIG, server);
    expect(agent.ledger.lost).toBe(0);
    expect(ledgerImbalance(agent.ledger)).toBe(0);
    expect(agent.ledger.stored + agent.ledger.redacted).toBe(server.batches.reduce((a, b) => a + b.events.length, 0));
  });
});

describe('capture agents sharing a BytePool', () => {
  /** Three employees' days, captured side by side a block at a time: with `buffers` shared, or each with fresh storage. */
  async function sideBySide(buffers: BytePool | undefined): Promise<DecodedBatch[][]> {
    const employees = [5, 6, 7].map((i) => createEmployee('agent', i, P));
    const lanes = employees.map((employee) => {
      const { writer, collect } = collectingWriter(512);
      const day = simulateEmployeeDay(employee, 0, env, writer);
      const events = collect();
      const server = new DecodingServer();
      const { clock, agent } = dayAgent(employee, server, DEFAULT_AGENT_CONFIG, buffers);
      return { day, events, clock, server, agent, at: 0 };
    });
    // Blocks of up to 97 events, one lane after another: every agent's batch and movement grow while the others' do.
    for (let more = true; more;) {
      more = false;
      for (const l of lanes) {
        if (l.at >= l.events.length) continue;
        const to = Math.min(l.at + 97, l.events.length);
        const block = sliceBlock(l.events, l.at, to);
        l.clock.advanceTo(block.t_ms[0]! + calendar.epochUtcMs);
        l.agent.capture(block);
        l.at = to;
        more = true;
      }
    }
    for (const l of lanes) {
      l.clock.advanceTo(calendar.epochUtcMs + l.day.plan.leaveMs + 3_600_000);
      await l.agent.finish();
      await l.agent.close();
    }
    return lanes.map((l) => l.server.batches);
  }

  it('uploads exactly what agents with their own storage upload', async () => {
    const pool = new BytePool(1 << 20);
    const pooled = await sideBySide(pool);
    const fresh = await sideBySide(undefined);
    expect(pooled.map((b) => b.length)).toEqual(fresh.map((b) => b.length));
    expect(pooled.flat().length).toBeGreaterThan(3);
    expect(pooled).toEqual(fresh);
    // Closed agents gave their storage back.
    expect(pool.idleBytes).toBeGreaterThan(0);
  });
});
