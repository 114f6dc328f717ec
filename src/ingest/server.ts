/**
 * The reference ingestion service: node:http, one process, one event loop,
 * optionally with decode worker threads (decode-pool.ts) that inflate and
 * decode uploads. This file is the lifecycle (start, graceful stop) and the
 * route table; each route lives in routes/ and gets the shared IngestContext.
 *
 * Why node:http and not a framework: the service has one hot route whose cost
 * is decompress + decode + store, and `npm run bench:ingest` measures node:http
 * side by side with a no-op server on a framework. Routing a handful of fixed
 * paths needs no router.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  BATCHES_PATH,
  DEVICE_ACTIONS,
  deviceIdProblem,
  ENROLL_PATH,
  HEALTH_PATH,
  METRICS_PATH,
  MIN_SECRET_CHARS,
  READY_PATH,
  type DeviceCredentials,
} from '../auth/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../policy/index.js';
import type { Admission, IngestContext } from './context.js';
import { createBodyDecoder, type BodyDecoder } from './decode-pool.js';
import { DeviceRegistry } from './devices.js';
import { BodyIntake } from './intake.js';
import { INGEST_ERRORS, IngestError, fromWireError, type RefusalCode } from './errors.js';
import { notAllowed, sendRefusal } from './http-io.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.js';
import { IngestMetrics } from './metrics.js';
import { PolicyState } from './policy-state.js';
import { DeviceRateLimiter } from './rate-limit.js';
import { StoreReadiness } from './readiness.js';
import { adminRoute, checkTimezone, enrollRoute, type AdminRoute } from './routes/admin.js';
import { devicePolicyRoute, type DevicePolicyRoute } from './routes/device-policy.js';
import { healthRoute, metricsRoute, readyRoute, startingRoute } from './routes/health.js';
import { uploadRoute } from './routes/upload.js';
import { StoreOpenError, openStore, type BatchStore } from './store/index.js';

export type { UploadResponse } from './routes/upload.js';

export interface IngestServerOptions {
  /** A store URL (sqlite:FILE, postgres://…) or an opened store (the server then closes it on stop). */
  readonly store: string | BatchStore;
  /**
   * The fleet secret: the enrollment credential (`authorization: Fleet <secret>` on POST /v1/enroll), good
   * for enrolling and nothing else. Device keys do not derive from it, so it can be rotated at will.
   */
  readonly fleetSecret: string;
  /** Fleet secrets still accepted for enrollment while laptops move to the new one (rotation). */
  readonly previousFleetSecrets?: readonly string[];
  /**
   * The admin secret (`authorization: Admin <secret>`): revoke, reinstate, exemptions, gaps. Without it the
   * admin routes answer 403 AUTH_ADMIN_DISABLED. It must differ from every fleet secret.
   */
  readonly adminSecret?: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  readonly limits?: Partial<IngestLimits>;
  readonly rules?: PolicyRules;
  /** The server clock, UTC epoch ms (tests move it; a run replaying a past day shifts it). */
  readonly now?: () => number;
  /**
   * The clock request signatures must be fresh against (default: `now`). A
   * signature stamps when a request was sent, in real time: a service whose
   * `now` replays a past day keeps this on the wall clock, as any service
   * laptops reach over the network does.
   */
  readonly signatureNow?: () => number;
  /** SQLite synchronous level when `store` is a sqlite: URL. */
  readonly sqliteSync?: 'full' | 'normal';
  /** PostgreSQL schema when `store` is a postgres URL. */
  readonly pgSchema?: string;
  /**
   * Worker threads that inflate and decode uploads (decode-pool.ts); 0, the
   * default, does it in the event loop's thread (see decode-pool.ts for when
   * threads pay).
   */
  readonly decodeThreads?: number;
  /**
   * GET /readyz probes the store (readiness.ts): an answer is reused for maxAgeMs (default 1000), so however often
   * it is polled the store sees at most one probe a second, and a probe unanswered after timeoutMs (default 800,
   * under the 1 s Kubernetes waits by default) reads as not ready.
   */
  readonly readiness?: { readonly maxAgeMs?: number; readonly timeoutMs?: number };
}

const DEFAULT_READINESS = { maxAgeMs: 1000, timeoutMs: 800 } as const;

export interface IngestAddress {
  readonly host: string;
  readonly port: number;
  /** http://host:port */
  readonly url: string;
}

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const DEVICE_PATH = new RegExp(`^/v1/devices/([^/]{1,256})/(${DEVICE_ACTIONS.join('|')})$`);

type Route = 'upload' | 'enroll' | DevicePolicyRoute | AdminRoute | 'health' | 'ready' | 'metrics' | 'other';

