/**
 * Enrollment, authorized by the fleet secret (`authorization: Fleet <secret>`), and nothing else:
 *   POST /v1/enroll                  {"device_id","timezone"?} → {"device_id","key"}
 * Admin endpoints, authorized by the admin secret (`authorization: Admin <secret>`):
 *   PUT  /v1/devices/ID/exemption    {"exempt","from_ms"?,"until_ms"?}
 *   POST /v1/devices/ID/revoke       revoke the device key
 *   POST /v1/devices/ID/reinstate    re-admit a revoked device under a new key (it enrolls again for it)
 *   GET  /v1/devices/ID/gaps         missing sequence numbers
 * Each answers 404 INGEST_UNKNOWN_DEVICE for an id this service never enrolled.
 */
import type http from 'node:http';
import { adminSecretMatches, deviceIdProblem, fleetSecretMatches } from '../../auth/index.js';
import { isKnownTimezone } from '../../time/index.js';
import type { IngestContext } from '../context.js';
import { IngestError } from '../errors.js';
import { isoOrMs, notAllowed, optionalMs, readJson, sendJson, storeFailed } from '../http-io.js';

export type AdminRoute = 'exemption' | 'revoke' | 'reinstate' | 'gaps';

/**
 * Guesses of either secret are throttled per client address: once an address
 * has spent its wrong guesses, its requests are 429 before the secret is even
 * compared, so a right guess is not told apart from a wrong one.
 */
function throttleGuesses(ctx: IngestContext, req: http.IncomingMessage): () => void {
  const from = req.socket.remoteAddress ?? '';
  const now = ctx.now();
  const waitMs = ctx.fleetFailures.wait(from, now);
  if (waitMs > 0) {
    throw new IngestError(
      'INGEST_RATE_LIMITED',
      `too many wrong secrets from ${from}; retry after the Retry-After delay`,
      Math.ceil(waitMs / 1000),
    );
  }
  return () => ctx.fleetFailures.take(from, now);
}

/** The fleet secret (current or a previous one still accepted): enrollment only. */
function requireFleet(ctx: IngestContext, req: http.IncomingMessage): void {
  const wrong = throttleGuesses(ctx, req);
  if (!fleetSecretMatches(req.headers.authorization, ctx.fleetSecrets)) {
    wrong();
    throw new IngestError('AUTH_BAD_FLEET_SECRET', 'enrollment needs `authorization: Fleet <fleet secret>`');
  }
}

/** The admin secret: the fleet secret every laptop holds is not enough to act on devices. */
function requireAdmin(ctx: IngestContext, req: http.IncomingMessage): void {
  if (ctx.adminSecret === null) {
    throw new IngestError(
      'AUTH_ADMIN_DISABLED',
      'admin routes are disabled: start the service with --admin-secret (or $FLEETSIM_ADMIN_SECRET) to revoke, reinstate, exempt or read gaps',
    );
  }
  const wrong = throttleGuesses(ctx, req);
  if (!adminSecretMatches(req.headers.authorization, ctx.adminSecret)) {
    wrong();
    throw new IngestError(
      'AUTH_BAD_ADMIN_SECRET',
      'this endpoint needs `authorization: Admin <admin secret>` (the fleet secret only enrolls)',
    );
  }
}

export async function enrollRoute(ctx: IngestContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'POST') notAllowed(res, 'POST');
  requireFleet(ctx, req);
  const body = await readJson(ctx, req);
  const deviceId = body.device_id;
  if (typeof deviceId !== 'string')
    throw new IngestError('INGEST_BAD_JSON', 'enrollment needs {"device_id": "<1 to 128 printable Latin-1 characters>"}');
  const problem = deviceIdProblem(deviceId);
  if (problem !== null) throw new IngestError('INGEST_BAD_DEVICE_ID', `device_id ${JSON.stringify(deviceId.slice(0, 140))} ${problem}`);
  const timezone = body.timezone;
  if (timezone !== undefined) checkTimezone(timezone);
  if (ctx.devices.get(deviceId) === undefined) {
    const waitMs = ctx.enrollments.take('', ctx.now());
    if (waitMs > 0)
      throw new IngestError(
        'INGEST_RATE_LIMITED',
        `the service enrolls at most ${ctx.limits.enrollments.perSecond} new devices a second (burst ${ctx.limits.enrollments.burst})`,
        Math.ceil(waitMs / 1000),
      );
  }
  const key = await ctx.devices.enroll(deviceId, timezone as string | undefined).catch((x: unknown) => {
    throw x instanceof IngestError ? x : storeFailed(x, 'the enrollment');
  });
  sendJson(
    ctx,
    res,
    200,
    JSON.stringify({ device_id: deviceId, key: key.toString('hex'), timezone: ctx.devices.get(deviceId)?.timezone ?? null }),
  );
}

