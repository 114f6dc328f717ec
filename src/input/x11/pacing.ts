/**
 * Real-clock pacing for a replay: wait until an event's wall time, and keep
 * how late each injection was in an HDR histogram (µs).
 */
import { performance } from 'node:perf_hooks';
import { createLatencyHistogram, type LatencyHistogram } from '../../metrics/latency.js';
import type { InjectionLateness } from '../types.js';

/** Wall clock in epoch ms with sub-ms resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves at wall time dueMs (never early), or as soon as signal aborts. */
export function waitUntil(dueMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const tick = () => {
      const left = dueMs - nowMs();
      if (left <= 0 || signal?.aborted) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      } else {
        timer = setTimeout(tick, Math.max(1, Math.ceil(left)));
      }
    };
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    let timer = setTimeout(tick, 0);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class LatenessMeter {
  private readonly h: LatencyHistogram = createLatencyHistogram();

  record(lateMs: number): void {
    this.h.recordValue(Math.max(0, Math.round(lateMs * 1000)));
  }

  figures(): InjectionLateness {
    const h = this.h;
    if (h.totalCount === 0) return { injected: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 };
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      injected: h.totalCount,
      p50_ms: ms(h.getValueAtPercentile(50)),
      p99_ms: ms(h.getValueAtPercentile(99)),
      max_ms: ms(h.maxValue),
    };
  }
}
