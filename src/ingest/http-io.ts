/**
 * Request and response plumbing shared by the routes: bounded body reads,
 * JSON bodies, JSON answers and refusals.
 */
import type http from 'node:http';
import type { IngestContext } from './context.js';
import { IngestError } from './errors.js';

/**
 * Reads exactly `length` bytes into one buffer; node:http never delivers more than Content-Length.
 * The buffer has its own memory, not a slice of Buffer's shared pool: a stored body travels to the
 * SQLite writer thread, and a pool slice would copy (and keep alive) the whole 8 KiB pool with it.
 */
export function readBody(req: http.IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.allocUnsafeSlow(length);
    let off = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (off + chunk.length > length) {
        done = true;
        reject(new IngestError('INGEST_BODY_TOO_LARGE', 'more bytes than Content-Length'));
        return;
      }
      chunk.copy(buf, off);
      off += chunk.length;
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      if (off === length) resolve(buf);
      else reject(new IngestError('INGEST_BODY_INCOMPLETE', `the body ended after ${off} of ${length} bytes`));
    });
    req.once('close', () => {
      if (done) return;
      done = true;
      reject(new IngestError('INGEST_BODY_INCOMPLETE', `the connection closed after ${off} of ${length} body bytes`));
    });
    req.once('error', (e) => {
      if (done) return;
      done = true;
      reject(new IngestError('INGEST_BODY_INCOMPLETE', `the body could not be read (${e.message})`));
    });
  });
}

/** Content-Length of a JSON body, checked against the JSON limit. */
export function jsonLength(ctx: IngestContext, req: http.IncomingMessage, emptyAllowed: boolean): number {
  const header = req.headers['content-length'];
  if (header === undefined) {
    if (emptyAllowed) return 0;
    throw new IngestError('INGEST_LENGTH_REQUIRED', 'send Content-Length');
  }
  const n = Number(header);
  if (!Number.isSafeInteger(n) || n < 0) throw new IngestError('INGEST_LENGTH_REQUIRED', 'Content-Length is not a number');
  if (n > ctx.limits.maxJsonBytes)
    throw new IngestError('INGEST_BODY_TOO_LARGE', `JSON body is ${n} bytes, the limit is ${ctx.limits.maxJsonBytes}`);
  return n;
}

export async function readJson(ctx: IngestContext, req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return parseJson(await readBody(req, jsonLength(ctx, req, true)));
}

export function parseJson(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new IngestError('INGEST_BAD_JSON', `the body is not a JSON object (${(e as Error).message})`);
  }
}

/** Absent, or a whole number of epoch ms. */
export function optionalMs(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
}

/** An epoch-ms instant as ISO 8601, or the number itself when Date cannot hold it (beyond ±8.64e15). */
export function isoOrMs(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}

export function sendJson(ctx: IngestContext, res: http.ServerResponse, status: number, body: string): void {
  if (ctx.closing()) res.setHeader('connection', 'close');
  // An explicit length: without it node:http frames the body as chunked.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendRefusal(ctx: IngestContext, res: http.ServerResponse, e: IngestError): void {
  if (e.retryAfterS !== undefined) res.setHeader('retry-after', String(e.retryAfterS));
  sendJson(ctx, res, e.httpStatus, JSON.stringify({ code: e.code, message: e.message }));
}

/** Sets Allow and refuses: the endpoint exists, the method does not. */
export function notAllowed(res: http.ServerResponse, allowed: string): never {
  res.setHeader('allow', allowed);
  throw new IngestError('INGEST_METHOD_NOT_ALLOWED', `use ${allowed} on this endpoint`);
}

/** A store write that failed: nothing changed (memory follows the store), so the client may retry. */
export function storeFailed(e: unknown, what: string): IngestError {
  return new IngestError(
    'INGEST_STORE_FAILED',
    `the store could not write ${what} (${(e as Error)?.message ?? String(e)}); nothing was changed, retry`,
    1,
  );
}
