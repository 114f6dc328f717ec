/** GET /healthz (the process answers), /readyz (started and not stopping), /metrics (Prometheus). */
import type http from 'node:http';
import type { IngestContext } from '../context.js';
import { IngestError } from '../errors.js';
import { sendJson, sendRefusal } from '../http-io.js';

export function healthRoute(ctx: IngestContext, res: http.ServerResponse): void {
  sendJson(ctx, res, 200, '{"status":"ok"}');
}

export function readyRoute(ctx: IngestContext, res: http.ServerResponse): void {
  if (!ctx.closing()) sendJson(ctx, res, 200, '{"status":"ready"}');
  else sendRefusal(ctx, res, new IngestError('INGEST_SHUTTING_DOWN', 'not ready', 1));
}

export async function metricsRoute(ctx: IngestContext, res: http.ServerResponse): Promise<void> {
  const text = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
  res.end(text);
}
