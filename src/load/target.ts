/**
 * The target of a load run: its URL, the loopback-only safety rule, and the
 * devices the run enrolls there (POST /v1/enroll with the fleet secret), as
 * a laptop would.
 */
import http from 'node:http';
import { isIP } from 'node:net';
import { FLEET_AUTH_SCHEME } from '../auth/index.js';
import { RunError, UsageError } from '../errors.js';

export interface LoadTarget {
  readonly url: URL;
  readonly loopback: boolean;
}

/** Loopback names and addresses: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export function parseTarget(raw: string, allowRemote: boolean): LoadTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--target must be an http:// URL such as http://127.0.0.1:8080, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:') throw new UsageError(`--target must use http:// (this version of fleetsim load speaks plain HTTP/1.1), got ${JSON.stringify(url.protocol)}`);
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback && !allowRemote) {
    throw new UsageError(`--target ${url.host} is not a loopback address; load tests against other hosts need --allow-remote (be sure you own the target)`);
  }
  return { url, loopback };
}

/** Device ids of a load run: distinct per run tag so a rerun never collides with earlier sequences. */
export function loadDeviceIds(runTag: string, n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = `load-${runTag}-${String(i).padStart(6, '0')}`;
  return ids;
}

/** Enrolls every device at the target and returns their keys (in order). */
export async function enrollDevices(target: LoadTarget, fleetSecret: string, deviceIds: readonly string[], concurrency = 16): Promise<Buffer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const keys: Buffer[] = new Array(deviceIds.length);
  let next = 0;
  const worker = async () => {
    while (next < deviceIds.length) {
      const i = next++;
      keys[i] = await enrollOne(target, agent, fleetSecret, deviceIds[i]!);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, deviceIds.length) }, worker));
  } finally {
    agent.destroy();
  }
  return keys;
}

function enrollOne(target: LoadTarget, agent: http.Agent, fleetSecret: string, deviceId: string): Promise<Buffer> {
  const body = JSON.stringify({ device_id: deviceId });
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL('/v1/enroll', target.url),
      { method: 'POST', agent, timeout: 10_000, headers: { authorization: `${FLEET_AUTH_SCHEME} ${fleetSecret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 401 || res.statusCode === 403) {
            reject(new UsageError(`the target refused enrollment with the fleet secret (${res.statusCode}: ${text.slice(0, 200)}); check --fleet-secret or FLEETSIM_FLEET_SECRET`));
            return;
          }
          let key: unknown;
          try {
            key = (JSON.parse(text) as { key?: unknown }).key;
          } catch {
            key = undefined;
          }
          if (res.statusCode !== 200 || typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) {
            reject(new RunError('IO', `enrolling ${deviceId} at ${target.url.origin}/v1/enroll answered ${res.statusCode}: ${text.slice(0, 200)}`));
            return;
          }
          resolve(Buffer.from(key, 'hex'));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new RunError('IO', `cannot reach ${target.url.origin} to enroll devices: ${err.code ?? err.message}`)));
    req.end(body);
  });
}
