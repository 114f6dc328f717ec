/**
 * Per-device token bucket. An honest agent uploads every few minutes
 * (DEFAULT_AGENT_CONFIG seals a batch after 5 minutes) and retries with
 * backoff, so a few requests a second with a burst for catching up after an
 * outage (a spool of batches sent back to back) is generous; a device over it
 * gets 429 with the time until its next token.
 */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly limit: RateLimit) {}

  /** 0 when admitted, else ms until a token is free. */
  take(deviceId: string, nowMs: number): number {
    const { perSecond, burst } = this.limit;
    let b = this.buckets.get(deviceId);
    if (b === undefined) {
      b = { tokens: burst, lastMs: nowMs };
      this.buckets.set(deviceId, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((nowMs - b.lastMs) * perSecond) / 1000);
      b.lastMs = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / perSecond);
  }
}
