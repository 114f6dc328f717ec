import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/agent/clock.js';
import { isNetworkFailure, parseRetryAfterMs, type Transport, type UploadOutcome, type UploadRequest } from '../../src/agent/transport.js';
import { DEFAULT_UPLOAD_CONFIG, Uploader, type SpooledBatch, type UploadConfig } from '../../src/agent/uploader.js';
import { createStream } from '../../src/random/index.js';

/** A transport answering from a script; records every request it saw. */
class ScriptedTransport implements Transport {
  readonly seen: UploadRequest[] = [];
  /** The script may throw, as a transport whose protocol or own code fails does. */
  constructor(private readonly script: (n: number, req: UploadRequest) => UploadOutcome) {}
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.seen.push(req);
    return this.script(this.seen.length, req);
  }
}

const ok: UploadOutcome = { kind: 'response', status: 200, requestBytes: 100 };
const status = (s: number, extra: Partial<{ retryAfterMs: number; code: string }> = {}): UploadOutcome => ({
  kind: 'response',
  status: s,
  requestBytes: 100,
  ...extra,
});

function batch(sequence: number, bytes = 1000, events = 10): SpooledBatch {
  return { sequence, body: new Uint8Array(bytes), headers: { 'x-sequence': String(sequence) }, events, redacted: 1 };
}

function harness(script: (n: number) => UploadOutcome, config: Partial<UploadConfig> = {}) {
  const clock = new ManualClock(0);
  const transport = new ScriptedTransport(script);
  const log = {
    acked: [] as number[],
    lost: [] as [number, string][],
    stops: [] as string[],
    broken: [] as unknown[],
    wakeups: 0,
    radio: 0,
  };
  const up = new Uploader(
    clock,
    transport,
    createStream('uploader-test'),
    { ...DEFAULT_UPLOAD_CONFIG, ...config },
    {
      onAcknowledged: (b) => log.acked.push(b.sequence),
      onLost: (b, reason) => log.lost.push([b.sequence, reason]),
      onPolicyStop: (code, unsent) => log.stops.push(`${code}:${unsent.length}`),
      onBroken: (err) => log.broken.push(err),
      onWakeup: () => log.wakeups++,
      onRadioBytes: (b) => (log.radio += b),
    },
  );
  /** Lets the pending send resolve, then moves virtual time. */
  const step = async (toMs: number) => {
    await up.settled();
    clock.advanceTo(toMs);
    await up.settled();
  };
  return { clock, transport, up, log, step };
}