/** An IANA timezone the runtime knows (the capture-hours rule is in the laptop's local time). */
export function checkTimezone(timezone: unknown): asserts timezone is string {
  if (typeof timezone !== 'string' || timezone.length === 0 || timezone.length > 64 || !isKnownTimezone(timezone)) {
    throw new IngestError(
      'INGEST_BAD_JSON',
      `timezone ${JSON.stringify(typeof timezone === 'string' ? timezone.slice(0, 64) : timezone)} is not an IANA timezone (e.g. "Europe/Berlin", "America/New_York", "UTC")`,
    );
  }
}

export async function adminRoute(
  ctx: IngestContext,
  route: AdminRoute,
  deviceId: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const want = route === 'gaps' ? 'GET' : route === 'exemption' ? 'PUT' : 'POST';
  if (req.method !== want) notAllowed(res, want);
  requireAdmin(ctx, req);
  // Only an admin gets here, and the admin may list devices anyway: saying an id is unknown leaks nothing, while a
  // 200 for a typo would read as done. (Reinstate says the same from DeviceRegistry.reinstate.)
  if (route !== 'reinstate' && ctx.devices.get(deviceId) === undefined) {
    throw new IngestError(
      'INGEST_UNKNOWN_DEVICE',
      `device ${JSON.stringify(deviceId.slice(0, 128))} was never enrolled on this service; check the id (it must match exactly, case included)`,
    );
  }
  if (route === 'gaps') {
    const gaps = await ctx.store.sequenceGaps(deviceId);
    sendJson(ctx, res, 200, JSON.stringify({ device_id: deviceId, gaps: gaps.map((g) => ({ from: g.fromSequence, to: g.toSequence })) }));
    return;
  }
  const body = await readJson(ctx, req);
  if (route === 'revoke') {
    const at = await ctx.devices.revoke(deviceId).catch((x: unknown) => {
      throw storeFailed(x, 'the revocation');
    });
    sendJson(ctx, res, 200, JSON.stringify({ device_id: deviceId, revoked_ms: at }));
    return;
  }
  if (route === 'reinstate') {
    const d = await ctx.devices.reinstate(deviceId).catch((x: unknown) => {
      throw x instanceof IngestError ? x : storeFailed(x, 'the reinstatement');
    });
    sendJson(
      ctx,
      res,
      200,
      JSON.stringify({
        device_id: deviceId,
        reinstated: true,
        key_generation: d.keyGeneration,
        next: 'the device enrolls again (POST /v1/enroll) for its new key; the revoked key stays refused',
      }),
    );
    return;
  }
  if (typeof body.exempt !== 'boolean' || !optionalMs(body.from_ms) || !optionalMs(body.until_ms)) {
    throw new IngestError('INGEST_BAD_JSON', 'exemption needs {"exempt": true|false, "from_ms"?: epoch ms, "until_ms"?: epoch ms}');
  }
  const e = body.exempt
    ? { deviceId, fromMs: (body.from_ms as number | undefined) ?? ctx.now(), untilMs: (body.until_ms as number | undefined) ?? null }
    : null;
  if (e !== null && e.untilMs !== null && e.untilMs <= e.fromMs) {
    // An empty window would exempt nobody: most likely from_ms and until_ms are swapped, or until_ms is in the past.
    throw new IngestError(
      'INGEST_BAD_JSON',
      `exemption until_ms ${e.untilMs} (${isoOrMs(e.untilMs)}) is not after from_ms ${e.fromMs} (${isoOrMs(e.fromMs)}${body.from_ms === undefined ? ', now: from_ms defaults to the server clock' : ''}); until_ms must be later, or left out for an open-ended exemption`,
    );
  }
  await ctx.policy.setExemption(deviceId, e).catch((x: unknown) => {
    throw storeFailed(x, 'the exemption');
  });
  sendJson(
    ctx,
    res,
    200,
    JSON.stringify({ device_id: deviceId, exempt: e !== null, from_ms: e?.fromMs ?? null, until_ms: e?.untilMs ?? null }),
  );
}
