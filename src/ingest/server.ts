/**
 * The reference ingestion service: node:http, one process, one event loop.
 *
 * Why node:http and not a framework: the service has one hot route whose cost
 * is decompress + decode + store, and `npm run bench:ingest` measures it side
 * by side with a no-op node:http server (the ceiling any framework on node:http
 * sits under). Routing eight fixed paths needs no router.
 *
 * An upload goes through these steps, cheapest refusal first:
 *   1. signed headers: device enrolled, not revoked, timestamp within the skew bound (401)
 *   2. admission: concurrency, body bytes in memory, store queue (503 + Retry-After)
 *   3. per-device rate limit (429 + Retry-After)
 *   4. Content-Type, Content-Encoding (415), Content-Length against the cap (411, 413)
 *   5. body read into one buffer of Content-Length bytes; signature over it (401)
 *   6. decompress with the inflated-size cap enforced while inflating (413, 400)
 *   7. decode with the service's event limit (400, 413); batch device = signed device (403)
 *   8. window timestamps against the server clock (400)
 *   9. server-side policy: exempt device (403 POLICY_EXEMPT), events in recorded pause windows refused and counted
 *  10. idempotent insert; 2xx only after its transaction commits
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEVICE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, deriveDeviceKey, fleetSecretMatches, parseSignedHeaders, verifySignature, type DeviceCredentials,
  type SignedHeaders,
} from '../auth/index.js';
import type { EventBlock } from '../events/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../policy/index.js';
import { codecFromContentEncoding, decodeBatch, decompress, encodeBatch, type Codec, type DecodedBatch } from '../wire/index.js';
import { INGEST_ERRORS, IngestError, fromWireError, type RefusalCode } from './errors.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.js';
import { IngestMetrics } from './metrics.js';
import { PolicyState } from './policy-state.js';
import { DeviceRateLimiter } from './rate-limit.js';
import { openStore, type BatchStore, type DeviceRecord, type InsertResult } from './store/index.js';

export interface IngestServerOptions {
  /** A store URL (sqlite:FILE, postgres://…) or an opened store (the server then closes it on stop). */
  readonly store: string | BatchStore;
  /** Enrollment and admin requests present it (`authorization: Fleet <secret>`); device keys derive from it. */
  readonly fleetSecret: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  readonly limits?: Partial<IngestLimits>;
  readonly rules?: PolicyRules;
  /** The server clock, UTC epoch ms (tests move it). */
  readonly now?: () => number;
  /** SQLite synchronous level when `store` is a sqlite: URL. */
  readonly sqliteSync?: 'full' | 'normal';
  /** PostgreSQL schema when `store` is a postgres URL. */
  readonly pgSchema?: string;
}

export interface IngestAddress {
  readonly host: string;
  readonly port: number;
  /** http://host:port */
  readonly url: string;
}

/** What a successful upload answers. */
export interface UploadResponse {
  readonly status: 'stored' | 'duplicate';
  readonly batch_id: string;
  readonly sequence: number;
  readonly stored: number;
  readonly refused_paused: number;
  readonly refused_exempt: number;
}

const ACCEPTED_CONTENT_TYPES = new Set(['application/vnd.fleetsim.batch+protobuf', 'application/x-protobuf', 'application/octet-stream']);
const DEVICE_PATH = /^\/v1\/devices\/([^/]{1,256})\/(pause|resume|policy|exemption|revoke|gaps)$/;

type Route = 'upload' | 'enroll' | 'pause' | 'resume' | 'policy' | 'exemption' | 'revoke' | 'gaps' | 'health' | 'ready' | 'metrics' | 'other';

export function createIngestServer(options: IngestServerOptions): IngestServer {
  return new IngestServer(options);
}

