import { describe, expect, it } from 'vitest';
import { CaptureAgent } from '../../src/agent/agent.js';
import { ManualClock } from '../../src/agent/clock.js';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/config.js';
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/transport.js';
import { EventType, InputContext, collectingWriter, type EventBlock } from '../../src/events/index.js';
import {
  binInputTimes,
  createFreshnessHistogram,
  decodeFreshness,
  encodeFreshness,
  freshnessFigures,
  recordAcknowledged,
} from '../../src/metrics/freshness.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createStream } from '../../src/random/index.js';

const T0 = Date.UTC(2026, 2, 3, 9);

/** Answers 503 until `okFrom` (agent clock), then 200. */
class Gate implements Transport {
  constructor(
    private readonly clock: ManualClock,
    private readonly okFromMs: number,
  ) {}
  async send(req: UploadRequest): Promise<UploadOutcome> {
    return {
      kind: 'response',
      status: this.clock.now() >= this.okFromMs ? 200 : 503,
      retryAfterMs: 60_000,
      requestBytes: req.body.byteLength,
    };
  }
}

/** One key press (down and up) every second over [fromMs, toMs) after T0. */
function typing(fromMs: number, toMs: number): EventBlock {
  const { writer, collect } = collectingWriter();
  for (let t = fromMs; t < toMs; t += 1000) {
    writer.push(t, EventType.keydown, 0, 0, 0, 0, InputContext.text, 0);
    writer.push(t + 50, EventType.keyup, 0, 0, 0, 0, InputContext.text, 0);
  }
  return collect();
}

describe('freshness: from input to acknowledgement, per event', () => {
  it('bins input times in 1 s bins and records each event at ack − input', () => {
    const t = Float64Array.from([0, 400, 1_000, 2_500, 9_999]);
    const bins = binInputTimes(t, t.length)!;
    expect(bins.stepMs).toBe(1000);
    expect([...bins.counts]).toEqual([2, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
    const h = createFreshnessHistogram();
    recordAcknowledged(h, bins, 10_500);
    // Bin middles 500, 1500, 2500 and 9500 ms: 10000, 9000, 8000 and 1000 ms before the ack.
    expect(h.totalCount).toBe(5);
    expect(freshnessFigures(h).max_s).toBeCloseTo(10, 1);
    expect(freshnessFigures(decodeFreshness(encodeFreshness(h)))).toEqual(freshnessFigures(h));
    expect(binInputTimes(t, 0)).toBeNull();
    expect(freshnessFigures(createFreshnessHistogram())).toEqual({ events: 0, p50_s: null, p95_s: null, max_s: null });
  });

  it('counts the batch age when uploads succeed, and the outage on top when they are refused and retried', async () => {
    const run = async (okFromMs: number) => {
      const clock = new ManualClock(T0);
      const agent = new CaptureAgent(
        {
          clock,
          transport: new Gate(clock, T0 + okFromMs),
          rng: createStream('freshness'),
          deviceId: 'E000001',
          rules: DEFAULT_POLICY_RULES,
          inputTimeOffsetMs: T0,
        },
        { ...DEFAULT_AGENT_CONFIG, batchMaxAgeMs: 60_000 },
      );
      agent.capture(typing(0, 60_000));
      for (let i = 0; i < 100; i++) {
        const next = clock.nextTimerMs();
        if (!Number.isFinite(next) || next > T0 + 3_600_000) break;
        clock.advanceTo(next);
        await agent.settled();
      }
      await agent.finish();
      await agent.close();
      return { f: freshnessFigures(agent.freshness), ledger: agent.ledger };
    };
    const ok = await run(0);
    expect(ok.f.events).toBe(ok.ledger.stored + ok.ledger.redacted);
    // One batch over a minute of typing, sealed 60 s after its first event: ~30 s at the median, ~60 s at most.
    expect(ok.f.p50_s!).toBeGreaterThan(25);
    expect(ok.f.p50_s!).toBeLessThan(35);
    expect(ok.f.max_s!).toBeLessThanOrEqual(60.5);
    // The service refuses until 10 minutes in: every event waits for the retry that succeeds.
    const late = await run(600_000);
    expect(late.f.events).toBe(ok.f.events);
    expect(late.f.p50_s! - ok.f.p50_s!).toBeGreaterThan(500);
  });
});
