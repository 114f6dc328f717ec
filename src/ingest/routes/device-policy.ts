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
import { jsonLength, notAllowed, optionalMs, parseJson, sendJson, storeFailed } from '../http-io.js';

export type DevicePolicyRoute = 'pause' | 'resume' | 'policy';

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
  if (typeof wanted !== 'number' || !Number.isSafeInteger(wanted) || wanted <= 0) {
    throw new IngestError(
      'INGEST_BAD_JSON',
      `pause needs {"wanted_ms": n > 0}; the policy caps a pause at ${ctx.rules.pauseCapMinutes} minutes`,
    );
  }
  const d = await policy.requestPause(deviceId, at, wanted, body.day_start_ms as number | undefined).catch((x: unknown) => {
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
