/**
 * A Transport over node:http: what a laptop's agent would use. One keep-alive
 * connection per agent (an http.Agent with maxSockets 1: the uploader sends
 * one batch at a time anyway, and one TLS/TCP handshake per day instead of per
 * batch is what keeps the radio asleep), a timeout per request, Retry-After
 * and the JSON error body's `code` parsed for the uploader, and the request's
 * bytes on the wire (request line + headers + body) counted for bandwidth.
 *
 * Every request header is paid for on a laptop's radio, once per upload (~16 a
 * day), against a body of ~4.5 KB: the transport sends only what the service
 * reads. No `Connection: keep-alive` (HTTP/1.1 connections persist unless one
 * side says close, RFC 9112 §9.3), no informational sequence header (the body
 * carries the sequence), and with a signer the signer's header(s) name the
 * device instead of x-fleetsim-device.
 */
import http from 'node:http';
import {
  DEVICE_HEADER,
  ENROLL_PATH,
  FLEET_AUTH_SCHEME,
  SEQUENCE_HEADER,
  credentialsFromEnrollment,
  type DeviceCredentials,
  type EnrollmentResponse,
  type OutgoingRequest,
} from '../auth/index.js';
import { parseRetryAfterMs, type Transport, type UploadOutcome, type UploadRequest } from './transport.js';

export interface HttpTransportOptions {
  /** The upload endpoint, e.g. http://127.0.0.1:8080/v1/batches. */
  readonly url: string;
  /** Whole exchange, from send to the last response byte. */
  readonly timeoutMs?: number;
  /**
   * Re-signs every attempt (see createRequestSigner in src/auth): a retry
   * long after the batch was sealed carries a fresh timestamp. It signs the
   * method and target the request is sent with, and the body.
   */
  readonly sign?: (req: OutgoingRequest) => Record<string, string>;
  /** For HTTP-date Retry-After values; the wall clock by default. */
  readonly now?: () => number;
}