export class IngestServer {
  readonly limits: IngestLimits;
  readonly rules: PolicyRules;
  private readonly now: () => number;
  private readonly http: http.Server;
  private storeHandle: BatchStore | null = null;
  private policy: PolicyState | null = null;
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly keys = new Map<string, Buffer>();
  private readonly limiter: DeviceRateLimiter;
  private metricsHandle: IngestMetrics | null = null;
  private inFlight = 0;
  private inFlightBytes = 0;
  private active = 0;
  private closing = false;
  private started = false;
  private drained: (() => void) | null = null;

  constructor(private readonly options: IngestServerOptions) {
    if (!options.fleetSecret || options.fleetSecret.length < 16) throw new Error('fleetSecret must be at least 16 characters');
    this.limits = { ...DEFAULT_INGEST_LIMITS, ...options.limits };
    this.rules = options.rules ?? DEFAULT_POLICY_RULES;
    this.now = options.now ?? Date.now;
    this.limiter = new DeviceRateLimiter(this.limits.rate);
    this.http = http.createServer(
      {
        maxHeaderSize: this.limits.maxHeaderBytes,
        requestTimeout: this.limits.requestTimeoutMs,
        headersTimeout: Math.min(this.limits.headersTimeoutMs, this.limits.requestTimeoutMs),
        keepAliveTimeout: this.limits.keepAliveTimeoutMs,
        // node:http checks the two timeouts above only this often (30 s by default).
        connectionsCheckingInterval: Math.max(100, Math.min(1000, this.limits.requestTimeoutMs / 2)),
      },
      (req, res) => this.onRequest(req, res),
    );
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  get store(): BatchStore {
    if (this.storeHandle === null) throw new Error('the ingest server is not started');
    return this.storeHandle;
  }

  get metrics(): IngestMetrics {
    if (this.metricsHandle === null) throw new Error('the ingest server is not started');
    return this.metricsHandle;
  }

  /** Opens the store, loads device and policy state, listens. */
  async start(): Promise<IngestAddress> {
    if (this.started) return this.address();
    const metrics = new IngestMetrics(
      () => this.inFlight,
      () => this.storeHandle?.queueDepth() ?? 0,
      () => this.inFlightBytes,
    );
    this.metricsHandle = metrics;
    const onWrite = (s: number, rows: number) => metrics.storeWritten(s, rows);
    this.storeHandle =
      typeof this.options.store === 'string'
        ? await openStore(this.options.store, {
            onWrite,
            ...(this.options.sqliteSync ? { sqliteSync: this.options.sqliteSync } : {}),
            ...(this.options.pgSchema ? { pgSchema: this.options.pgSchema } : {}),
          })
        : this.options.store;
    for (const d of await this.storeHandle.loadDevices()) this.devices.set(d.deviceId, d);
    this.policy = new PolicyState(this.storeHandle, this.rules);
    await this.policy.load();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.started = true;
    return this.address();
  }

  /**
   * Enrolls a device in-process (what POST /v1/enroll does) and returns its
   * credentials: for harnesses such as `fleetsim run` that start the service
   * and drive simulated agents in the same process.
   */
  async enroll(deviceId: string): Promise<DeviceCredentials> {
    const existing = this.devices.get(deviceId);
    if (existing?.revokedMs != null) throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(deviceId)} was revoked`);
    if (existing === undefined) {
      const rec = { deviceId, enrolledMs: this.now(), revokedMs: null };
      await this.store.enrollDevice(deviceId, rec.enrolledMs);
      this.devices.set(deviceId, rec);
    }
    return { deviceId, key: this.keyOf(deviceId) };
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
    if (!this.started || this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    if (this.active > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => (this.drained = r)),
        new Promise<void>((r) => (timer = setTimeout(r, opts.drainTimeoutMs ?? 10_000))),
      ]);
      clearTimeout(timer);
    }
    this.http.closeAllConnections();
    await closed;
    await this.storeHandle?.close();
  }

  // ── requests ────────────────────────────────────────────────────────────

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const t0 = performance.now();
    this.active++;
    const url = req.url ?? '/';
    const route = routeOf(url);
    res.once('close', () => {
      this.metricsHandle?.request(route, res.statusCode, (performance.now() - t0) / 1000);
      if (--this.active === 0 && this.drained !== null) this.drained();
    });
    if (this.closing) {
      res.setHeader('connection', 'close');
      this.refuse(res, new IngestError('INGEST_SHUTTING_DOWN', 'the service is shutting down; retry against another instance or after it restarts', 1));
      return;
    }
    let work: Promise<void>;
    try {
      work = this.dispatch(route, url, req, res);
    } catch (e) {
      work = Promise.reject(e);
    }
    work.catch((e: unknown) => {
      const err = e instanceof IngestError ? e : fromWireError(e);
      if (err.code === 'INGEST_INTERNAL' && !(e instanceof IngestError)) {
        process.stderr.write(`fleetsim ingest: internal error on ${req.method} ${route}: ${(e as Error)?.stack ?? String(e)}\n`);
      }
      if (!res.headersSent) this.refuse(res, err);
      else res.destroy();
    });
  }

  private dispatch(route: Route, url: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    switch (route) {
      case 'upload':
        return method === 'POST' ? this.upload(req, res) : this.notAllowed(res, 'POST');
      case 'health':
        this.json(res, 200, '{"status":"ok"}');
        return Promise.resolve();
      case 'ready':
        if (this.started && !this.closing) this.json(res, 200, '{"status":"ready"}');
        else this.refuse(res, new IngestError('INGEST_SHUTTING_DOWN', 'not ready', 1));
        return Promise.resolve();
      case 'metrics':
        return this.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          res.end(text);
        });
      case 'enroll':
        return method === 'POST' ? this.enrollEndpoint(req, res) : this.notAllowed(res, 'POST');
      case 'other':
        throw new IngestError('INGEST_NOT_FOUND', `no endpoint ${method} ${url.slice(0, 200)}; see fleetsim serve --help for the list`);
      default: {
        const m = DEVICE_PATH.exec(url.split('?')[0]!)!;
        return this.deviceEndpoint(route, decodeURIComponent(m[1]!), method, req, res);
      }
    }
  }

  private async notAllowed(res: http.ServerResponse, allowed: string): Promise<void> {
    res.setHeader('allow', allowed);
    throw new IngestError('INGEST_METHOD_NOT_ALLOWED', `use ${allowed} on this endpoint`);
  }

  /** Step 1: signed headers, before any body byte is read. */
  private authenticateHeaders(req: http.IncomingMessage): { signed: SignedHeaders; key: Buffer } {
    const h = req.headers;
    const parsed = parseSignedHeaders(
      h[DEVICE_HEADER] as string | undefined,
      h[TIMESTAMP_HEADER] as string | undefined,
      h[SIGNATURE_HEADER] as string | undefined,
      this.now(),
      this.limits.maxSkewMs,
    );
    if ('failure' in parsed) throw new IngestError(parsed.failure, parsed.message);
    const device = this.devices.get(parsed.deviceId);
    if (device === undefined) throw new IngestError('AUTH_UNKNOWN_DEVICE', `device ${JSON.stringify(parsed.deviceId.slice(0, 128))} is not enrolled; enroll it at POST /v1/enroll with the fleet secret`);
    if (device.revokedMs !== null) throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(parsed.deviceId)} was revoked at ${new Date(device.revokedMs).toISOString()}; it can no longer upload`);
    return { signed: parsed, key: this.keyOf(parsed.deviceId) };
  }

  private keyOf(deviceId: string): Buffer {
    let k = this.keys.get(deviceId);
    if (k === undefined) {
      k = deriveDeviceKey(this.options.fleetSecret, deviceId);
      this.keys.set(deviceId, k);
    }
    return k;
  }

  private async upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let auth: { signed: SignedHeaders; key: Buffer };
    try {
      auth = this.authenticateHeaders(req);
    } catch (e) {
      this.rejectBatch((e as IngestError).code, 0);
      throw e;
    }
    const deviceId = auth.signed.deviceId;
    const lengthHeader = req.headers['content-length'];
    const length = lengthHeader === undefined ? -1 : Number(lengthHeader);
    // Step 2: admission, so memory stays bounded whatever arrives.
    if (this.inFlight >= this.limits.maxInFlight || this.store.queueDepth() >= this.limits.maxStoreQueue || (length > 0 && this.inFlightBytes + length > this.limits.maxInFlightBodyBytes && this.inFlight > 0)) {
      this.rejectBatch('INGEST_OVERLOADED', 0);
      throw new IngestError('INGEST_OVERLOADED', `the service is at its limit (${this.inFlight} uploads in flight, ${this.store.queueDepth()} queued for the store); retry after the Retry-After delay`, 1);
    }
    const waitMs = this.limiter.take(deviceId, this.now());
    if (waitMs > 0) {
      this.rejectBatch('INGEST_RATE_LIMITED', 0);
      throw new IngestError('INGEST_RATE_LIMITED', `device ${deviceId} is over its rate limit of ${this.limits.rate.perSecond} uploads/s (burst ${this.limits.rate.burst})`, Math.ceil(waitMs / 1000));
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
      this.rejectBatch('INGEST_UNSUPPORTED_MEDIA_TYPE', 0);
      throw new IngestError('INGEST_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(contentType)} is not a batch; use one of ${[...ACCEPTED_CONTENT_TYPES].join(', ')}`);
    }
    let codec: Codec;
    try {
      codec = codecFromContentEncoding(req.headers['content-encoding']);
    } catch (e) {
      const err = fromWireError(e);
      this.rejectBatch(err.code, 0);
      throw err;
    }
    if (lengthHeader === undefined || !Number.isSafeInteger(length) || length < 0) {
      this.rejectBatch('INGEST_LENGTH_REQUIRED', 0);
      throw new IngestError('INGEST_LENGTH_REQUIRED', 'uploads must send Content-Length (chunked bodies are not accepted)');
    }
    if (length > this.limits.maxBodyBytes) {
      this.rejectBatch('INGEST_BODY_TOO_LARGE', 0);
      // The body is not read: the connection closes after the answer.
      res.setHeader('connection', 'close');
      throw new IngestError('INGEST_BODY_TOO_LARGE', `body is ${length} bytes, the limit is ${this.limits.maxBodyBytes} bytes (compressed)`);
    }
    this.inFlight++;
    this.inFlightBytes += length;
    try {
      await this.uploadAdmitted(req, res, auth, codec, length);
    } finally {
      this.inFlight--;
      this.inFlightBytes -= length;
    }
  }

  private async uploadAdmitted(req: http.IncomingMessage, res: http.ServerResponse, auth: { signed: SignedHeaders; key: Buffer }, codec: Codec, length: number): Promise<void> {
    const m = this.metrics;
    const body = await readBody(req, length);
    m.bytesIn.inc(length);
    if (!verifySignature(auth.key, auth.signed, body)) {
      this.rejectBatch('AUTH_BAD_SIGNATURE', 0);
      throw new IngestError('AUTH_BAD_SIGNATURE', `the signature does not match this body for device ${auth.signed.deviceId}; sign "v1\\n<device>\\n<timestamp>\\n<body>" with the device key`);
    }
    let batch: DecodedBatch;
    try {
      const raw = decompress(codec, body, { maxOutputBytes: this.limits.maxDecodedBytes });
      m.decodedBytes.inc(raw.byteLength);
      batch = decodeBatch(raw, { maxEvents: this.limits.maxEventsPerBatch });
    } catch (e) {
      const err = fromWireError(e);
      this.rejectBatch(err.code, 0);
      throw err;
    }
    const h = batch.header;
    const n = batch.events.length;
    if (h.deviceId !== auth.signed.deviceId) {
      this.rejectBatch('AUTH_DEVICE_MISMATCH', n);
      throw new IngestError('AUTH_DEVICE_MISMATCH', `the batch is for device ${JSON.stringify(h.deviceId)} but the request is signed by ${JSON.stringify(auth.signed.deviceId)}; a device may write only its own data`);
    }
    const now = this.now();
    if (h.windowEndMs > now + this.limits.maxFutureMs) {
      this.rejectBatch('INGEST_TIMESTAMP_FUTURE', n);
      throw new IngestError('INGEST_TIMESTAMP_FUTURE', `the batch window ends at ${new Date(h.windowEndMs).toISOString()}, more than ${this.limits.maxFutureMs / 1000} s after the server clock (${new Date(now).toISOString()})`);
    }
    if (h.windowStartMs < now - this.limits.maxAgeMs) {
      this.rejectBatch('INGEST_TIMESTAMP_TOO_OLD', n);
      throw new IngestError('INGEST_TIMESTAMP_TOO_OLD', `the batch window starts at ${new Date(h.windowStartMs).toISOString()}, more than ${Math.round(this.limits.maxAgeMs / 86_400_000)} days before the server clock`);
    }
    // Step 9: the service's own policy record, not the agent's word.
    const policy = this.policy!;
    let exemptMarker = false;
    if (batch.controls.length > 0) {
      try {
        exemptMarker = await policy.recordControls(h.deviceId, batch.controls);
      } catch (e) {
        this.rejectBatch('INGEST_STORE_FAILED', n);
        throw storeFailed(e, 'the pause and exemption markers of the batch');
      }
    }
    if (exemptMarker || policy.exemptDuring(h.deviceId, h.windowStartMs, h.windowEndMs) || policy.exemptDuring(h.deviceId, now, now)) {
      m.batch('rejected', 'POLICY_EXEMPT');
      m.eventsCounted('refused', 'exempt', n);
      throw new IngestError('POLICY_EXEMPT', `the employee of device ${h.deviceId} is exempt from capture; ${n} events refused, nothing stored; stop capturing`);
    }
    let payload: Uint8Array = body;
    let payloadCodec: Codec = codec;
    let stored = n;
    const windows = policy.windows(h.deviceId);
    let refusedPaused = 0;
    if (windows.length > 0) {
      const kept = eventsOutsidePauses(batch.events, windows);
      if (kept !== null) {
        refusedPaused = n - kept.length;
        stored = kept.length;
        payload = encodeBatch({ header: h, controls: batch.controls, events: kept }, { maxEvents: this.limits.maxEventsPerBatch });
        payloadCodec = 'identity';
      }
    }
    let result: InsertResult;
    try {
      result = await this.store.insertBatch({
        deviceId: h.deviceId,
        sequence: h.sequence,
        batchId: h.batchId,
        windowStartMs: h.windowStartMs,
        windowEndMs: h.windowEndMs,
        eventCount: stored,
        refusedPaused,
        refusedExempt: 0,
        receivedMs: now,
        agentVersion: h.agentVersion,
        payloadCodec,
        payload,
      });
    } catch (e) {
      this.rejectBatch('INGEST_STORE_FAILED', n);
      throw new IngestError('INGEST_STORE_FAILED', `the store could not write the batch (${(e as Error).message}); nothing was stored, retry`, 1);
    }
    const batchIdHex = Buffer.from(h.batchId).toString('hex');
    if (result === 'conflict') {
      this.rejectBatch('INGEST_SEQUENCE_CONFLICT', n);
      throw new IngestError('INGEST_SEQUENCE_CONFLICT', `device ${h.deviceId} already stored a different batch as sequence ${h.sequence} (or batch id ${batchIdHex} under another sequence)`);
    }
    if (result === 'stored') {
      m.batch('stored', '');
      m.eventsCounted('accepted', '', stored);
      m.eventsCounted('refused', 'paused', refusedPaused);
    } else {
      m.batch('duplicate', '');
    }
    this.json(
      res,
      200,
      `{"status":"${result}","batch_id":"${batchIdHex}","sequence":${h.sequence},"stored":${stored},"refused_paused":${refusedPaused},"refused_exempt":0}`,
    );
  }

  private rejectBatch(code: RefusalCode, events: number): void {
    this.metrics.batch('rejected', code);
    this.metrics.eventsCounted('rejected', code, events);
  }

  // ── enrollment, policy and admin endpoints ──────────────────────────────

  private requireFleet(req: http.IncomingMessage): void {
    if (!fleetSecretMatches(req.headers.authorization, this.options.fleetSecret)) {
      throw new IngestError('AUTH_BAD_FLEET_SECRET', 'this endpoint needs `authorization: Fleet <fleet secret>`');
    }
  }

  private async enrollEndpoint(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requireFleet(req);
    const body = await this.readJson(req);
    const deviceId = body.device_id;
    if (typeof deviceId !== 'string' || deviceId.length === 0 || Buffer.byteLength(deviceId) > 128) {
      throw new IngestError('INGEST_BAD_JSON', 'enrollment needs {"device_id": "<1 to 128 bytes of UTF-8>"}');
    }
    if (this.devices.get(deviceId)?.revokedMs != null) {
      throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(deviceId)} was revoked; enroll the laptop under a new device id`);
    }
    const creds = await this.enroll(deviceId);
    this.json(res, 200, JSON.stringify({ device_id: deviceId, key: Buffer.from(creds.key).toString('hex') }));
  }

  private async deviceEndpoint(route: Route, deviceId: string, method: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const policy = this.policy!;
    if (route === 'revoke' || route === 'exemption' || route === 'gaps') {
      const want = route === 'gaps' ? 'GET' : route === 'exemption' ? 'PUT' : 'POST';
      if (method !== want) return this.notAllowed(res, want);
      this.requireFleet(req);
      if (route === 'gaps') {
        const gaps = await this.store.sequenceGaps(deviceId);
        this.json(res, 200, JSON.stringify({ device_id: deviceId, gaps: gaps.map((g) => ({ from: g.fromSequence, to: g.toSequence })) }));
        return;
      }
      const body = await this.readJson(req);
      if (route === 'revoke') {
        const at = this.now();
        await this.store.revokeDevice(deviceId, at);
        this.devices.set(deviceId, { deviceId, enrolledMs: this.devices.get(deviceId)?.enrolledMs ?? at, revokedMs: at });
        this.json(res, 200, JSON.stringify({ device_id: deviceId, revoked_ms: at }));
        return;
      }
      if (typeof body.exempt !== 'boolean' || !optionalMs(body.from_ms) || !optionalMs(body.until_ms)) {
        throw new IngestError('INGEST_BAD_JSON', 'exemption needs {"exempt": true|false, "from_ms"?: epoch ms, "until_ms"?: epoch ms}');
      }
      const e = body.exempt ? { deviceId, fromMs: (body.from_ms as number | undefined) ?? this.now(), untilMs: (body.until_ms as number | undefined) ?? null } : null;
      await policy.setExemption(deviceId, e).catch((x: unknown) => {
        throw storeFailed(x, 'the exemption');
      });
      this.json(res, 200, JSON.stringify({ device_id: deviceId, exempt: e !== null, from_ms: e?.fromMs ?? null, until_ms: e?.untilMs ?? null }));
      return;
    }
    // pause, resume, policy: the device itself, signed.
    const want = route === 'policy' ? 'GET' : 'POST';
    if (method !== want) return this.notAllowed(res, want);
    const auth = this.authenticateHeaders(req);
    const raw = await readBody(req, this.jsonLength(req, want === 'GET'));
    if (!verifySignature(auth.key, auth.signed, raw)) throw new IngestError('AUTH_BAD_SIGNATURE', 'the signature does not match this body and device key');
    if (auth.signed.deviceId !== deviceId) {
      throw new IngestError('AUTH_DEVICE_MISMATCH', `the request is signed by ${JSON.stringify(auth.signed.deviceId)}; a device may change only its own policy state`);
    }
    if (route === 'policy') {
      const ex = policy.exemption(deviceId);
      this.json(res, 200, JSON.stringify({
        device_id: deviceId,
        exempt: ex !== undefined,
        exemption: ex ? { from_ms: ex.fromMs, until_ms: ex.untilMs } : null,
        pauses: policy.windows(deviceId).map((w) => ({ start_ms: w.startMs, end_ms: w.endMs, ended_by: w.endedBy })),
      }));
      return;
    }
    const body = parseJson(raw);
    if (!optionalMs(body.at_ms) || !optionalMs(body.day_start_ms)) throw new IngestError('INGEST_BAD_JSON', 'at_ms and day_start_ms must be epoch ms');
    const at = (body.at_ms as number | undefined) ?? this.now();
    if (route === 'resume') {
      const w = await policy.resume(deviceId, at).catch((x: unknown) => {
        throw storeFailed(x, 'the resume');
      });
      if (w === null) {
        throw new IngestError('POLICY_NOT_PAUSED', `device ${deviceId} has no pause open at ${new Date(at).toISOString()}`);
      }
      this.json(res, 200, JSON.stringify({ status: 'resumed', window: { start_ms: w.startMs, end_ms: w.endMs, ended_by: w.endedBy } }));
      return;
    }
    const wanted = body.wanted_ms;
    if (typeof wanted !== 'number' || !Number.isSafeInteger(wanted) || wanted <= 0) {
      throw new IngestError('INGEST_BAD_JSON', `pause needs {"wanted_ms": n > 0}; the policy caps a pause at ${this.rules.pauseCapMinutes} minutes`);
    }
    const d = await policy.requestPause(deviceId, at, wanted, body.day_start_ms as number | undefined).catch((x: unknown) => {
      throw storeFailed(x, 'the pause');
    });
    if (d.kind === 'refused') {
      throw new IngestError('POLICY_PAUSE_REFUSED', `pause refused under the fleet policy: ${d.reason.replace('_', ' ')}`);
    }
    this.json(res, 200, JSON.stringify({ status: 'granted', window: { start_ms: d.window.startMs, end_ms: d.window.endMs, ended_by: d.window.endedBy } }));
  }

  private jsonLength(req: http.IncomingMessage, emptyAllowed: boolean): number {
    const header = req.headers['content-length'];
    if (header === undefined) {
      if (emptyAllowed) return 0;
      throw new IngestError('INGEST_LENGTH_REQUIRED', 'send Content-Length');
    }
    const n = Number(header);
    if (!Number.isSafeInteger(n) || n < 0) throw new IngestError('INGEST_LENGTH_REQUIRED', 'Content-Length is not a number');
    if (n > this.limits.maxJsonBytes) throw new IngestError('INGEST_BODY_TOO_LARGE', `JSON body is ${n} bytes, the limit is ${this.limits.maxJsonBytes}`);
    return n;
  }

  private async readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    return parseJson(await readBody(req, this.jsonLength(req, true)));
  }

  // ── responses ───────────────────────────────────────────────────────────

  private json(res: http.ServerResponse, status: number, body: string): void {
    if (this.closing) res.setHeader('connection', 'close');
    // An explicit length: without it node:http frames the body as chunked.
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private refuse(res: http.ServerResponse, e: IngestError): void {
    if (e.retryAfterS !== undefined) res.setHeader('retry-after', String(e.retryAfterS));
    this.json(res, e.httpStatus, JSON.stringify({ code: e.code, message: e.message }));
  }

  /** Malformed HTTP and oversize headers never reach onRequest; they get a JSON answer here. */
  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code: RefusalCode =
      err.code === 'HPE_HEADER_OVERFLOW' ? 'INGEST_HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'INGEST_REQUEST_TIMEOUT' : 'INGEST_BAD_REQUEST';
    const status = code === 'INGEST_HEADERS_TOO_LARGE' ? 431 : code === 'INGEST_REQUEST_TIMEOUT' ? 408 : 400;
    const message = code === 'INGEST_HEADERS_TOO_LARGE' ? `request headers are larger than ${this.limits.maxHeaderBytes} bytes` : `${INGEST_ERRORS[code].message} (${err.code ?? err.message})`;
    const body = JSON.stringify({ code, message });
    this.metricsHandle?.request('other', status, 0);
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  }
}

function routeOf(url: string): Route {
  if (url === '/v1/batches') return 'upload';
  const path = url.split('?')[0]!;
  switch (path) {
    case '/v1/batches':
      return 'upload';
    case '/v1/enroll':
      return 'enroll';
    case '/healthz':
      return 'health';
    case '/readyz':
      return 'ready';
    case '/metrics':
      return 'metrics';
  }
  const m = DEVICE_PATH.exec(path);
  return m ? (m[2] as Route) : 'other';
}

/** Reads exactly `length` bytes into one buffer; node:http never delivers more than Content-Length. */
function readBody(req: http.IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.allocUnsafe(length);
    let off = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (off + chunk.length > length) {
        done = true;
        reject(new IngestError('INGEST_BODY_TOO_LARGE', 'more bytes than Content-Length'));
        return;
      }
      chunk.copy(buf, off);
      off += chunk.length;
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      if (off === length) resolve(buf);
      else reject(new IngestError('INGEST_BODY_INCOMPLETE', `the body ended after ${off} of ${length} bytes`));
    });
    req.once('close', () => {
      if (done) return;
      done = true;
      reject(new IngestError('INGEST_BODY_INCOMPLETE', `the connection closed after ${off} of ${length} body bytes`));
    });
    req.once('error', (e) => {
      if (done) return;
      done = true;
      reject(new IngestError('INGEST_BODY_INCOMPLETE', `the body could not be read (${e.message})`));
    });
  });
}

function parseJson(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new IngestError('INGEST_BAD_JSON', `the body is not a JSON object (${(e as Error).message})`);
  }
}

/** A store write that failed: nothing changed (memory follows the store), so the client may retry. */
function storeFailed(e: unknown, what: string): IngestError {
  return new IngestError('INGEST_STORE_FAILED', `the store could not write ${what} (${(e as Error)?.message ?? String(e)}); nothing was changed, retry`, 1);
}

function optionalMs(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
}

/** The events outside every pause window, or null when none falls inside one (the common case: nothing copied). */
function eventsOutsidePauses(ev: EventBlock, windows: readonly { startMs: number; endMs: number }[]): EventBlock | null {
  const n = ev.length;
  if (n === 0) return null;
  const first = ev.t_ms[0]!;
  const last = ev.t_ms[n - 1]!;
  let overlaps = false;
  for (const w of windows) if (w.startMs <= last && w.endMs > first) overlaps = true;
  if (!overlaps) return null;
  const keep = new Uint8Array(n);
  let kept = 0;
  let wi = 0;
  for (let i = 0; i < n; i++) {
    const t = ev.t_ms[i]!;
    while (wi < windows.length && windows[wi]!.endMs <= t) wi++;
    const w = windows[wi];
    const inside = w !== undefined && t >= w.startMs;
    if (!inside) {
      keep[i] = 1;
      kept++;
    }
  }
  if (kept === n) return null;
  const out: EventBlock = {
    length: kept,
    t_ms: new Float64Array(kept),
    type: new Uint8Array(kept),
    key: new Int16Array(kept),
    x: new Int32Array(kept),
    y: new Int32Array(kept),
    button: new Uint8Array(kept),
    context: new Uint8Array(kept),
    flags: new Uint8Array(kept),
  };
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    out.t_ms[o] = ev.t_ms[i]!;
    out.type[o] = ev.type[i]!;
    out.key[o] = ev.key[i]!;
    out.x[o] = ev.x[i]!;
    out.y[o] = ev.y[i]!;
    out.button[o] = ev.button[i]!;
    out.context[o] = ev.context[i]!;
    out.flags[o] = ev.flags[i]!;
    o++;
  }
  return out;
}
