import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, latencyFigures } from '../../src/metrics/latency.js';

describe('latency figures', () => {
  it('never report a percentile above the largest latency recorded (HDR gives the top of a bucket)', () => {
    const h = createLatencyHistogram();
    // 17 requests, the slowest 15,569 µs: its HDR bucket's top is above it, and p99 and p99.9 land in that bucket.
    for (let i = 0; i < 16; i++) h.recordValue(1_000 + i * 37);
    h.recordValue(15_569);
    const f = latencyFigures(h);
    expect(f.max_ms).toBe(15.569);
    expect(f.p999_ms).toBe(15.569);
    expect(f.p99_ms).toBe(15.569);
    expect(f.p50_ms!).toBeLessThanOrEqual(f.p90_ms!);
    // Below the maximum, percentiles keep HDR's precision (3 significant digits).
    expect(Math.abs(f.p50_ms! - 1.296)).toBeLessThan(0.002);
  });
});
