import { describe, expect, it } from 'vitest';
import { CaptureAgent } from '../../src/agent/agent.js';
import { ManualClock } from '../../src/agent/clock.js';
import { DEFAULT_AGENT_CONFIG, type AgentConfig } from '../../src/agent/config.js';
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/transport.js';
import { EventType, InputContext, collectingWriter, type EventBlock } from '../../src/events/index.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createStream } from '../../src/random/index.js';
import { decodeBatch, decompress } from '../../src/wire/index.js';

class Sink implements Transport {
  readonly requests: UploadRequest[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.requests.push(req);
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength };
  }
}

const T0 = Date.UTC(2026, 2, 3, 9);

/** Key presses every `everyMs` from `fromMs` to `toMs` (relative to T0). */
function typing(fromMs: number, toMs: number, everyMs: number): EventBlock {
  const { writer, collect } = collectingWriter();
  for (let t = fromMs; t < toMs; t += everyMs) {
    writer.push(t, EventType.keydown, 0, 0, 0, 0, InputContext.text, 0);
    writer.push(t + 50, EventType.keyup, 0, 0, 0, 0, InputContext.text, 0);
  }
  return collect();
}

function agentWith(config: Partial<AgentConfig> = {}) {
  const clock = new ManualClock(T0);
  const sink = new Sink();
  const agent = new CaptureAgent(
    { clock, transport: sink, rng: createStream('batching'), deviceId: 'E000001', rules: DEFAULT_POLICY_RULES, inputTimeOffsetMs: T0 },
    { ...DEFAULT_AGENT_CONFIG, ...config },
  );
  return { clock, sink, agent };
}

describe('batching', () => {
  it('seals a batch batchMaxAge after its first event, then stays asleep while the user is idle', async () => {
    const { clock, sink, agent } = agentWith({ batchMaxAgeMs: 60_000 });
    // Ten seconds of typing, then nothing for an hour.
    clock.advanceTo(T0);
    agent.capture(typing(0, 10_000, 200));
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceTo(T0 + 59_999);
    expect(agent.costs.batches).toBe(0);
    clock.advanceTo(T0 + 60_000);
    await agent.settled();
    expect(agent.costs.batches).toBe(1);
    expect(agent.costs.wakeups).toBe(1);
    // Idle: no timer armed, no further wake-ups for the rest of the hour.
    expect(clock.pendingTimers()).toBe(0);
    clock.advanceTo(T0 + 3_600_000);
    expect(agent.costs.wakeups).toBe(1);
    const b = decodeBatch(decompress('br', sink.requests[0]!.body, { maxOutputBytes: 1 << 20 }));
    expect(b.events.length).toBe(100);
    expect(b.header.windowStartMs).toBe(T0);
    expect(b.header.windowEndMs).toBe(T0 + 60_000);
  });

  it('starts a new batch with the next event after the deadline, with consecutive sequence numbers', async () => {
    const { clock, sink, agent } = agentWith({ batchMaxAgeMs: 60_000 });
    clock.advanceTo(T0);
    // Continuous typing for 3.5 minutes, delivered in one block: deadlines pass inside it.
    agent.capture(typing(0, 210_000, 500));
    clock.advanceTo(T0 + 400_000);
    await agent.finish();
    const seqs = sink.requests.map((r) => Number(r.headers['x-fleetsim-sequence']));
    expect(seqs).toEqual([0, 1, 2, 3]);
    const batches = sink.requests.map((r) => decodeBatch(decompress('br', r.body, { maxOutputBytes: 1 << 20 })));
    for (const b of batches) expect(b.header.windowEndMs - b.header.windowStartMs).toBeLessThanOrEqual(60_000);
    expect(batches.reduce((a, b) => a + b.events.length, 0)).toBe(840);
    // One wake-up per minute of activity at most.
    expect(agent.costs.wakeups).toBeLessThanOrEqual(4);
  });

  it('seals early when a batch reaches batchMaxEvents', async () => {
    const { clock, sink, agent } = agentWith({ batchMaxEvents: 100 });
    clock.advanceTo(T0);
    agent.capture(typing(0, 30_000, 100));
    await agent.finish();
    const sizes = sink.requests.map((r) => decodeBatch(decompress('br', r.body, { maxOutputBytes: 1 << 20 })).events.length);
    expect(sizes.slice(0, -1).every((n) => n === 100)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('uses the configured codec and says so in Content-Encoding', async () => {
    const { clock, sink, agent } = agentWith({ codec: 'gzip', compressionLevel: 6 });
    clock.advanceTo(T0);
    agent.capture(typing(0, 5_000, 100));
    await agent.finish();
    expect(sink.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(decodeBatch(decompress('gzip', sink.requests[0]!.body, { maxOutputBytes: 1 << 20 })).events.length).toBe(100);
    await agent.close();
    expect(ledgerImbalance(agent.ledger)).toBe(0);
  });

  it('stops capturing for good after a 403 policy answer and counts what it held as dropped_exempt', async () => {
    const clock = new ManualClock(T0);
    const transport: Transport = { send: async () => ({ kind: 'response', status: 403, code: 'POLICY_EXEMPT', requestBytes: 10 }) };
    const agent = new CaptureAgent(
      { clock, transport, rng: createStream('x'), deviceId: 'E1', rules: DEFAULT_POLICY_RULES, inputTimeOffsetMs: T0 },
      { ...DEFAULT_AGENT_CONFIG, batchMaxEvents: 50 },
    );
    clock.advanceTo(T0);
    agent.capture(typing(0, 10_000, 100));
    await agent.settled();
    agent.capture(typing(20_000, 25_000, 100));
    await agent.finish();
    await agent.close();
    expect(agent.isExempt).toBe(true);
    expect(agent.ledger.stored).toBe(0);
    expect(agent.ledger.dropped_exempt).toBe(agent.ledger.produced);
    expect(ledgerImbalance(agent.ledger)).toBe(0);
  });
});
