/**
 * A real OTLP/HTTP logs receiver on 127.0.0.1 for tests: POST /v1/logs in
 * protobuf or JSON, gzip or not. Every request is decoded with an independent
 * decoder: the protobufjs code generated from the OTLP .proto files that
 * @opentelemetry/otlp-transformer 0.213 published (devDependency alias
 * `otlp-transformer-pbjs`), not the serializer fleetsim encodes with. It
 * answers 200 with an ExportLogsServiceResponse in the request's encoding, or
 * whatever `respond` says (429 with Retry-After, 503, ...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import pbjsRoot from 'otlp-transformer-pbjs/build/src/generated/root.js';

interface PbType {
  decode(bytes: Uint8Array): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
  toObject(m: unknown, o: Record<string, unknown>): Record<string, unknown>;
}
const logsV1 = (
  pbjsRoot as unknown as {
    opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: PbType; ExportLogsServiceResponse: PbType } } } } };
  }
).opentelemetry.proto.collector.logs.v1;

export type AttrValue = string | number | boolean;

export interface ReceivedLogRecord {
  /** Exact, as sent (a decimal string of nanoseconds since the epoch). */
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly eventName: string;
  readonly attributes: Readonly<Record<string, AttrValue>>;
}

export interface ReceivedRequest {
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  /** The body as it came off the socket (still gzipped if it was). */
  readonly rawBytes: number;
  /** The body after gunzip. */
  readonly body: Buffer;
  readonly resourceAttributes: Readonly<Record<string, AttrValue>>;
  readonly scopeName: string;
  readonly scopeVersion: string;
  readonly scopeAttributes: Readonly<Record<string, AttrValue>>;
  readonly records: readonly ReceivedLogRecord[];
}

/** Status, headers and body to answer instead of 200; undefined: accept. */
export type OtlpResponder = (requestIndex: number) => { status: number; headers?: Record<string, string>; body?: string } | undefined;

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Requests refused by `respond` or as malformed, with the status sent. */
  readonly refused: { status: number; message: string }[] = [];
  private seen = 0;

  private constructor(
    private readonly server: Server,
    public respond: OtlpResponder | undefined,
  ) {}

  static async start(opts: { respond?: OtlpResponder; maxBodyBytes?: number } = {}): Promise<OtlpReceiver> {
    const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
    const server = createServer();
    const self = new OtlpReceiver(server, opts.respond);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res, maxBody));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return self;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  /** Every log record received, in arrival order. */
  records(): ReceivedLogRecord[] {
    return this.requests.flatMap((r) => r.records);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<void> {
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
      this.refused.push({ status, message });
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(message);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > maxBody) return fail(413, `body over ${maxBody} bytes`);
        chunks.push(c as Buffer);
      }
    } catch (err) {
      return fail(400, `cannot read body: ${(err as Error).message}`);
    }
    if (req.method !== 'POST' || req.url !== '/v1/logs') return fail(404, `only POST /v1/logs, got ${req.method} ${req.url}`);
    const planned = this.respond?.(this.seen++);
    if (planned) {
      this.refused.push({ status: planned.status, message: planned.body ?? '' });
      res.writeHead(planned.status, planned.headers ?? {});
      res.end(planned.body ?? '');
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const contentEncoding = req.headers['content-encoding'];
    const raw = Buffer.concat(chunks);
    let body: Buffer;
    try {
      body =
        contentEncoding === 'gzip'
          ? gunzipSync(raw, { maxOutputLength: maxBody })
          : contentEncoding === undefined || contentEncoding === 'identity'
            ? raw
            : (() => {
                throw new Error(`unsupported content-encoding ${contentEncoding}`);
              })();
    } catch (err) {
      return fail(400, (err as Error).message);
    }
    let received: ReceivedRequest;
    try {
      let message: unknown;
      if (contentType === 'application/x-protobuf') message = logsV1.ExportLogsServiceRequest.decode(body);
      else if (contentType === 'application/json') message = fromOtlpJson(JSON.parse(body.toString('utf8')));
      else return fail(415, `content-type must be application/x-protobuf or application/json, got ${contentType}`);
      const obj = logsV1.ExportLogsServiceRequest.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false });
      received = normalise(obj, contentType, contentEncoding, raw.length, body);
    } catch (err) {
      return fail(400, `cannot decode ExportLogsServiceRequest: ${(err as Error).message}`);
    }
    this.requests.push(received);
    if (contentType === 'application/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } else {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end(logsV1.ExportLogsServiceResponse.encode({}).finish());
    }
  }
}

/**
 * OTLP JSON to the protobuf message: per the OTLP spec, trace and span ids
 * are hex in JSON (protobufjs expects base64 for bytes), the rest is the
 * proto3 JSON mapping with lowerCamelCase keys.
 */
function fromOtlpJson(json: unknown): unknown {
  const j = json as { resourceLogs?: { scopeLogs?: { logRecords?: Record<string, unknown>[] }[] }[] };
  for (const rl of j.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const lr of sl.logRecords ?? [])
        for (const k of ['traceId', 'spanId']) {
          const v = lr[k];
          if (v === undefined || v === '') continue;
          if (typeof v !== 'string' || !/^([0-9a-f]{2})+$/i.test(v))
            throw new Error(`${k} must be hex in OTLP JSON, got ${JSON.stringify(v)}`);
          lr[k] = Buffer.from(v, 'hex');
        }
  return logsV1.ExportLogsServiceRequest.fromObject(json);
}

type AnyValueObj = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KV = { key: string; value?: AnyValueObj };

function attrs(kvs: KV[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of kvs ?? []) {
    const v = kv.value ?? {};
    if (v.stringValue !== undefined) out[kv.key] = v.stringValue;
    else if (v.intValue !== undefined) out[kv.key] = Number(v.intValue);
    else if (v.doubleValue !== undefined) out[kv.key] = v.doubleValue;
    else if (v.boolValue !== undefined) out[kv.key] = v.boolValue;
    else throw new Error(`attribute ${kv.key}: value kind not handled by the test receiver: ${JSON.stringify(v)}`);
  }
  return out;
}

function normalise(
  obj: Record<string, unknown>,
  contentType: string,
  contentEncoding: string | undefined,
  rawBytes: number,
  body: Buffer,
): ReceivedRequest {
  type LR = { timeUnixNano?: string; observedTimeUnixNano?: string; eventName?: string; attributes?: KV[] };
  type SL = { scope?: { name?: string; version?: string; attributes?: KV[] }; logRecords?: LR[] };
  type RL = { resource?: { attributes?: KV[] }; scopeLogs?: SL[] };
  const rls = (obj.resourceLogs ?? []) as RL[];
  if (rls.length !== 1 || rls[0]!.scopeLogs?.length !== 1)
    throw new Error(`expected one ResourceLogs with one ScopeLogs, got ${JSON.stringify(obj).slice(0, 300)}`);
  const rl = rls[0]!;
  const sl = rl.scopeLogs![0]!;
  return {
    contentType,
    contentEncoding,
    rawBytes,
    body,
    resourceAttributes: attrs(rl.resource?.attributes),
    scopeName: sl.scope?.name ?? '',
    scopeVersion: sl.scope?.version ?? '',
    scopeAttributes: attrs(sl.scope?.attributes),
    records: (sl.logRecords ?? []).map((lr) => ({
      timeUnixNano: BigInt(lr.timeUnixNano ?? '0'),
      observedTimeUnixNano: BigInt(lr.observedTimeUnixNano ?? '0'),
      eventName: lr.eventName ?? '',
      attributes: attrs(lr.attributes),
    })),
  };
}
