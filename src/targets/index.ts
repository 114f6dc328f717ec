/**
 * An HTTP ingest service that fleetsim sends traffic to (`fleetsim load
 * --target`, a scenario's `ingest.kind: url`): its URL under the loopback-only
 * safety rule, and enrolling the devices there (POST /v1/enroll with the
 * fleet secret), as a laptop would. Load and run both need this and neither
 * may import the other, so it lives below them.
 */
import { isIP } from 'node:net';
import { EnrollmentError, enrollOverHttp } from '../agent/index.js';
import { RunError, UsageError } from '../errors.js';

export interface HttpTarget {
  readonly url: URL;
  readonly loopback: boolean;
}

/** The host to connect to for a URL (the agent transport's rule: an IPv6 address without its brackets). */
export { socketHost as connectHost } from '../agent/index.js';

/** Loopback names and addresses: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export function parseTarget(raw: string, allowRemote: boolean): HttpTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--target must be an http:// URL such as http://127.0.0.1:8080, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:')
    throw new UsageError(
      `--target must use http:// (this version of fleetsim load speaks plain HTTP/1.1), got ${JSON.stringify(url.protocol)}`,
    );
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback && !allowRemote) {
    throw new UsageError(
      `--target ${url.host} is not a loopback address; load tests against other hosts need --allow-remote (be sure you own the target)`,
    );
  }
  return { url, loopback };
}

/**
 * Enrolls every device at the target (the agent's own enrollment call, with
 * the device's timezone when given) and returns their keys (in order).
 */
export async function enrollDevices(
  target: HttpTarget,
  fleetSecret: string,
  deviceIds: readonly string[],
  concurrency = 16,
  timezones?: readonly string[],
  /** How long one enrollment may wait for its answer (fleetsim load passes its --timeout). */
  timeoutMs = 10_000,
): Promise<Buffer[]> {
  const keys: Buffer[] = new Array(deviceIds.length);
  let next = 0;
  const worker = async () => {
    while (next < deviceIds.length) {
      const i = next++;
      keys[i] = await enrollOne(target, fleetSecret, deviceIds[i]!, timezones?.[i], timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deviceIds.length) }, worker));
  return keys;
}

async function enrollOne(
  target: HttpTarget,
  fleetSecret: string,
  deviceId: string,
  timezone: string | undefined,
  timeoutMs: number,
): Promise<Buffer> {
  try {
    const c = await enrollOverHttp({
      url: target.url.toString(),
      fleetSecret,
      deviceId,
      ...(timezone !== undefined ? { timezone } : {}),
      timeoutMs,
    });
    return Buffer.from(c.key);
  } catch (err) {
    if (err instanceof EnrollmentError && (err.status === 401 || err.status === 403)) {
      throw new UsageError(
        `the target refused enrollment with the fleet secret (${err.status}: ${err.message.slice(0, 200)}); check --fleet-secret or FLEETSIM_FLEET_SECRET`,
      );
    }
    const network = err instanceof EnrollmentError ? (err.status === 0 ? err.cause : undefined) : err;
    if (network === undefined) {
      // An answer without a fleetsim refusal code: most likely a service that does not speak fleetsim's protocol at all.
      const hint =
        err instanceof EnrollmentError && err.code === undefined
          ? `; does ${target.url.origin} speak fleetsim's protocol? For any other ingestion API use --protocol http, otlp-http or --adapter (scenario: ingest.protocol; docs/targets.md)`
          : '';
      throw new RunError('IO', `${(err as Error).message}${hint}`);
    }
    throw new RunError(
      'IO',
      `cannot reach ${target.url.origin} to enroll devices: ${(network as NodeJS.ErrnoException).code ?? (network as Error).message}`,
    );
  }
}
