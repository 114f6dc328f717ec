import * as hdr from 'hdr-histogram-js';

/**
 * Request latency in microseconds in an HDR histogram (3 significant digits,
 * 1 µs to 10 min): mergeable across workers through its compressed encoding,
 * and never rounded to 1 ms as some load tools do.
 */
export type LatencyHistogram = hdr.Histogram;

export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

export function encodeLatency(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeLatency(s: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(s);
}

/** Latency percentiles in ms (microsecond precision), or nulls when nothing was recorded. */
export interface LatencyFigures {
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
  requests: number;
}

/** Percentiles in ms (microsecond precision), or nulls when nothing was recorded. */
export function latencyFigures(h: LatencyHistogram): LatencyFigures {
  if (h.totalCount === 0) return { p50_ms: null, p90_ms: null, p99_ms: null, p999_ms: null, max_ms: null, requests: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  // HDR reports a percentile as the top of its bucket, which can lie above the largest value recorded (p99.9 of a
  // few hundred requests is the maximum's bucket): no percentile is reported above the maximum.
  const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
  return {
    p50_ms: at(50),
    p90_ms: at(90),
    p99_ms: at(99),
    p999_ms: at(99.9),
    max_ms: ms(h.maxValue),
    requests: h.totalCount,
  };
}
