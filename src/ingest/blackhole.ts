/**
 * A blackhole ingest for agents that do not speak fleetsim's protocol: it
 * accepts any request on any path, reads the body up to a bound, answers a
 * configured status after a configured delay, and counts what arrived. The
 * agent under test then pays its real upload cost (connections, bytes on the
 * radio, retries on a configured 5xx) while nothing is decoded or stored.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UsageError } from '../errors.js';
import type { IngestAddress } from './server.js';

export interface BlackholeOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: one the OS picks). */
  readonly port?: number;
  /** Status of every answer to a request within the body bound (default 204): 2xx, or 4xx/5xx to see how the agent retries. */
  readonly status?: number;
  /** Wait between reading the whole body and answering, ms (default 0), as a slow ingest would. */
  readonly delayMs?: number;
  /** Largest body accepted, bytes (default 16 MiB); a larger one gets 413 and the connection is closed. */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_BLACKHOLE_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * How many distinct "METHOD /path" keys are counted one by one; the rest are
 * counted under "other" so an agent that puts ids in its paths cannot grow
 * the stats without bound.
 */
export const BLACKHOLE_MAX_ROUTES = 1000;

export interface BlackholeRouteStats {
  readonly requests: number;
  readonly body_bytes: number;
  readonly header_bytes: number;
}

export interface BlackholeStats {
  /** Requests whose headers arrived (answered or not). */
  readonly requests: number;
  /** Body bytes read, refused bodies included up to the point of refusal. */
  readonly body_bytes: number;
  /** Request line and header bytes, rebuilt from the parsed request (HTTP/1.1 framing: ": " and CRLF). */
  readonly header_bytes: number;
  /** Requests refused with 413 for a body over maxBodyBytes. */
  readonly too_large: number;
  /** Requests whose client went away before the answer. */
  readonly aborted: number;
  readonly connections: number;
  /** Keyed by "METHOD /path" (query string dropped). */
  readonly by_route: Readonly<Record<string, BlackholeRouteStats>>;
  /** Answers sent, keyed by status code. */
  readonly by_status: Readonly<Record<string, number>>;
}

/** Bad options are the user's (flags, a scenario's ingest block): a UsageError naming the option and what is allowed. */
function checkOptions(o: BlackholeOptions): Required<BlackholeOptions> {
  const status = o.status ?? 204;
  const delayMs = o.delayMs ?? 0;
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_BLACKHOLE_MAX_BODY_BYTES;
  const port = o.port ?? 0;
  if (!Number.isInteger(status) || status < 200 || status > 599 || (status >= 300 && status < 400)) {
    throw new UsageError(
      `blackhole: status must be an integer HTTP status in 200-299 or 400-599 (a redirect has nowhere to send the agent), got ${status}`,
    );
  }
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 600_000)
    throw new UsageError(`blackhole: delayMs must be between 0 and 600000, got ${delayMs}`);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw new UsageError(`blackhole: maxBodyBytes must be an integer >= 0, got ${maxBodyBytes}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`blackhole: port must be an integer from 0 to 65535, got ${port}`);
  return { host: o.host ?? '127.0.0.1', port, status, delayMs, maxBodyBytes };
}

export function createBlackhole(options: BlackholeOptions = {}): BlackholeServer {
  return new BlackholeServer(options);
}

export class BlackholeServer {
  private readonly options: Required<BlackholeOptions>;
  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counts = { requests: 0, body_bytes: 0, header_bytes: 0, too_large: 0, aborted: 0, connections: 0 };
  private readonly routes = new Map<string, { requests: number; body_bytes: number; header_bytes: number }>();
  private readonly statuses = new Map<number, number>();

  constructor(options: BlackholeOptions = {}) {
    this.options = checkOptions(options);
    this.http = http.createServer((req, res) => this.handle(req, res));
    this.http.on('connection', (socket: Socket) => {
      this.counts.connections++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A malformed request line or header: Node answers 400 itself; count it as an answer.
    this.http.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) {
        this.countStatus(400);
        socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      } else socket.destroy();
    });
  }

  async start(): Promise<IngestAddress> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.address();
  }

  address(): IngestAddress {
    const a = this.http.address() as AddressInfo | null;
    if (a === null) throw new Error('the blackhole is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { host: a.address, port: a.port, url: `http://${host}:${a.port}` };
  }

  /** A copy of the counts, plain data. */
  stats(): BlackholeStats {
    return {
      ...this.counts,
      by_route: Object.fromEntries([...this.routes].map(([k, v]) => [k, { ...v }])),
      by_status: Object.fromEntries([...this.statuses].map(([k, v]) => [String(k), v])),
    };
  }

  /** Closes the listener and every connection, idle or mid-request, and cancels pending delayed answers. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = this.http.listening ? new Promise<void>((resolve) => this.http.close(() => resolve())) : Promise.resolve();
    this.http.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private route(req: http.IncomingMessage): { requests: number; body_bytes: number; header_bytes: number } {
    const path = (req.url ?? '/').split('?')[0]!;
    let key = `${req.method ?? 'UNKNOWN'} ${path}`;
    if (!this.routes.has(key) && this.routes.size >= BLACKHOLE_MAX_ROUTES) key = 'other';
    let r = this.routes.get(key);
    if (r === undefined) {
      r = { requests: 0, body_bytes: 0, header_bytes: 0 };
      this.routes.set(key, r);
    }
    return r;
  }

  private countStatus(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = this.route(req);
    const headerBytes = requestHeaderBytes(req);
    this.counts.requests++;
    this.counts.header_bytes += headerBytes;
    route.requests++;
    route.header_bytes += headerBytes;

    let answered = false;
    const answer = (status: number, close: boolean): void => {
      if (answered) return;
      answered = true;
      this.countStatus(status);
      res.statusCode = status;
      if (close) res.setHeader('connection', 'close');
      if (status === 204 || status === 304) res.end();
      else {
        res.setHeader('content-length', '0');
        res.end();
      }
    };
    res.once('close', () => {
      if (!answered) this.counts.aborted++;
    });

    const max = this.options.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      this.counts.too_large++;
      answer(413, true);
      // Not reading a body we refused: the connection closes after the answer.
      res.once('finish', () => req.socket.destroySoon());
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (answered) return;
      bytes += chunk.length;
      this.counts.body_bytes += chunk.length;
      route.body_bytes += chunk.length;
      if (bytes > max) {
        this.counts.too_large++;
        answer(413, true);
        res.once('finish', () => req.socket.destroySoon());
        req.pause();
      }
    });
    req.on('end', () => {
      if (answered) return;
      if (this.options.delayMs === 0) return answer(this.options.status, false);
      const t = setTimeout(() => {
        this.timers.delete(t);
        answer(this.options.status, false);
      }, this.options.delayMs);
      this.timers.add(t);
    });
    req.on('error', () => {
      // The client reset the connection mid-body; 'close' on the response counts it as aborted.
    });
  }
}

/** Bytes of the request line and headers as an HTTP/1.1 client framed them: "METHOD url HTTP/x.y\r\n", "Name: value\r\n" each, and the blank line. */
export function requestHeaderBytes(req: Pick<http.IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'>): number {
  let n = Buffer.byteLength(`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}\r\n`) + 2;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    n += Buffer.byteLength(req.rawHeaders[i]!) + 2 + Buffer.byteLength(req.rawHeaders[i + 1]!) + 2;
  return n;
}
