/**
 * Plain HTTP: no enrollment, no signature. Each batch is one request with the
 * configured method, path and static headers; the body is the agent's own
 * (its wire format in its compression, or uncompressed) or NDJSON (one JSON
 * object per event, for services that take JSON lines). Status alone decides:
 * 2xx accepted, 408/429/502/503/504 retryable (after Retry-After), anything
 * else refused. Answers' bodies are never read as anything but a reason.
 */
import { BATCH_CONTENT_TYPE } from '../../auth/index.js';
import { EVENT_TYPE_NAMES, INPUT_CONTEXT_NAMES, MOUSE_BUTTON_NAMES } from '../../events/index.js';
import { compress, decompress, type BatchInput } from '../../wire/index.js';
import { classifyByStatus, type OutgoingBatch, type TargetProtocol, type TargetRequest } from '../protocol.js';

export interface HttpProtocolOptions {
  readonly method: 'POST' | 'PUT';
  /** Absolute path (and query) the requests go to. */
  readonly path: string;
  /** Resolved static headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: 'wire' | 'ndjson';
  /** agent: the agent's codec (wire: its body as is; ndjson: compressed with it); none: uncompressed. */
  readonly compression: 'agent' | 'none';
}

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

export function httpProtocol(o: HttpProtocolOptions): TargetProtocol {
  return {
    name: 'http',
    request(b: OutgoingBatch): TargetRequest {
      const headers: Record<string, string> = { ...o.headers };
      let body: Uint8Array;
      if (o.body === 'wire') {
        headers['content-type'] ??= BATCH_CONTENT_TYPE;
        body = o.compression === 'agent' ? b.body : decompress(b.codec, b.body, { maxOutputBytes: 256 << 20 });
      } else {
        headers['content-type'] ??= NDJSON_CONTENT_TYPE;
        const text = Buffer.from(batchToNdjson(b.batch(), b.employeeId), 'utf8');
        body = o.compression === 'agent' && b.codec !== 'identity' ? compressLike(b, text) : text;
      }
      if (o.compression === 'agent' && b.codec !== 'identity') headers['content-encoding'] = b.codec;
      return { method: o.method, path: o.path, headers, body };
    },
    classify: (a) => classifyByStatus(a),
  };
}

function compressLike(b: OutgoingBatch, raw: Uint8Array): Uint8Array {
  return compress(b.codec, raw);
}

/**
 * One JSON object per line: the batch's control records (pause, resume, …)
 * first, then every event as the agent captured it. Redacted keystrokes keep
 * key -1 (content removed, timing kept), exactly as on the wire.
 */
export function batchToNdjson(batch: BatchInput, employeeId?: string): string {
  const h = batch.header;
  const common = `"device_id":${JSON.stringify(h.deviceId)},${employeeId !== undefined ? `"employee_id":${JSON.stringify(employeeId)},` : ''}"batch_id":"${Buffer.from(h.batchId).toString('hex')}","sequence":${h.sequence}`;
  const lines: string[] = [];
  for (const c of batch.controls)
    lines.push(`{${common},"control":"${c.kind}","at_ms":${c.atMs}${c.untilMs !== undefined ? `,"until_ms":${c.untilMs}` : ''}}`);
  const e = batch.events;
  for (let i = 0; i < e.length; i++) {
    const type = EVENT_TYPE_NAMES[e.type[i]!] ?? String(e.type[i]);
    const context = INPUT_CONTEXT_NAMES[e.context[i]!] ?? String(e.context[i]);
    let detail: string;
    if (type === 'keydown' || type === 'keyup') detail = `"key":${e.key[i]}`;
    else if (type === 'mousedown' || type === 'mouseup')
      detail = `"x":${e.x[i]},"y":${e.y[i]},"button":"${MOUSE_BUTTON_NAMES[e.button[i]!] ?? e.button[i]}"`;
    else detail = `"x":${e.x[i]},"y":${e.y[i]}`;
    lines.push(`{${common},"t_ms":${Math.round(e.t_ms[i]!)},"type":"${type}","context":"${context}",${detail}}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
