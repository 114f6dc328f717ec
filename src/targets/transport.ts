/**
 * The agent's Transport over a target protocol (`fleetsim run` with
 * `ingest.kind: url` and a foreign protocol): the laptop's uploader hands over
 * its sealed batch as always; the protocol builds the request and reads the
 * answer. One keep-alive connection per laptop, a timeout per exchange, and
 * answers read only up to a bound (a hostile target cannot make a laptop
 * buffer a gigabyte). An answer the protocol cannot read is a network error
 * for the uploader (the batch stays spooled and is retried) whose message
 * names the target, the request and what came back. What the protocol's
 * request or classify throws (an adapter's AdapterError) is not caught
 * here: it is not the network, and the uploader stops the run with it.
 */
import http from 'node:http';
import { DEVICE_HEADER, SEQUENCE_HEADER } from '../auth/index.js';
import { DEFAULT_UPLOAD_CONFIG, parseRetryAfterMs, type Transport, type UploadOutcome, type UploadRequest } from '../agent/index.js';
import { connectHost } from './index.js';
import { codecFromContentEncoding, decodeBatch, decompress, type BatchInput } from '../wire/index.js';
import { ANSWER_BODY_MAX_BYTES, describeAnswer, type OutgoingBatch, type TargetAnswer, type TargetProtocol } from './protocol.js';

/** Bytes of an answer read before the exchange is cut off as RESPONSE_TOO_LARGE. */
export const RESPONSE_MAX_BYTES = 1024 * 1024;

export interface ProtocolTransportOptions {
  readonly url: URL;
  /** Resolves once (an adapter or encoder is loaded lazily, in the worker that uses it). */
  readonly protocol: Promise<TargetProtocol>;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Called with the first unreadable answer's description (and then every 1000th), for the run's report. */
  readonly onUnreadable?: (message: string) => void;
}

/** The uploader's request as an OutgoingBatch: its headers name device, sequence and codec; the body is decoded only if the protocol asks. */
export function outgoingFromUpload(req: UploadRequest): OutgoingBatch {
  const codec = codecFromContentEncoding(req.headers['content-encoding']);
  const deviceId = req.headers[DEVICE_HEADER] ?? 'unknown';
  let decoded: BatchInput | null = null;
  return {
    body: req.body,
    codec,
    deviceId,
    employeeId: deviceId,
    sequence: Number(req.headers[SEQUENCE_HEADER] ?? 0),
    batch: () => (decoded ??= decodeBatch(decompress(codec, req.body, { maxOutputBytes: 256 << 20 }))),
  };
}

export class ProtocolTransport implements Transport {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private unreadable = 0;

  constructor(private readonly o: ProtocolTransportOptions) {
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  async send(up: UploadRequest): Promise<UploadOutcome> {
    const protocol = await this.o.protocol;
    const req = protocol.request(outgoingFromUpload(up));
    const headers: Record<string, string> = { ...req.headers, 'content-length': String(req.body.byteLength) };
    let headerBytes =
      `${req.method} ${req.path} HTTP/1.1\r\n`.length + `Host: ${this.o.url.host}\r\n`.length + 'Connection: keep-alive\r\n'.length + 2;
    for (const k in headers) headerBytes += k.length + 2 + Buffer.byteLength(headers[k]!) + 2;
    const requestBytes = headerBytes + req.body.byteLength;
    const answer = await this.exchange(req.method, req.path, headers, req.body);
    if (typeof answer === 'string') return { kind: 'network-error', message: answer, requestBytes };
    const v = protocol.classify(answer);
    switch (v.kind) {
      case 'accepted':
        return { kind: 'response', status: answer.status >= 200 && answer.status < 300 ? answer.status : 200, requestBytes };
      case 'retryable': {
        // The uploader retries by status: a protocol's own retryable answer keeps its status when the uploader knows it as retryable.
        const status = DEFAULT_UPLOAD_CONFIG.retryableStatuses.includes(answer.status) ? answer.status : 503;
        return {
          kind: 'response',
          status,
          code: v.reason,
          requestBytes,
          ...(v.retryAfterMs !== undefined ? { retryAfterMs: v.retryAfterMs } : {}),
        };
      }
      case 'refused': {
        const status = answer.status >= 400 && !DEFAULT_UPLOAD_CONFIG.retryableStatuses.includes(answer.status) ? answer.status : 400;
        return { kind: 'response', status, code: v.reason, requestBytes };
      }
      case 'unreadable': {
        const message = `the target does not speak ${protocol.name} as expected: ${describeAnswer(this.o.url.origin, req, answer)}: ${v.problem}`;
        if (this.unreadable++ % 1000 === 0) this.o.onUnreadable?.(message);
        return { kind: 'network-error', message, requestBytes };
      }
    }
  }

  /** One exchange: the answer, or why there is none (a string). */
  private exchange(method: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<TargetAnswer | string> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (a: TargetAnswer | string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(a);
      };
      const r = http.request(
        { hostname: connectHost(this.o.url), port: this.o.url.port, path, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let seen = 0;
          res.on('data', (c: Buffer) => {
            seen += c.length;
            if (kept < ANSWER_BODY_MAX_BYTES) {
              chunks.push(c.subarray(0, ANSWER_BODY_MAX_BYTES - kept));
              kept += Math.min(c.length, ANSWER_BODY_MAX_BYTES - kept);
            }
            if (seen > RESPONSE_MAX_BYTES) {
              done(
                `RESPONSE_TOO_LARGE: ${method} ${this.o.url.origin}${path} answered ${res.statusCode} with more than ${RESPONSE_MAX_BYTES} bytes; reading stopped`,
              );
              r.destroy();
            }
          });
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              contentType: typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null,
              retryAfterMs: parseRetryAfterMs(res.headers['retry-after'], this.now()) ?? null,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', (e) => done(e.message));
        },
      );
      const timer = setTimeout(
        () => r.destroy(new Error(`REQUEST_TIMEOUT: no answer from ${this.o.url.origin}${path} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      r.on('error', (e) =>
        done(
          /HPE_|Parse Error/.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`)
            ? `PROTOCOL_ERROR: ${this.o.url.origin} did not answer ${method} ${path} with HTTP (${e.message})`
            : e.message,
        ),
      );
      r.end(body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