/** Largest response body read (error bodies are a few hundred bytes). */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class HttpTransport implements Transport {
  /** Made at the first upload: most agents of a real-time fleet have not uploaded yet. */
  private agent: http.Agent | null = null;
  private readonly target: URL;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: HttpTransportOptions) {
    this.target = new URL(opts.url);
    if (this.target.protocol !== 'http:') throw new Error(`HttpTransport speaks http: only, got ${opts.url}`);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  send(req: UploadRequest): Promise<UploadOutcome> {
    const path = `${this.target.pathname}${this.target.search}`;
    const headers = uploadHeaders(req, path, this.opts.sign);
    const requestBytes = requestHeaderBytes(this.target, headers) + req.body.byteLength;
    return new Promise<UploadOutcome>((resolve) => {
      let settled = false;
      const done = (o: UploadOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const r = http.request(
        {
          hostname: socketHost(this.target),
          port: this.target.port,
          path,
          method: 'POST',
          headers,
          agent: (this.agent ??= new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 })),
        },
        (res) => {
          const body = boundedBody(res);
          res.on('end', () => {
            // An answer whose body stopped short of its framing is not an answer: the batch may not be stored.
            if (!res.complete) {
              done({ kind: 'network-error', message: 'the answer ended before its body was complete', requestBytes });
              return;
            }
            const chunks = body();
            const status = res.statusCode ?? 0;
            const retryAfterMs = parseRetryAfterMs(res.headers['retry-after'], this.now());
            const code = status >= 400 ? errorCode(Buffer.concat(chunks)) : undefined;
            done({
              kind: 'response',
              status,
              ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
              ...(code !== undefined ? { code } : {}),
              requestBytes,
            });
          });
          res.on('error', (e) => done({ kind: 'network-error', message: e.message, requestBytes }));
          res.on('close', () =>
            done({ kind: 'network-error', message: 'the connection closed before the answer was complete', requestBytes }),
          );
        },
      );
      const timer = setTimeout(() => {
        r.destroy(new Error(`no response within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      r.removeHeader('connection');
      r.on('error', (e) => done({ kind: 'network-error', message: e.message, requestBytes }));
      r.end(req.body);
    });
  }

  async close(): Promise<void> {
    this.agent?.destroy();
  }
}

/**
 * The headers HttpTransport sends for an upload to `path`: the batch's own
 * (content type, encoding) without the informational sequence, the signer's
 * (which name the device, so x-fleetsim-device is left to unsigned requests),
 * and the length.
 */
export function uploadHeaders(
  req: UploadRequest,
  path: string,
  sign?: (req: OutgoingRequest) => Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const k in req.headers) if (k !== SEQUENCE_HEADER && !(sign && k === DEVICE_HEADER)) headers[k] = req.headers[k]!;
  if (sign) Object.assign(headers, sign({ method: 'POST', target: path, body: req.body }));
  headers['content-length'] = String(req.body.byteLength);
  return headers;
}

/** Bytes of what http.ClientRequest writes before the body: request line, Host, these headers, blank line. */
export function requestHeaderBytes(target: URL, headers: Readonly<Record<string, string>>): number {
  let n = `POST ${target.pathname}${target.search} HTTP/1.1\r\n`.length + `Host: ${target.host}\r\n`.length + 2;
  for (const k in headers) n += k.length + 2 + Buffer.byteLength(headers[k]!) + 2;
  return n;
}

function errorCode(body: Buffer): string | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof v.code === 'string' ? v.code : undefined;
  } catch {
    return undefined;
  }
}

export interface EnrollOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly fleetSecret: string;
  readonly deviceId: string;
  /**
   * The laptop's IANA timezone (e.g. "Europe/Berlin"): with it the service
   * checks the capture-hours rule in the laptop's local time, as the agent
   * does; without it only the agent does.
   */
  readonly timezone?: string;
  readonly timeoutMs?: number;
}

/**
 * Collects a response body up to MAX_RESPONSE_BYTES; call the result at 'end'.
 * A body past the bound ends the exchange with an error instead of being read
 * and dropped: no answer fleetsim reads is that large, and a target that sends
 * a gigabyte would otherwise hold the client for as long as it keeps sending.
 */
function boundedBody(res: http.IncomingMessage): () => Buffer[] {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
    else
      res.destroy(
        new Error(
          `answer body larger than ${MAX_RESPONSE_BYTES} bytes (status ${res.statusCode}, content-type ${res.headers['content-type'] ?? 'none'})`,
        ),
      );
  });
  return () => chunks;
}

/** Error of an enrollment the service refused, with its code (AUTH_REVOKED, INGEST_BAD_JSON, …); status 0 when no readable answer came (the network error is the cause). */
export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The host to open a socket to: a URL's hostname keeps an IPv6 address's brackets ([::1]); node:http and node:net
 * take the bare address, and given the brackets they look the name up in DNS and fail ENOTFOUND. The one rule for
 * the agent's transport, the targets' transports and the load sender.
 */
export function socketHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** POST /v1/enroll with the fleet secret: the device's own key, which the transport's signer then uses. */
export function enrollOverHttp(o: EnrollOptions): Promise<DeviceCredentials> {
  const target = new URL(ENROLL_PATH, o.url);
  const body = Buffer.from(JSON.stringify({ device_id: o.deviceId, ...(o.timezone !== undefined ? { timezone: o.timezone } : {}) }));
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        hostname: socketHost(target),
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        headers: {
          authorization: `${FLEET_AUTH_SCHEME} ${o.fleetSecret}`,
          'content-type': 'application/json',
          'content-length': body.byteLength,
        },
        timeout: o.timeoutMs ?? 30_000,
      },
      (res) => {
        const body = boundedBody(res);
        res.on('end', () => {
          const text = Buffer.concat(body()).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            reject(
              new EnrollmentError(
                status,
                errorCode(Buffer.from(text)),
                `enrollment of ${o.deviceId} at ${target.href} was refused (${status}): ${text.slice(0, 500)}`,
              ),
            );
            return;
          }
          try {
            resolve(credentialsFromEnrollment(JSON.parse(text) as EnrollmentResponse));
          } catch {
            // Say what came back, not what the parser tripped on: the usual cause is a target that is not fleetsim's service.
            const shown = JSON.stringify(text.slice(0, 120).replace(/[^\x20-\x7e]/g, '?'));
            reject(
              new EnrollmentError(
                status,
                undefined,
                `POST ${target.href} (enrollment) was answered ${status} with content-type ${res.headers['content-type'] ?? 'none'} and ${text.length === 0 ? 'no body' : `body ${shown}`}, not an enrollment (JSON with device_id and key)`,
              ),
            );
          }
        });
        res.on('error', fail);
      },
    );
    // Whatever broke (no HTTP, a reset, a timeout, an answer too large), the error names the target and the request.
    const fail = (e: Error) =>
      reject(
        e instanceof EnrollmentError
          ? e
          : new EnrollmentError(0, undefined, `enrollment of ${o.deviceId} at ${target.href} failed: ${e.message}`, { cause: e }),
      );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${o.timeoutMs ?? 30_000} ms`)));
    r.on('error', fail);
    r.end(body);
  });
}
