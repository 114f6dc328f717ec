/** GET /healthz (the process answers), /readyz (started, not stopping, and the store takes writes), /metrics (Prometheus). */
import type http from 'node:http';
import { HEALTH_PATH } from '../../auth/index.js';
import type { IngestContext } from '../context.js';
import { INGEST_ERRORS, IngestError } from '../errors.js';
import { sendJson, sendRefusal } from '../http-io.js';

export function healthRoute(ctx: IngestContext, res: http.ServerResponse): void {
  sendJson(ctx, res, 200, '{"status":"ok"}');
}

/**
 * Ready: started, not stopping, and the store can take writes. The store is probed at most once per maxAgeMs however
 * often this is polled (readiness.ts), so it reflects a store outage within about a second and never adds load to a
 * struggling store; not ready is 503 with the reason, and it answers 200 again, by itself, once the store does.
 * Liveness (/healthz) stays "the process answers": a store outage takes the pod out of rotation, it does not restart it.
 */
export async function readyRoute(ctx: IngestContext, res: http.ServerResponse): Promise<void> {
  if (ctx.closing()) return sendRefusal(ctx, res, new IngestError('INGEST_SHUTTING_DOWN', 'not ready: the service is shutting down', 1));
  const r = await ctx.readiness.current();
  if (ctx.closing()) return sendRefusal(ctx, res, new IngestError('INGEST_SHUTTING_DOWN', 'not ready: the service is shutting down', 1));
  if (r.ready) sendJson(ctx, res, 200, '{"status":"ready"}');
  else
    sendRefusal(
      ctx,
      res,
      new IngestError(
        'INGEST_STORE_UNAVAILABLE',
        `not ready: the store cannot take writes: ${r.reason}; /readyz answers 200 again once it can`,
        1,
      ),
    );
}

export async function metricsRoute(ctx: IngestContext, res: http.ServerResponse): Promise<void> {
  const text = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
  res.end(text);
}

/**
 * Every request while the service listens but has not opened its store yet: /healthz says the process is alive
 * (a liveness probe must not restart a service that is still loading its devices), everything else, /readyz
 * included, is 503 INGEST_STARTING with Retry-After. No context exists yet: nothing here reads state.
 */
export function startingRoute(req: http.IncomingMessage, res: http.ServerResponse): void {
  const alive = (req.url ?? '/').split('?')[0] === HEALTH_PATH;
  const body = alive
    ? '{"status":"ok"}'
    : JSON.stringify({ code: 'INGEST_STARTING', message: `${INGEST_ERRORS.INGEST_STARTING.message}; retry after Retry-After` });
  if (!alive) res.setHeader('retry-after', '1');
  res.writeHead(alive ? 200 : INGEST_ERRORS.INGEST_STARTING.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
