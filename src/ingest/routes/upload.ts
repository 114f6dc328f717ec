/**
 * POST /v1/batches: one batch from one device, cheapest refusal first, and
 * nothing a request without the device's key can spend beyond its own bytes.
 *   1. signed headers: form, timestamp within the skew bound (401)
 *   2. Content-Type, Content-Encoding (415), Content-Length against the cap (411, 413)
 *   3. body read under the unverified-bytes budget, largest holder shed first (../intake.ts; 503)
 *   4. signature over the canonical request (401; unknown and revoked devices answer as a bad signature
 *      unless the request is signed with their key, so an id alone tells nothing)
 *   5. per-device rate limit (429 + Retry-After), charged only now
 *   6. admission: concurrency, body bytes held, store queue (503 + Retry-After)
 *   7. decompress with the inflated-size cap enforced while inflating (413, 400)
 *   8. decode with the service's event limit (400, 413); batch device = signed device (403)
 *      (7 and 8 run on a decode worker when the service has them: decode-pool.ts)
 *   9. window timestamps against the server clock (400)
 *  10. server-side policy: exempt device (403 POLICY_EXEMPT); events in recorded pause windows, and outside the
 *      capture hours in the device's local time (when the rules set them and the device enrolled with its
 *      timezone), refused and counted
 *  11. idempotent insert; 2xx only after its transaction commits
 */
import type http from 'node:http';
import { BATCH_CONTENT_TYPES, type SignedHeaders } from '../../auth/index.js';
import { utcOffsetMinutes } from '../../time/index.js';
import { codecFromContentEncoding, decodeBatch, decompress, encodeBatch, type Codec, type ScannedBatch } from '../../wire/index.js';
import type { IngestContext } from '../context.js';
import type { DecodedBody } from '../decode-body.js';
import { IngestError, fromWireError, type RefusalCode } from '../errors.js';
import { keptEvents, refuseEvents, type CaptureHoursCheck } from '../event-filter.js';
import { sendJson, storeFailed } from '../http-io.js';
import type { InsertResult } from '../store/index.js';

/** What a successful upload answers. */
export interface UploadResponse {
  readonly status: 'stored' | 'duplicate';
  readonly batch_id: string;
  readonly sequence: number;
  readonly stored: number;
  /** Events refused as in a scheduled pause: inside a recorded pause window or outside the capture hours. */
  readonly refused_paused: number;
  /** Of refused_paused, those outside the capture hours. */
  readonly refused_outside_hours: number;
  readonly refused_exempt: number;
}

export const ACCEPTED_CONTENT_TYPES: ReadonlySet<string> = new Set(BATCH_CONTENT_TYPES);

export async function uploadRoute(ctx: IngestContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let signed: SignedHeaders;
  try {
    signed = ctx.devices.parseHeaders(req);
  } catch (e) {
    rejectBatch(ctx, (e as IngestError).code, 0);
    throw e;
  }
  const { limits, admission: adm } = ctx;
  const lengthHeader = req.headers['content-length'];
  const length = lengthHeader === undefined ? -1 : Number(lengthHeader);
  // No Content-Type means application/octet-stream (RFC 9110 §8.3), which is a batch here: the agent leaves the header out (55 bytes an upload).
  const contentType = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
    rejectBatch(ctx, 'INGEST_UNSUPPORTED_MEDIA_TYPE', 0);
    throw new IngestError(
      'INGEST_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${JSON.stringify(contentType)} is not a batch; use one of ${[...ACCEPTED_CONTENT_TYPES].join(', ')}`,
    );
  }
  let codec: Codec;
  try {
    codec = codecFromContentEncoding(req.headers['content-encoding']);
  } catch (e) {
    const err = fromWireError(e);
    rejectBatch(ctx, err.code, 0);
    throw err;
  }
  if (lengthHeader === undefined || !Number.isSafeInteger(length) || length < 0) {
    rejectBatch(ctx, 'INGEST_LENGTH_REQUIRED', 0);
    throw new IngestError('INGEST_LENGTH_REQUIRED', 'uploads must send Content-Length (chunked bodies are not accepted)');
  }
  if (length > limits.maxBodyBytes) {
    rejectBatch(ctx, 'INGEST_BODY_TOO_LARGE', 0);
    // The body is not read: the connection closes after the answer.
    res.setHeader('connection', 'close');
    throw new IngestError('INGEST_BODY_TOO_LARGE', `body is ${length} bytes, the limit is ${limits.maxBodyBytes} bytes (compressed)`);
  }
  // Step 3: the body, charged to the unverified-bytes budget as it arrives.
  let body: Buffer;
  try {
    body = await ctx.intake.read(req, res, length);
  } catch (e) {
    rejectBatch(ctx, (e as IngestError).code, 0);
    throw e;
  }
  ctx.metrics.bodyBytes(length);
  // Step 4: who sent it. Until here nothing was charged to the device.
  const auth = ctx.devices.verify(signed, { method: req.method ?? 'POST', target: req.url ?? '' }, body);
  if (auth.failure !== null) {
    rejectBatch(ctx, auth.failure.code, 0);
    throw auth.failure;
  }
  const deviceId = signed.deviceId;
  const waitMs = ctx.limiter.take(deviceId, ctx.now());
  if (waitMs > 0) {
    rejectBatch(ctx, 'INGEST_RATE_LIMITED', 0);
    throw new IngestError(
      'INGEST_RATE_LIMITED',
      `device ${deviceId} is over its rate limit of ${limits.rate.perSecond} uploads/s (burst ${limits.rate.burst})`,
      Math.ceil(waitMs / 1000),
    );
  }
  // Step 6: admission, so decode and store work and memory stay bounded whatever arrives.
  if (
    adm.inFlight >= limits.maxInFlight ||
    ctx.store.queueDepth() >= limits.maxStoreQueue ||
    (adm.inFlightBytes + length > limits.maxInFlightBodyBytes && adm.inFlight > 0)
  ) {
    rejectBatch(ctx, 'INGEST_OVERLOADED', 0);
    throw new IngestError(
      'INGEST_OVERLOADED',
      `the service is at its limit (${adm.inFlight} uploads in flight, ${ctx.store.queueDepth()} queued for the store); retry after the Retry-After delay`,
      1,
    );
  }
  adm.inFlight++;
  adm.inFlightBytes += length;
  try {
    await uploadAdmitted(ctx, res, signed, auth.keyGeneration, codec, body);
  } finally {
    adm.inFlight--;
    adm.inFlightBytes -= length;
  }
}

