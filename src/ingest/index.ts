/**
 * The ingestion service: node:http server, device auth, limits, server-side
 * policy, idempotent durable stores (SQLite, PostgreSQL), Prometheus metrics.
 */
export { createIngestServer, IngestServer, type IngestAddress, type IngestServerOptions, type UploadResponse } from './server.js';
export { INGEST_ERRORS, REFUSAL_HTTP_STATUS, IngestError, type IngestErrorCode, type RefusalCode } from './errors.js';
export { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.js';
export { SERVER_HEAP_FLAGS, missingServerHeapFlags } from './heap-flags.js';
export { createBodyDecoder, type BodyDecoder } from './decode-pool.js';
export type { RateLimit } from './rate-limit.js';
export * from './store/index.js';
export {
  createBlackhole,
  BlackholeServer,
  requestHeaderBytes,
  DEFAULT_BLACKHOLE_MAX_BODY_BYTES,
  BLACKHOLE_MAX_ROUTES,
  type BlackholeOptions,
  type BlackholeStats,
  type BlackholeRouteStats,
} from './blackhole.js';
