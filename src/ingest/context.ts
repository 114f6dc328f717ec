/**
 * What the route handlers share: the service's configuration, its state and
 * its store. The server owns it and builds it once at start; handlers receive
 * it as a parameter (no module-level state, so two servers in one process,
 * as in tests and `fleetsim run`, never see each other).
 */
import type { PolicyRules } from '../policy/index.js';
import type { BodyDecoder } from './decode-pool.js';
import type { DeviceRegistry } from './devices.js';
import type { BodyIntake } from './intake.js';
import type { IngestLimits } from './limits.js';
import type { IngestMetrics } from './metrics.js';
import type { PolicyState } from './policy-state.js';
import type { DeviceRateLimiter } from './rate-limit.js';
import type { StoreReadiness } from './readiness.js';
import type { BatchStore } from './store/index.js';

/** Uploads admitted and the body bytes they hold: what admission control bounds. */
export interface Admission {
  inFlight: number;
  inFlightBytes: number;
}

export interface IngestContext {
  readonly limits: IngestLimits;
  readonly rules: PolicyRules;
  /** The server clock, UTC epoch ms. */
  readonly now: () => number;
  /** Accepted enrollment credentials: the current fleet secret first, then previous ones still honoured. */
  readonly fleetSecrets: readonly string[];
  /** null: admin routes are disabled (the service was started without an admin secret). */
  readonly adminSecret: string | null;
  readonly store: BatchStore;
  readonly policy: PolicyState;
  readonly devices: DeviceRegistry;
  readonly metrics: IngestMetrics;
  readonly limiter: DeviceRateLimiter;
  /** Wrong fleet or admin secrets, per client address. */
  readonly fleetFailures: DeviceRateLimiter;
  /** New enrollments, one key for the service. */
  readonly enrollments: DeviceRateLimiter;
  /** Inflates and decodes upload bodies, in this thread or on decode workers. */
  readonly decoder: BodyDecoder;
  readonly admission: Admission;
  /** Bodies read before their signature is checked, under one fairly shed budget. */
  readonly intake: BodyIntake;
  /** Whether the store can take writes, probed at most once per maxAgeMs however often /readyz is asked. */
  readonly readiness: StoreReadiness;
  /** True once stop() began: answers carry `connection: close`, readiness fails. */
  readonly closing: () => boolean;
}