export function createIngestServer(options: IngestServerOptions): IngestServer {
  return new IngestServer(options);
}

export class IngestServer {
  readonly limits: IngestLimits;
  readonly rules: PolicyRules;
  private readonly now: () => number;
  private readonly http: http.Server;
  private ctx: IngestContext | null = null;
  private readonly admission: Admission = { inFlight: 0, inFlightBytes: 0 };
  private readonly intake: BodyIntake;
  private active = 0;
  private closing = false;
  private started = false;
  private drained: (() => void) | null = null;

  constructor(private readonly options: IngestServerOptions) {
    checkSecrets(options);
    const threads = options.decodeThreads ?? 0;
    if (!Number.isInteger(threads) || threads < 0 || threads > 64)
      throw new Error(`decodeThreads must be an integer 0..64, got ${threads}`);
    for (const [k, v] of Object.entries(options.readiness ?? {}))
      if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS))
        throw new Error(`readiness.${k} must be a number of ms from 0 to ${MAX_TIMER_MS}, got ${v}`);
    this.limits = { ...DEFAULT_INGEST_LIMITS, ...options.limits };
    this.rules = options.rules ?? DEFAULT_POLICY_RULES;
    this.now = options.now ?? Date.now;
    this.intake = new BodyIntake(this.limits.maxUnverifiedBodyBytes);
    this.http = http.createServer(
      {
        maxHeaderSize: this.limits.maxHeaderBytes,
        requestTimeout: this.limits.requestTimeoutMs,
        headersTimeout: Math.min(this.limits.headersTimeoutMs, this.limits.requestTimeoutMs),
        keepAliveTimeout: this.limits.keepAliveTimeoutMs,
        // node:http checks the two timeouts above only this often (30 s by default).
        connectionsCheckingInterval: Math.max(100, Math.min(1000, this.limits.requestTimeoutMs / 2)),
      },
      // Until start() has the store open, requests get 503 INGEST_STARTING; start() then hands them to onRequest.
      this.onStarting,
    );
    this.http.on('connection', (socket: Socket) => this.onConnection(socket));
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  private get context(): IngestContext {
    if (this.ctx === null) throw new Error('the ingest server is not started');
    return this.ctx;
  }

  get store(): BatchStore {
    return this.context.store;
  }

  /** Decode worker threads (0: uploads are decoded in the event loop's thread). */
  get decodeThreads(): number {
    return this.options.decodeThreads ?? 0;
  }

  get metrics(): IngestMetrics {
    return this.context.metrics;
  }

  /**
   * Listens, then opens the store, loads device and policy state and starts the decode threads. The port comes
   * first: a port in use (the likeliest failure) then leaves nothing behind, no database file and no schema. Until
   * the rest is ready, requests are answered 503 INGEST_STARTING (and /readyz with it) without reaching any state;
   * if any of it fails, the port is closed again and what was opened is closed.
   */
  async start(): Promise<IngestAddress> {
    if (this.started) return this.address();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    let store: BatchStore | null = null;
    let decoder: BodyDecoder | null = null;
    try {
      const metrics = new IngestMetrics(
        () => this.admission.inFlight,
        () => store?.queueDepth() ?? 0,
        () => this.admission.inFlightBytes + this.intake.heldBytes,
      );
      const onWrite = (s: number, rows: number) => metrics.storeWritten(s, rows);
      store =
        typeof this.options.store === 'string'
          ? await openStore(this.options.store, {
              onWrite,
              ...(this.options.sqliteSync ? { sqliteSync: this.options.sqliteSync } : {}),
              ...(this.options.pgSchema ? { pgSchema: this.options.pgSchema } : {}),
            })
          : this.options.store;
      const devices = new DeviceRegistry(store, this.now, this.limits.maxSkewMs, this.options.signatureNow ?? this.now);
      const policy = new PolicyState(store, this.rules, this.limits.pauseWindows);
      try {
        await devices.load();
        await policy.load();
      } catch (e) {
        throw new StoreOpenError(
          'STORE_FAILED',
          `the store opened, but reading its devices and pause windows failed (${(e as Error)?.message ?? String(e)}); give a store fleetsim serve wrote, or a new one`,
          { cause: e },
        );
      }
      decoder = createBodyDecoder(this.options.decodeThreads ?? 0);
      await decoder.ready();
      const opened = store;
      this.ctx = {
        decoder,
        limits: this.limits,
        rules: this.rules,
        now: this.now,
        fleetSecrets: [this.options.fleetSecret, ...(this.options.previousFleetSecrets ?? [])],
        adminSecret: this.options.adminSecret ?? null,
        store,
        policy,
        devices,
        metrics,
        limiter: new DeviceRateLimiter(this.limits.rate),
        fleetFailures: new DeviceRateLimiter(this.limits.fleetSecretFailures),
        enrollments: new DeviceRateLimiter(this.limits.enrollments),
        admission: this.admission,
        intake: this.intake,
        readiness: new StoreReadiness({
          probe: async () => opened.ping?.(),
          clock: () => performance.now(),
          maxAgeMs: this.options.readiness?.maxAgeMs ?? DEFAULT_READINESS.maxAgeMs,
          timeoutMs: this.options.readiness?.timeoutMs ?? DEFAULT_READINESS.timeoutMs,
        }),
        closing: () => this.closing,
      };
    } catch (e) {
      await decoder?.close();
      // A store the service opened itself holds a writer thread (or a pool) that would keep the process alive.
      if (typeof this.options.store === 'string') await store?.close();
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http.close(() => resolve()));
      throw e;
    }
    this.http.off('request', this.onStarting);
    this.http.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res));
    this.started = true;
    return this.address();
  }

  /**
   * Enrolls a device in-process (what POST /v1/enroll does) and returns its
   * credentials: for harnesses such as `fleetsim run` that start the service
   * and drive simulated agents in the same process. The timezone (IANA) lets
   * the service check the capture-hours rule in the laptop's local time;
   * without it that rule is left to the agent.
   */
  async enroll(deviceId: string, opts: { readonly timezone?: string } = {}): Promise<DeviceCredentials> {
    if (opts.timezone !== undefined) checkTimezone(opts.timezone);
    const problem = deviceIdProblem(deviceId);
    if (problem !== null) throw new IngestError('INGEST_BAD_DEVICE_ID', `device id ${JSON.stringify(deviceId.slice(0, 140))} ${problem}`);
    return { deviceId, key: await this.context.devices.enroll(deviceId, opts.timezone) };
  }

  address(): IngestAddress {
    const a = this.http.address() as AddressInfo | null;
    if (a === null) throw new Error('the ingest server is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { host: a.address, port: a.port, url: `http://${host}:${a.port}` };
  }

  /**
   * Graceful stop: no new connections, requests that arrive on open
   * connections get 503 INGEST_SHUTTING_DOWN, requests in flight finish (up to
   * drainTimeoutMs), then the store commits what is queued and closes.
   */
  async stop(opts: { drainTimeoutMs?: number } = {}): Promise<void> {
    const drainTimeoutMs = opts.drainTimeoutMs ?? 10_000;
    // setTimeout reads NaN, a negative or anything above 2^31 - 1 ms as 1 ms: the drain would silently not happen.
    if (!Number.isFinite(drainTimeoutMs) || drainTimeoutMs < 0 || drainTimeoutMs > MAX_TIMER_MS)
      throw new Error(`drainTimeoutMs must be a number of ms from 0 to ${MAX_TIMER_MS}, got ${drainTimeoutMs}`);
    if (!this.started || this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    if (this.active > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => (this.drained = r)), new Promise<void>((r) => (timer = setTimeout(r, drainTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.http.closeAllConnections();
    await closed;
    await this.ctx?.decoder.close();
    await this.ctx?.store.close();
  }

  // ── connections ─────────────────────────────────────────────────────────

  /** Open connections, oldest first (Map keeps insertion order), each with its requests in progress. */
  private readonly connections = new Map<Socket, { busy: number }>();
  /** Connections closed to stay under maxConnections (for /metrics and tests). */
  connectionsShed = 0;

  /** Fair shedding at the connection cap: an idle connection makes room before a busy one is refused. */
  private onConnection(socket: Socket): void {
    if (this.connections.size >= this.limits.maxConnections) {
      let idle: Socket | null = null;
      for (const [s, c] of this.connections) {
        if (c.busy === 0) {
          idle = s;
          break;
        }
      }
      this.connectionsShed++;
      if (idle === null) {
        socket.destroy();
        return;
      }
      this.connections.delete(idle);
      idle.destroy();
    }
    this.connections.set(socket, { busy: 0 });
    socket.once('close', () => this.connections.delete(socket));
  }

  // ── requests ────────────────────────────────────────────────────────────

  /** Requests that arrive while start() opens the store: none reaches it, nor any state loaded from it. */
  private readonly onStarting = (req: http.IncomingMessage, res: http.ServerResponse): void => startingRoute(req, res);

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const t0 = performance.now();
    const ctx = this.context;
    this.active++;
    const url = req.url ?? '/';
    const route = routeOf(url);
    const conn = this.connections.get(req.socket);
    if (conn !== undefined) conn.busy++;
    res.once('close', () => {
      if (conn !== undefined) conn.busy--;
      ctx.metrics.request(route, res.statusCode, (performance.now() - t0) / 1000);
      if (--this.active === 0 && this.drained !== null) this.drained();
    });
    if (this.closing) {
      res.setHeader('connection', 'close');
      sendRefusal(
        ctx,
        res,
        new IngestError('INGEST_SHUTTING_DOWN', 'the service is shutting down; retry against another instance or after it restarts', 1),
      );
      return;
    }
    let work: Promise<void>;
    try {
      work = dispatch(ctx, route, url, req, res);
    } catch (e) {
      work = Promise.reject(e);
    }
    work.catch((e: unknown) => {
      const err = e instanceof IngestError ? e : fromWireError(e);
      if (err.code === 'INGEST_INTERNAL' && !(e instanceof IngestError)) {
        process.stderr.write(`fleetsim ingest: internal error on ${req.method} ${route}: ${(e as Error)?.stack ?? String(e)}\n`);
      }
      if (!res.headersSent) sendRefusal(ctx, res, err);
      else res.destroy();
    });
  }

  /** Malformed HTTP and oversize headers never reach onRequest; they get a JSON answer here. */
  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code: RefusalCode =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'INGEST_HEADERS_TOO_LARGE'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'INGEST_REQUEST_TIMEOUT'
          : 'INGEST_BAD_REQUEST';
    const status = code === 'INGEST_HEADERS_TOO_LARGE' ? 431 : code === 'INGEST_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      code === 'INGEST_HEADERS_TOO_LARGE'
        ? `request headers are larger than ${this.limits.maxHeaderBytes} bytes`
        : `${INGEST_ERRORS[code].message} (${err.code ?? err.message})`;
    const body = JSON.stringify({ code, message });
    this.ctx?.metrics.request('other', status, 0);
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
}

function dispatch(ctx: IngestContext, route: Route, url: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  switch (route) {
    case 'upload':
      if (req.method !== 'POST') notAllowed(res, 'POST');
      return uploadRoute(ctx, req, res);
    case 'health':
      healthRoute(ctx, res);
      return Promise.resolve();
    case 'ready':
      return readyRoute(ctx, res);
    case 'metrics':
      return metricsRoute(ctx, res);
    case 'enroll':
      return enrollRoute(ctx, req, res);
    case 'other':
      throw new IngestError(
        'INGEST_NOT_FOUND',
        `no endpoint ${req.method ?? 'GET'} ${url.slice(0, 200)}; see fleetsim serve --help for the list`,
      );
    case 'pause':
    case 'resume':
    case 'policy':
      return devicePolicyRoute(ctx, route, deviceIdOf(url), req, res);
    default:
      return adminRoute(ctx, route, deviceIdOf(url), req, res);
  }
}

/** The device id of a /v1/devices/<id>/… path; a malformed %-escape is the client's error (400), not ours. */
function deviceIdOf(url: string): string {
  const raw = DEVICE_PATH.exec(url.split('?')[0]!)![1]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new IngestError(
      'INGEST_BAD_PATH',
      `the device id in ${JSON.stringify(url.slice(0, 200))} is not valid percent-encoded UTF-8; encode it with encodeURIComponent`,
    );
  }
}

function routeOf(url: string): Route {
  if (url === BATCHES_PATH) return 'upload';
  const path = url.split('?')[0]!;
  switch (path) {
    case BATCHES_PATH:
      return 'upload';
    case ENROLL_PATH:
      return 'enroll';
    case HEALTH_PATH:
      return 'health';
    case READY_PATH:
      return 'ready';
    case METRICS_PATH:
      return 'metrics';
  }
  const m = DEVICE_PATH.exec(path);
  return m ? (m[2] as Route) : 'other';
}

/** Each secret long enough, and the admin secret distinct from every fleet secret (else one laptop's copy would be admin). */
function checkSecrets(o: IngestServerOptions): void {
  const fleet = [o.fleetSecret, ...(o.previousFleetSecrets ?? [])];
  for (const [i, f] of fleet.entries()) {
    if (typeof f !== 'string' || f.length < MIN_SECRET_CHARS)
      throw new Error(`${i === 0 ? 'fleetSecret' : `previousFleetSecrets[${i - 1}]`} must be at least ${MIN_SECRET_CHARS} characters`);
  }
  if (o.adminSecret !== undefined) {
    if (typeof o.adminSecret !== 'string' || o.adminSecret.length < MIN_SECRET_CHARS)
      throw new Error(`adminSecret must be at least ${MIN_SECRET_CHARS} characters`);
    if (fleet.includes(o.adminSecret))
      throw new Error('adminSecret must differ from the fleet secret: every laptop holds the fleet secret');
  }
}
