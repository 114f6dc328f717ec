import type { Transport, UploadOutcome, UploadRequest } from '../agent/index.js';
import type { RandomStream } from '../random/index.js';
import type { Fault } from '../scenario/index.js';

/**
 * Faults of a scenario, applied where a laptop meets the network: at each
 * upload, in the laptop's virtual time. Times in a Fault are ms after 00:00 UTC
 * of the simulation's start date (a fleet spans timezones; an outage does not).
 *
 * - ingest-outage: connections refused; the request never leaves the laptop.
 * - http-errors: a share of requests answered with the status (and Retry-After)
 *   without reaching the service.
 * - connection-resets: a share of requests reach the service (which may store
 *   the batch) but the connection drops before the answer: the agent retries and
 *   the service must recognise the duplicate.
 * - duplicate-delivery: a share of requests are delivered twice.
 * - slow-responses: a share of answers delayed by delayMs of real time (only
 *   latency figures change: the laptop's virtual clock waits for nothing).
 * - laptops-offline: this laptop (drawn with the fault's share) cannot reach the
 *   network during the window.
 * - clock-skew is applied to the laptop's clock by the laptop driver, not here.
 */
export class FaultInjectingTransport implements Transport {
  /** Requests the faults intercepted or altered, by fault kind. */
  readonly injected: Record<string, number> = {};
  private readonly offline: boolean[];

  constructor(
    private readonly inner: Transport,
    private readonly faults: readonly Fault[],
    /** The laptop's virtual time, UTC epoch ms. */
    private readonly now: () => number,
    private readonly startDateUtcMs: number,
    private readonly rng: RandomStream,
  ) {
    // Whether this laptop is among the offline share is drawn once per fault.
    this.offline = faults.map((f) => f.kind === 'laptops-offline' && rng.next() < f.share);
  }

  async send(req: UploadRequest): Promise<UploadOutcome> {
    const t = this.now() - this.startDateUtcMs;
    let slowMs = 0;
    let duplicate = false;
    let reset = false;
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.kind === 'clock-skew' || f.kind === 'ingest-restart') continue;
      if (f.kind === 'duplicate-delivery') {
        if (this.rng.next() < f.share) duplicate = true;
        continue;
      }
      if (t < f.startMs || t >= f.endMs) continue;
      switch (f.kind) {
        case 'ingest-outage':
          return this.count(f.kind, { kind: 'network-error', message: 'ECONNREFUSED (injected outage)', requestBytes: 0 });
        case 'laptops-offline':
          if (this.offline[i])
            return this.count(f.kind, { kind: 'network-error', message: 'ENETUNREACH (laptop offline)', requestBytes: 0 });
          break;
        case 'http-errors':
          if (this.rng.next() < f.share) {
            return this.count(f.kind, {
              kind: 'response',
              status: f.status,
              ...(f.retryAfterSeconds !== null ? { retryAfterMs: f.retryAfterSeconds * 1000 } : {}),
              requestBytes: req.body.byteLength,
            });
          }
          break;
        case 'connection-resets':
          if (this.rng.next() < f.share) reset = true;
          break;
        case 'slow-responses':
          if (this.rng.next() < f.share) slowMs = Math.max(slowMs, f.delayMs);
          break;
      }
    }
    let outcome = await this.inner.send(req);
    if (duplicate) {
      this.injected['duplicate-delivery'] = (this.injected['duplicate-delivery'] ?? 0) + 1;
      outcome = await this.inner.send(req);
    }
    if (slowMs > 0) {
      this.injected['slow-responses'] = (this.injected['slow-responses'] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, slowMs));
    }
    if (reset)
      return this.count('connection-resets', {
        kind: 'network-error',
        message: 'ECONNRESET (injected after delivery)',
        requestBytes: outcome.requestBytes,
      });
    return outcome;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  private count(kind: string, o: UploadOutcome): UploadOutcome {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return o;
  }
}

/** The laptop's clock error in ms (0 unless a clock-skew fault draws this laptop). */
export function clockSkewMs(faults: readonly Fault[], rng: RandomStream): number {
  let skew = 0;
  for (const f of faults) {
    if (f.kind !== 'clock-skew') continue;
    if (rng.next() < f.share) skew += (rng.next() * 2 - 1) * f.maxSkewMinutes * 60_000;
  }
  return Math.round(skew);
}
