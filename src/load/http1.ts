/**
 * A minimal HTTP/1.1 client for the load generator's hot path: a pool of
 * keep-alive connections on raw sockets, one request in flight per connection,
 * requests written as one pre-formatted head plus the prepared body, responses
 * parsed only as far as the status, Content-Length (or chunked framing) and,
 * for refusals, the body.
 *
 * Why not node:http: `npm run bench:load` measured node:http's client at
 * 60–80 µs of CPU per request against wrk's ~5 µs, so it could neither reach
 * 20,000 uploads/s on one core nor keep its schedule at 5,000/s. This client
 * does the work wrk does (format, write, parse) and little more.
 */
import net from 'node:net';

export interface Http1Exchange {
  /** Filled by the pool when the exchange ends. */
  onDone(status: number, body: Buffer | null, retryAfterS: number | null, error: string | null): void;
}

interface Pending {
  /** The whole request: head and body. */
  readonly bytes: Buffer;
  readonly x: Http1Exchange;
}

const CRLF2 = 0x0d0a0d0a;
const CONTENT_LENGTH = Buffer.from('\ncontent-length:', 'latin1');
const TRANSFER_ENCODING = Buffer.from('\ntransfer-encoding:', 'latin1');
const RETRY_AFTER = Buffer.from('\nretry-after:', 'latin1');
const CONNECTION = Buffer.from('\nconnection:', 'latin1');

/** Where the value of a header starts (after the colon and spaces), case-insensitively, or −1. `name` is lowercase with a leading LF. */
function headerValueAt(b: Buffer, headEnd: number, name: Buffer): number {
  const n = name.length;
  outer: for (let i = b.indexOf(10); i >= 0 && i + n <= headEnd; i = b.indexOf(10, i + 1)) {
    for (let k = 1; k < n; k++) {
      const c = b[i + k]!;
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== name[k]) continue outer;
    }
    let v = i + n;
    while (b[v] === 32 || b[v] === 9) v++;
    return v;
  }
  return -1;
}

class Connection {
  readonly socket: net.Socket;
  current: Pending | null = null;
  startedMs = 0;
  connected = false;
  closed = false;
  private buf: Buffer | null = null;

  constructor(private readonly pool: Http1Pool, host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.current) this.write(this.current);
    });
    this.socket.on('data', (c: Buffer) => this.onData(c));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'NETWORK_ERROR'));
    this.socket.on('close', () => this.fail('ECONNRESET'));
  }

  start(p: Pending, nowMs: number): void {
    this.current = p;
    this.startedMs = nowMs;
    if (this.connected) this.write(p);
  }

  private write(p: Pending): void {
    this.socket.write(p.bytes);
  }

  fail(code: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const p = this.current;
    this.current = null;
    this.pool.closedConnection(this);
    p?.x.onDone(0, null, null, code);
  }

  private onData(chunk: Buffer): void {
    const p = this.current;
    if (p === null) {
      // Bytes with nothing in flight: the server is not speaking HTTP/1.1 as expected.
      this.fail('PROTOCOL_ERROR');
      return;
    }
    const b = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    let headEnd = -1;
    for (let i = 3; i < b.length; i++) {
      if (b[i] === 0x0a && b.readUInt32BE(i - 3) === CRLF2) {
        headEnd = i + 1;
        break;
      }
    }
    if (headEnd < 0) {
      this.buf = b;
      return;
    }
    // "HTTP/1.1 200 …"
    const status = (b[9]! - 48) * 100 + (b[10]! - 48) * 10 + (b[11]! - 48);
    let end: number;
    const cl = headerValueAt(b, headEnd, CONTENT_LENGTH);
    if (cl >= 0) {
      let n = 0;
      for (let i = cl; i < headEnd && b[i]! >= 48 && b[i]! <= 57; i++) n = n * 10 + (b[i]! - 48);
      end = headEnd + n;
      if (b.length < end) {
        this.buf = b;
        return;
      }
    } else if (headerValueAt(b, headEnd, TRANSFER_ENCODING) >= 0) {
      const term = b.indexOf('\r\n0\r\n\r\n', headEnd - 2, 'latin1');
      if (term < 0) {
        this.buf = b;
        return;
      }
      end = term + 7;
    } else {
      end = headEnd;
    }
    this.buf = end < b.length ? b.subarray(end) : null;
    this.current = null;
    let retryAfter: number | null = null;
    let close = false;
    if (status >= 300) {
      const ra = headerValueAt(b, headEnd, RETRY_AFTER);
      if (ra >= 0) {
        const v = Number(b.toString('latin1', ra, b.indexOf(13, ra)).trim());
        if (Number.isFinite(v)) retryAfter = v;
      }
    }
    const conn = headerValueAt(b, headEnd, CONNECTION);
    if (conn >= 0) close = b.toString('latin1', conn, b.indexOf(13, conn)).trim().toLowerCase() === 'close';
    if (close) {
      this.closed = true;
      this.socket.end();
      this.pool.closedConnection(this);
    } else {
      this.pool.idleConnection(this);
    }
    p.x.onDone(status, status >= 300 ? b.subarray(headEnd, end) : null, retryAfter, null);
  }
}

export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly hostHeader: string;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxConnections: number,
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {
    this.hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    // One sweep for timeouts instead of a timer per request.
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, timeoutMs / 4)));
    this.timer.unref();
  }

  /** Requests waiting for a free connection. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** The request head for `POST path`, up to and including the given header lines (each ending CRLF) and the blank line. */
  head(path: string, bodyBytes: number, headerLines: string): string {
    return `POST ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-length: ${bodyBytes}\r\n${headerLines}\r\n`;
  }

  /** Sends a complete request (head and body in one buffer: one write). */
  send(bytes: Buffer, x: Http1Exchange): void {
    const p: Pending = { bytes, x };
    const c = this.idle.pop() ?? (this.all.size < this.maxConnections ? this.open() : null);
    if (c) c.start(p, this.now());
    else this.queue.push(p);
  }

  private open(): Connection {
    const c = new Connection(this, this.host, this.port);
    this.all.add(c);
    return c;
  }

  idleConnection(c: Connection): void {
    const next = this.next();
    if (next) c.start(next, this.now());
    else this.idle.push(c);
  }

  closedConnection(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (!this.stopped && this.queued > 0) {
      const next = this.next()!;
      this.open().start(next, this.now());
    }
  }

  private next(): Pending | null {
    if (this.queueHead >= this.queue.length) return null;
    const p = this.queue[this.queueHead++]!;
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return p;
  }

  private sweep(): void {
    const t = this.now();
    for (const c of this.all) if (c.current !== null && t - c.startedMs > this.timeoutMs) c.fail('REQUEST_TIMEOUT');
  }

  /** Closes every connection; exchanges in flight or queued are not answered (the caller accounts for them). */
  destroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.queue.length = 0;
    this.queueHead = 0;
    for (const c of [...this.all]) {
      c.current = null;
      c.closed = true;
      c.socket.destroy();
    }
    this.all.clear();
    this.idle.length = 0;
  }
}
