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

/** Buckets kept at most; a full-bucket reset only forgives, it never refuses anyone. */
const MAX_KEYS = 1_000_000;

export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly limit: RateLimit) {}

  /** ms until a token is free (0: one is), without taking it. */
  wait(key: string, nowMs: number): number {
    const b = this.buckets.get(key);
    if (b === undefined) return 0;
    const tokens = Math.min(this.limit.burst, b.tokens + ((nowMs - b.lastMs) * this.limit.perSecond) / 1000);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.limit.perSecond);
  }

  /** 0 when admitted, else ms until a token is free. */
  take(deviceId: string, nowMs: number): number {
    // Keys an attacker can mint (addresses) must not grow memory without bound: forget all past a size.
    if (this.buckets.size >= MAX_KEYS && !this.buckets.has(deviceId)) this.buckets.clear();
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
