/**
 * The device's own policy endpoints, signed with its key like uploads:
 *   POST /v1/devices/ID/pause    {"wanted_ms","at_ms"?,"day_start_ms"?} → the granted window, capped by policy
 *   POST /v1/devices/ID/resume   {"at_ms"?} ends the open pause
 *   GET  /v1/devices/ID/policy   pause windows and exemption
 * A device may read and change only its own state.
 */
import type http from 'node:http';
import type { IngestContext } from '../context.js';
import { IngestError } from '../errors.js';
import { isoOrMs, jsonLength, notAllowed, optionalMs, parseJson, sendJson, storeFailed } from '../http-io.js';

export type DevicePolicyRoute = 'pause' | 'resume' | 'policy';

const DAY_MS = 86_400_000;
/** Longer than any policy's cap, which shortens what it grants: more can only be a unit mistake (seconds, µs). */
const MAX_WANTED_MS = DAY_MS;

/**
 * A pause or resume time is bounded against the server clock as an upload's window is (limits.ts): an agent asks in
 * real time, so at_ms far in the future (a window recorded for year 5138) or older than the service keeps is refused.
 */
function checkInstant(ctx: IngestContext, atMs: number): void {
  const now = ctx.now();
  if (atMs > now + ctx.limits.maxFutureMs)
    throw new IngestError(
      'INGEST_TIMESTAMP_FUTURE',
      `at_ms ${atMs} (${isoOrMs(atMs)}) is more than ${ctx.limits.maxFutureMs / 1000} s after the server clock (${isoOrMs(now)}); send the time the employee asked, or leave at_ms out for now`,
    );
  if (atMs < now - ctx.limits.maxAgeMs)
    throw new IngestError(
      'INGEST_TIMESTAMP_TOO_OLD',
      `at_ms ${atMs} (${isoOrMs(atMs)}) is more than ${Math.round(ctx.limits.maxAgeMs / DAY_MS)} days before the server clock (${isoOrMs(now)})`,
    );
}

export async function devicePolicyRoute(
  ctx: IngestContext,
  route: DevicePolicyRoute,
  deviceId: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const want = route === 'policy' ? 'GET' : 'POST';
  if (req.method !== want) notAllowed(res, want);
  const signed = ctx.devices.parseHeaders(req);
  const raw = await ctx.intake.read(req, res, jsonLength(ctx, req, want === 'GET'));
  const { failure } = ctx.devices.verify(signed, { method: req.method ?? want, target: req.url ?? '' }, raw);
  if (failure !== null) throw failure;
  if (signed.deviceId !== deviceId) {
    throw new IngestError(
      'AUTH_DEVICE_MISMATCH',
      `the request is signed by ${JSON.stringify(signed.deviceId)}; a device may change only its own policy state`,
    );
  }
  const policy = ctx.policy;
  if (route === 'policy') {
    const ex = policy.exemption(deviceId);
    sendJson(
      ctx,
      res,
      200,
      JSON.stringify({
        device_id: deviceId,
        exempt: ex !== undefined,
        exemption: ex ? { from_ms: ex.fromMs, until_ms: ex.untilMs } : null,
        pauses: policy.windows(deviceId).map((w) => ({ start_ms: w.startMs, end_ms: w.endMs, ended_by: w.endedBy })),
      }),
    );
    return;
  }
  const body = parseJson(raw);
  if (!optionalMs(body.at_ms) || !optionalMs(body.day_start_ms))
    throw new IngestError('INGEST_BAD_JSON', 'at_ms and day_start_ms must be epoch ms');
  const at = (body.at_ms as number | undefined) ?? ctx.now();
  checkInstant(ctx, at);
  const dayStart = body.day_start_ms as number | undefined;
  // The daily limit counts windows from the day's start: a start far from at_ms would count none and dodge it.
  if (dayStart !== undefined && !(dayStart <= at && dayStart > at - DAY_MS)) {
    throw new IngestError(
      'INGEST_BAD_JSON',
      `day_start_ms ${dayStart} (${isoOrMs(dayStart)}) must be the start of the laptop's local day: not after at_ms (${isoOrMs(at)}) and less than 24 h before it`,
    );
  }
  if (route === 'resume') {
    const w = await policy.resume(deviceId, at).catch((x: unknown) => {
      throw storeFailed(x, 'the resume');
    });
    if (w === null) {
      throw new IngestError('POLICY_NOT_PAUSED', `device ${deviceId} has no pause open at ${new Date(at).toISOString()}`);
    }
    sendJson(ctx, res, 200, JSON.stringify({ status: 'resumed', window: { start_ms: w.startMs, end_ms: w.endMs, ended_by: w.endedBy } }));
    return;
  }
  const wanted = body.wanted_ms;
  if (typeof wanted !== 'number' || !Number.isSafeInteger(wanted) || wanted < 1 || wanted > MAX_WANTED_MS) {
    throw new IngestError(
      'INGEST_BAD_JSON',
      `pause needs {"wanted_ms": whole milliseconds from 1 to ${MAX_WANTED_MS} (a day)}, got ${JSON.stringify(wanted) ?? String(wanted)}; the policy caps a pause at ${ctx.rules.pauseCapMinutes} minutes anyway`,
    );
  }
  const d = await policy.requestPause(deviceId, at, wanted, dayStart).catch((x: unknown) => {
    throw storeFailed(x, 'the pause');
  });
  if (d.kind === 'refused') {
    throw new IngestError('POLICY_PAUSE_REFUSED', `pause refused under the fleet policy: ${d.reason.replace('_', ' ')}`);
  }
  sendJson(
    ctx,
    res,
    200,
    JSON.stringify({ status: 'granted', window: { start_ms: d.window.startMs, end_ms: d.window.endMs, ended_by: d.window.endedBy } }),
  );
}