async function uploadAdmitted(
  ctx: IngestContext,
  res: http.ServerResponse,
  signed: SignedHeaders,
  keyGeneration: number,
  codec: Codec,
  received: Buffer,
): Promise<void> {
  const { metrics: m, limits } = ctx;
  let body = received;
  const auth = { signed };
  let decoded: DecodedBody;
  try {
    const r = await ctx.decoder.decode(codec, body, { maxDecodedBytes: limits.maxDecodedBytes, maxEvents: limits.maxEventsPerBatch });
    body = r.body;
    decoded = r.decoded;
  } catch (e) {
    // No decode worker could take it (503, retryable).
    const err = fromWireError(e);
    rejectBatch(ctx, err.code, 0);
    throw err;
  }
  m.inflatedBytes(decoded.inflatedBytes);
  if (!decoded.ok) {
    const err = fromWireError(decoded.error);
    rejectBatch(ctx, err.code, 0);
    throw err;
  }
  const batch: ScannedBatch = decoded.batch;
  const h = batch.header;
  const n = batch.times.length;
  if (h.deviceId !== auth.signed.deviceId) {
    rejectBatch(ctx, 'AUTH_DEVICE_MISMATCH', n);
    throw new IngestError(
      'AUTH_DEVICE_MISMATCH',
      `the batch is for device ${JSON.stringify(h.deviceId)} but the request is signed by ${JSON.stringify(auth.signed.deviceId)}; a device may write only its own data`,
    );
  }
  const now = ctx.now();
  if (h.windowEndMs > now + limits.maxFutureMs) {
    rejectBatch(ctx, 'INGEST_TIMESTAMP_FUTURE', n);
    throw new IngestError(
      'INGEST_TIMESTAMP_FUTURE',
      `the batch window ends at ${new Date(h.windowEndMs).toISOString()}, more than ${limits.maxFutureMs / 1000} s after the server clock (${new Date(now).toISOString()})`,
    );
  }
  if (h.windowStartMs < now - limits.maxAgeMs) {
    rejectBatch(ctx, 'INGEST_TIMESTAMP_TOO_OLD', n);
    throw new IngestError(
      'INGEST_TIMESTAMP_TOO_OLD',
      `the batch window starts at ${new Date(h.windowStartMs).toISOString()}, more than ${Math.round(limits.maxAgeMs / 86_400_000)} days before the server clock`,
    );
  }
  // Step 9: the service's own policy record, not the agent's word.
  const policy = ctx.policy;
  let exemptMarker = false;
  if (batch.controls.length > 0) {
    try {
      exemptMarker = await policy.recordControls(h.deviceId, batch.controls);
    } catch (e) {
      rejectBatch(ctx, 'INGEST_STORE_FAILED', n);
      throw storeFailed(e, 'the pause and exemption markers of the batch');
    }
  }
  if (exemptMarker || policy.exemptDuring(h.deviceId, h.windowStartMs, h.windowEndMs) || policy.exemptDuring(h.deviceId, now, now)) {
    m.batch('rejected', 'POLICY_EXEMPT');
    m.eventsCounted('refused', 'exempt', n);
    throw new IngestError(
      'POLICY_EXEMPT',
      `the employee of device ${h.deviceId} is exempt from capture; ${n} events refused, nothing stored; stop capturing`,
    );
  }
  let payload: Uint8Array = body;
  let payloadCodec: Codec = codec;
  let stored = n;
  const windows = policy.windows(h.deviceId);
  // Without a timezone the service cannot tell local hours: no capture-hours check (documented in serve --help).
  const timezone = ctx.rules.captureHours === null ? null : (ctx.devices.get(h.deviceId)?.timezone ?? null);
  const hours: CaptureHoursCheck | null =
    timezone === null ? null : { rules: ctx.rules, utcOffsetMinutes: (ms) => utcOffsetMinutes(timezone, ms) };
  let inPauses = 0;
  let outsideHours = 0;
  if (windows.length > 0 || hours !== null) {
    const r = refuseEvents(batch.times, windows, hours);
    if (r.keep !== null) {
      inPauses = r.inPauses;
      outsideHours = r.outsideHours;
      stored = n - inPauses - outsideHours;
      // The scan kept only the times: the rare batch that loses events is decoded in full to be stored without them.
      // It passed every check already, so this cannot fail on the body (limits as the scan had them).
      const full = decodeBatch(decompress(codec, body, { maxOutputBytes: limits.maxDecodedBytes }), {
        maxEvents: limits.maxEventsPerBatch,
      });
      payload = encodeBatch(
        { header: h, controls: batch.controls, events: keptEvents(full.events, r.keep) },
        { maxEvents: limits.maxEventsPerBatch },
      );
      payloadCodec = 'identity';
    }
  }
  const refusedPaused = inPauses + outsideHours;
  // The device may have been revoked while this upload was read and checked: once a revoke has
  // answered, nothing its key sent is stored. Checked here (cheap), and again by the store inside
  // the transaction that stores the row (the key generation the signature was checked under must
  // still be the device's, unrevoked), which holds whatever the order of commits.
  const revokedMs = ctx.devices.get(h.deviceId)?.revokedMs ?? null;
  if (revokedMs !== null) {
    rejectBatch(ctx, 'AUTH_REVOKED', n);
    throw new IngestError(
      'AUTH_REVOKED',
      `device ${JSON.stringify(h.deviceId)} was revoked at ${new Date(revokedMs).toISOString()}, while this upload was in flight; it was not stored`,
    );
  }
  let result: InsertResult;
  try {
    result = await ctx.store.insertBatch(
      {
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
      },
      keyGeneration,
    );
  } catch (e) {
    rejectBatch(ctx, 'INGEST_STORE_FAILED', n);
    throw new IngestError(
      'INGEST_STORE_FAILED',
      `the store could not write the batch (${(e as Error).message}); nothing was stored, retry`,
      1,
    );
  }
  const batchIdHex = Buffer.from(h.batchId).toString('hex');
  if (result === 'revoked') {
    rejectBatch(ctx, 'AUTH_REVOKED', n);
    throw new IngestError(
      'AUTH_REVOKED',
      `device ${JSON.stringify(h.deviceId)} was revoked (or re-keyed) while this upload was in flight; it was not stored`,
    );
  }
  if (result === 'conflict') {
    rejectBatch(ctx, 'INGEST_SEQUENCE_CONFLICT', n);
    throw new IngestError(
      'INGEST_SEQUENCE_CONFLICT',
      `device ${h.deviceId} already stored a different batch as sequence ${h.sequence} (or batch id ${batchIdHex} under another sequence)`,
    );
  }
  if (result === 'stored') {
    m.batch('stored', '');
    m.eventsCounted('accepted', '', stored);
    m.eventsCounted('refused', 'paused', inPauses);
    m.eventsCounted('refused', 'outside_capture_hours', outsideHours);
  } else {
    m.batch('duplicate', '');
  }
  sendJson(
    ctx,
    res,
    200,
    `{"status":"${result}","batch_id":"${batchIdHex}","sequence":${h.sequence},"stored":${stored},"refused_paused":${refusedPaused},"refused_outside_hours":${outsideHours},"refused_exempt":0}`,
  );
}

function rejectBatch(ctx: IngestContext, code: RefusalCode, events: number): void {
  ctx.metrics.batch('rejected', code);
  ctx.metrics.eventsCounted('rejected', code, events);
}