describe('uploader', () => {
  it('uploads in order over one connection and acknowledges each batch', async () => {
    const h = harness(() => ok);
    h.up.enqueue(batch(1), true);
    h.up.enqueue(batch(2), true);
    await h.step(0);
    await h.step(0);
    expect(h.log.acked).toEqual([1, 2]);
    expect(h.transport.seen.map((r) => r.headers['x-sequence'])).toEqual(['1', '2']);
    expect(h.up.idle).toBe(true);
  });

  it('retries 503 with exponential backoff and full jitter, within [0, base·2^(n−1)]', async () => {
    const h = harness((n) => (n <= 4 ? status(503) : ok), { retryBaseMs: 1000, retryMaxMs: 60_000 });
    h.up.enqueue(batch(1), true);
    const retryTimes: number[] = [];
    for (let i = 0; i < 4; i++) {
      await h.up.settled();
      const next = h.clock.nextTimerMs();
      retryTimes.push(next);
      h.clock.advanceTo(next);
    }
    await h.up.settled();
    expect(h.log.acked).toEqual([1]);
    const gaps = retryTimes.map((t, i) => t - (i === 0 ? 0 : retryTimes[i - 1]!));
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(0);
      expect(g).toBeLessThanOrEqual(1000 * 2 ** i);
    });
    // The same bytes and headers go out on every retry: ids are stable, so the server can deduplicate.
    expect(new Set(h.transport.seen.map((r) => r.body)).size).toBe(1);
    expect(h.log.wakeups).toBe(4);
  });

  it('honours Retry-After over its own backoff', async () => {
    const h = harness((n) => (n === 1 ? status(429, { retryAfterMs: 7000 }) : ok));
    h.up.enqueue(batch(1), true);
    await h.up.settled();
    expect(h.clock.nextTimerMs()).toBe(7000);
    await h.step(6999);
    expect(h.log.acked).toEqual([]);
    await h.step(7000);
    expect(h.log.acked).toEqual([1]);
  });

  it('retries network errors but not a 400, which is final and counted as lost', async () => {
    const h = harness((n) => (n === 1 ? { kind: 'network-error', message: 'ECONNRESET', requestBytes: 0 } : n === 2 ? status(400) : ok));
    h.up.enqueue(batch(1), true);
    h.up.enqueue(batch(2), true);
    await h.step(0);
    await h.step(h.clock.nextTimerMs());
    await h.step(h.clock.now());
    expect(h.log.lost).toEqual([[1, 'rejected']]);
    expect(h.log.acked).toEqual([2]);
  });

  it('stops at an exception that is not the network (a broken adapter, a bug): reported once, never retried, the batch kept', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'accepted')");
    const h = harness(() => {
      throw bug;
    });
    h.up.enqueue(batch(1), true);
    h.up.enqueue(batch(2), true);
    await h.step(0);
    expect(h.log.broken).toEqual([bug]);
    // No retry timer: a day of backoff would only repeat the exception and blame the network for it.
    expect(h.clock.nextTimerMs()).toBe(Infinity);
    h.up.enqueue(batch(3), false);
    await h.step(24 * 3_600_000);
    expect(h.transport.seen.length).toBe(1);
    expect(h.log.broken.length).toBe(1);
    expect(h.log.lost).toEqual([]);
    expect(h.up.spooled().map((b) => b.sequence)).toEqual([1, 2, 3]);
  });

  it('still retries a network failure a transport throws (a system error such as ECONNREFUSED)', async () => {
    const h = harness((n) => {
      if (n === 1) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', syscall: 'connect' });
      if (n === 2) throw Object.assign(new Error('getaddrinfo EAI_AGAIN ingest.local'), { code: 'EAI_AGAIN' });
      return ok;
    });
    h.up.enqueue(batch(1), true);
    await h.step(0);
    await h.step(h.clock.nextTimerMs());
    await h.step(h.clock.nextTimerMs());
    expect(h.log.broken).toEqual([]);
    expect(h.log.acked).toEqual([1]);
    expect(h.transport.seen.length).toBe(3);
  });

  it('caps the backoff at retryMaxMs', () => {
    const h = harness(() => ok, { retryBaseMs: 1000, retryMaxMs: 30_000 });
    for (let i = 0; i < 200; i++) expect(h.up.backoffMs(20)).toBeLessThanOrEqual(30_000);
  });

  it('keeps everything while the spool has room, then drops the oldest first and counts it', async () => {
    const h = harness(() => status(503), { spoolMaxBytes: 3500 });
    for (let s = 1; s <= 3; s++) h.up.enqueue(batch(s, 1000), true);
    await h.up.settled();
    expect(h.log.lost).toEqual([]);
    h.up.enqueue(batch(4, 1000), true);
    h.up.enqueue(batch(5, 1000), true);
    // Batch 1 is in flight (its retry is pending): the oldest others go first.
    expect(h.log.lost).toEqual([
      [1, 'spool_full'],
      [2, 'spool_full'],
    ]);
    expect(h.up.spooled().map((b) => b.sequence)).toEqual([3, 4, 5]);
    expect(h.up.pendingBytes).toBe(3000);
  });

  it('stops on a 403 with a policy code and hands back what was not sent', async () => {
    const h = harness(() => status(403, { code: 'POLICY_EXEMPT' }));
    h.up.enqueue(batch(1), true);
    h.up.enqueue(batch(2), true);
    await h.step(0);
    expect(h.log.stops).toEqual(['POLICY_EXEMPT:2']);
    expect(h.up.pendingBatches).toBe(0);
  });

  it('counts a wake-up for an upload started while the agent was asleep', async () => {
    const h = harness(() => ok);
    h.up.enqueue(batch(1), false);
    await h.step(0);
    h.up.enqueue(batch(2), true);
    await h.step(0);
    expect(h.log.wakeups).toBe(1);
  });
});

describe('what a transport throws: the network failing, or code', () => {
  it('takes system and socket errors (and what they caused) as the network, anything else as broken code', () => {
    const sys = (code: string, syscall?: string) => Object.assign(new Error(code), { code, ...(syscall ? { syscall } : {}) });
    expect(isNetworkFailure(sys('ECONNREFUSED', 'connect'))).toBe(true);
    expect(isNetworkFailure(sys('ENOTFOUND', 'getaddrinfo'))).toBe(true);
    expect(isNetworkFailure(sys('ECONNRESET'))).toBe(true);
    expect(isNetworkFailure(sys('UND_ERR_SOCKET'))).toBe(true);
    expect(isNetworkFailure(new TypeError('fetch failed', { cause: sys('ECONNREFUSED', 'connect') }))).toBe(true);
    expect(isNetworkFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true);
    expect(isNetworkFailure(sys('ERR_INVALID_ARG_TYPE'))).toBe(false);
    expect(isNetworkFailure(new TypeError("Cannot read properties of undefined (reading 'kind')"))).toBe(false);
    expect(isNetworkFailure(Object.assign(new Error('adapter threw'), { code: 'USAGE' }))).toBe(false);
    expect(isNetworkFailure('a string')).toBe(false);
    expect(isNetworkFailure(undefined)).toBe(false);
  });
});

describe('Retry-After parsing (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfterMs('120', 0)).toBe(120_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, 0)).toBeUndefined();
  });
});
