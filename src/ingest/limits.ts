/**
 * What the service accepts, checked before it does the work each limit
 * protects (authentication before reading the body, the compressed size
 * before reading it, the inflated size while inflating, the event count
 * before allocating columns).
 */
import { DEFAULT_PAUSE_BOUNDS, type PauseBounds } from './policy-state.js';
import type { RateLimit } from './rate-limit.js';
import { DEFAULT_MAX_SKEW_MS } from '../auth/index.js';

export interface IngestLimits {
  /** Compressed body bytes (Content-Length) of one upload. */
  readonly maxBodyBytes: number;
  /** Bytes after decompression; enforced while inflating. */
  readonly maxDecodedBytes: number;
  /** Events in one batch (the wire decoder allows 500,000; one agent batch is at most 50,000 by default). */
  readonly maxEventsPerBatch: number;
  /** Request line + headers (node:http maxHeaderSize); more is 431. */
  readonly maxHeaderBytes: number;
  /** Uploads admitted at once (reading, decoding, waiting for the store); more is 503 + Retry-After. */
  readonly maxInFlight: number;
  /** Body bytes held by authenticated uploads being decoded and stored; more is 503 + Retry-After (bounds memory whatever the concurrency). */
  readonly maxInFlightBodyBytes: number;
  /**
   * Body bytes held by requests whose signature is not checked yet (./intake.ts): charged as
   * they arrive; past it the largest holder is shed with 503, so forged bodies cannot lock out honest ones.
   */
  readonly maxUnverifiedBodyBytes: number;
  /** Batches waiting for a store transaction; more is 503 (the store is behind). */
  readonly maxStoreQueue: number;
  /** Per device. */
  readonly rate: RateLimit;
  /** Wrong fleet secrets per client address: past it every fleet request from that address is 429 until it refills. */
  readonly fleetSecretFailures: RateLimit;
  /** New device enrollments, service-wide (each is a record kept for good). */
  readonly enrollments: RateLimit;
  /** Pause windows a device's batch control records may create (policy-state.ts). */
  readonly pauseWindows: PauseBounds;
  /** |server clock − request signature time|. */
  readonly maxSkewMs: number;
  /** A batch window may end at most this far after the server clock. */
  readonly maxFutureMs: number;
  /** A batch window may start at most this long before the server clock (laptops offline for weeks still upload). */
  readonly maxAgeMs: number;
  /** JSON bodies of the control endpoints. */
  readonly maxJsonBytes: number;
  /** Whole request, headers and body (node:http requestTimeout); slower clients get 408. */
  readonly requestTimeoutMs: number;
  /** node:http headersTimeout. */
  readonly headersTimeoutMs: number;
  /** Idle keep-alive connections are closed after this (node:http keepAliveTimeout). */
  readonly keepAliveTimeoutMs: number;
  /**
   * Open connections. Past it a new connection takes the place of the connection idle the
   * longest (no request in progress), or is closed when every connection is busy. Keep it
   * below the process's file-descriptor limit (`ulimit -n`), or the kernel refuses for us.
   */
  readonly maxConnections: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  // A 50,000-event agent batch is ~250 kB encoded, ~60 kB with brotli; 4 MiB leaves room for identity bodies.
  maxBodyBytes: 4 << 20,
  // 100,000 events × ≤ 60 bytes encoded with every column at its widest.
  maxDecodedBytes: 8 << 20,
  maxEventsPerBatch: 100_000,
  maxHeaderBytes: 8 << 10,
  maxInFlight: 256,
  maxInFlightBodyBytes: 64 << 20,
  maxUnverifiedBodyBytes: 64 << 20,
  maxStoreQueue: 2048,
  rate: { perSecond: 5, burst: 60 },
  pauseWindows: DEFAULT_PAUSE_BOUNDS,
  fleetSecretFailures: { perSecond: 1, burst: 20 },
  // A rollout enrolls a fleet in minutes; 200,000 in seconds is not a rollout.
  enrollments: { perSecond: 500, burst: 50_000 },
  maxSkewMs: DEFAULT_MAX_SKEW_MS,
  maxFutureMs: DEFAULT_MAX_SKEW_MS,
  maxAgeMs: 400 * 86_400_000,
  maxJsonBytes: 16 << 10,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 8192,
};
