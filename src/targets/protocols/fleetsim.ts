/**
 * fleetsim's own protocol (the default): devices enroll with the fleet secret
 * (POST /v1/enroll), every upload is the agent's body as is, signed with the
 * device's key, and refusals carry a JSON `code`. This module wraps the
 * existing pieces (src/auth's signer, src/targets' enrollment) behind the
 * TargetProtocol interface without changing a byte of what is sent; the load
 * sender keeps its own pre-signed fast path for it (src/load/sender.ts).
 */
import { BATCHES_PATH, BATCH_CONTENT_TYPE, DEVICE_HEADER, createRequestSigner, type OutgoingRequest } from '../../auth/index.js';
import {
  RETRYABLE_STATUSES,
  type AnswerVerdict,
  type OutgoingBatch,
  type TargetAnswer,
  type TargetProtocol,
  type TargetRequest,
} from '../protocol.js';

export interface FleetsimProtocolOptions {
  /** The device's key (from enrollment, or derived from the fleet secret). */
  readonly keyOf: (deviceId: string) => Uint8Array;
  /** The signature's clock, epoch ms. */
  readonly now?: () => number;
}

export function fleetsimProtocol(o: FleetsimProtocolOptions): TargetProtocol {
  const signers = new Map<string, (req: OutgoingRequest) => Record<string, string>>();
  const now = o.now ?? Date.now;
  return {
    name: 'fleetsim',
    request(b: OutgoingBatch): TargetRequest {
      let sign = signers.get(b.deviceId);
      if (!sign) signers.set(b.deviceId, (sign = createRequestSigner({ deviceId: b.deviceId, key: o.keyOf(b.deviceId) }, now)));
      const headers: Record<string, string> = { 'content-type': BATCH_CONTENT_TYPE, [DEVICE_HEADER]: b.deviceId };
      if (b.codec !== 'identity') headers['content-encoding'] = b.codec;
      Object.assign(headers, sign({ method: 'POST', target: BATCHES_PATH, body: b.body }));
      return { method: 'POST', path: BATCHES_PATH, headers, body: b.body };
    },
    classify: classifyFleetsimAnswer,
  };
}

/** 2xx stored; the agent's retryable statuses; any other status refused, its reason the service's JSON `code`. */
export function classifyFleetsimAnswer(a: TargetAnswer): AnswerVerdict {
  if (a.status >= 200 && a.status < 300) return { kind: 'accepted' };
  const reason = fleetsimReason(a.status, a.body);
  if (RETRYABLE_STATUSES.includes(a.status))
    return { kind: 'retryable', reason, ...(a.retryAfterMs !== null ? { retryAfterMs: a.retryAfterMs } : {}) };
  return { kind: 'refused', reason };
}

/** The reference service's refusal code (`{"code":"AUTH_BAD_SIGNATURE",…}`), else HTTP_<status>. */
export function fleetsimReason(status: number, body: Uint8Array | null): string {
  try {
    const code = (
      JSON.parse(body === null ? '' : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as { code?: unknown }
    ).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  } catch {
    // Not the reference service's JSON: the status is the reason.
  }
  return `HTTP_${status}`;
}
