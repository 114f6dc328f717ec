import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HttpTransport,
  requestHeaderBytes,
  uploadHeaders,
  type Transport,
  type UploadOutcome,
  type UploadRequest,
} from '../agent/index.js';
import { BATCHES_PATH, DEVICE_AUTH_SCHEME, DEVICE_HEADER, SEQUENCE_HEADER, createRequestSigner } from '../auth/index.js';
import type { LatencyHistogram } from '../metrics/latency.js';
import type { EventBlock } from '../events/index.js';
import { codecFromContentEncoding, decodeBatch, decompress } from '../wire/index.js';
import { ProtocolTransport } from '../targets/transport.js';
import { openProtocol, type ProtocolSpec } from '../targets/protocols/index.js';
import type { TargetProtocol } from '../targets/protocol.js';

/** One opened protocol per spec and thread: an adapter module or encoder is loaded once, not per laptop. */
const openedProtocols = new Map<string, Promise<TargetProtocol>>();
function sharedProtocol(spec: ProtocolSpec, url: URL): Promise<TargetProtocol> {
  const key = `${url.href}\n${JSON.stringify(spec)}`;
  let p = openedProtocols.get(key);
  if (!p) openedProtocols.set(key, (p = openProtocol(spec, { url })));
  return p;
}

/** Where a run's uploads go. */
export type RunTransportSpec =
  | { readonly kind: 'null' }
  | { readonly kind: 'corpus'; readonly dir: string }
  /**
   * Real HTTP to an ingest service; each laptop signs with the key the service
   * handed out at enrollment (`keys`, hex, by device id). A foreign target's
   * protocol travels as plain data: header values stay ${ENV} templates until a
   * request is built.
   */
  | {
      readonly kind: 'http';
      readonly url: string;
      readonly keys: Readonly<Record<string, string>>;
      readonly protocol?: ProtocolSpec;
      readonly devicePrefix?: string;
    };

/**
 * The device id a laptop uses on the wire: its employee id, behind the run's
 * device prefix when the run has one (a long-running service that other runs
 * also send to). Only identity: no random stream is derived from it.
 */
export function deviceIdFor(spec: RunTransportSpec, employeeId: string): string {
  return spec.kind === 'http' && spec.devicePrefix ? `${spec.devicePrefix}${employeeId}` : employeeId;
}

/** Accepts every upload at once: pure modelling, no network. */
export class NullTransport implements Transport {
  async send(req: UploadRequest): Promise<UploadOutcome> {
    return { kind: 'response', status: 200, requestBytes: requestBytes(req) };
  }
}

/** Writes every body to a file, named by device and sequence, for `fleetsim load` to replay. */
export class CorpusTransport implements Transport {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  async send(req: UploadRequest): Promise<UploadOutcome> {
    const device = (req.headers[DEVICE_HEADER] ?? 'unknown').replace(/[^\w.-]/g, '_');
    const seq = req.headers[SEQUENCE_HEADER] ?? '0';
    const codec = req.headers['content-encoding'] ?? 'identity';
    writeFileSync(join(this.dir, `${device}.${seq.padStart(6, '0')}.${codec}`), req.body);
    return { kind: 'response', status: 200, requestBytes: requestBytes(req) };
  }
}

/** Where a run without a network pretends its uploads go: a service on loopback, as `fleetsim serve` would be. */
const MODELLED_URL = new URL(`http://127.0.0.1:8080${BATCHES_PATH}`);
/** A signature's length does not depend on the key or the body: a placeholder of the same length costs no hashing. */
const PLACEHOLDER_SIGNATURE = 'A'.repeat(43);

/**
 * Request bytes on the wire, as HttpTransport would send the upload signed the
 * way the agent signs (request line, Host, headers, the authorization header,
 * body), so a run without a network charges a laptop's radio what a run over
 * HTTP does.
 */
export function requestBytes(req: UploadRequest): number {
  const deviceId = req.headers[DEVICE_HEADER] ?? 'unknown';
  const sign = () => ({ authorization: `${DEVICE_AUTH_SCHEME} ${Date.now()} ${PLACEHOLDER_SIGNATURE} ${deviceId}` });
  return requestHeaderBytes(MODELLED_URL, uploadHeaders(req, MODELLED_URL.pathname, sign)) + req.body.byteLength;
}

/**
 * Wraps a transport and looks at what was accepted: decodes every body the
 * server acknowledged (after the response, so not on the agent's CPU bill) and
 * hands its events to `onAccepted` — for the leak scan and stored-per-hour.
 */
export class ObservingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly onAccepted: (events: EventBlock) => void,
  ) {}

  async send(req: UploadRequest): Promise<UploadOutcome> {
    const outcome = await this.inner.send(req);
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      const raw = decompress(codecFromContentEncoding(req.headers['content-encoding']), req.body, { maxOutputBytes: 256 << 20 });
      this.onAccepted(decodeBatch(raw).events);
    }
    return outcome;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

/**
 * Counts what the network said and, over real HTTP, times every exchange into
 * an HDR histogram (µs). Without a network (null, corpus) there is no latency
 * to report, so none is recorded.
 */
export class MeasuredTransport implements Transport {
  errors = 0;
  readonly statuses: Record<string, number> = {};
  constructor(
    private readonly inner: Transport,
    private readonly latency: LatencyHistogram | null,
  ) {}

  async send(req: UploadRequest): Promise<UploadOutcome> {
    const t0 = performance.now();
    const outcome = await this.inner.send(req);
    this.latency?.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
    const key = outcome.kind === 'response' ? String(outcome.status) : 'network-error';
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (outcome.kind !== 'response' || outcome.status >= 300) this.errors++;
    return outcome;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

/** The transport one laptop uses: for http its own keep-alive connection and device key. */
export function createTransport(spec: RunTransportSpec, deviceId: string): Transport {
  switch (spec.kind) {
    case 'null':
      return new NullTransport();
    case 'corpus':
      return new CorpusTransport(spec.dir);
    case 'http': {
      if (spec.protocol && spec.protocol.kind !== 'fleetsim') {
        const url = new URL(spec.url);
        return new ProtocolTransport({ url, protocol: sharedProtocol(spec.protocol, url), timeoutMs: 30_000 });
      }
      const key = spec.keys[deviceId];
      if (key === undefined) throw new Error(`no device key for ${deviceId}: every laptop of an http run is enrolled before it starts`);
      return new HttpTransport({
        url: `${spec.url.replace(/\/$/, '')}${BATCHES_PATH}`,
        timeoutMs: 30_000,
        sign: createRequestSigner({ deviceId, key: Buffer.from(key, 'hex') }, Date.now, 'authorization'),
      });
    }
  }
}
