/**
 * A minimal HTTP/1.1 client for the load generator's hot path: a pool of
 * keep-alive connections on raw sockets, one request in flight per connection,
 * requests written as one pre-formatted buffer (head and body), responses
 * parsed only as far as the status, Content-Length (or chunked framing) and,
 * for refusals, the body.
 *
 * Why not node:http: `npm run bench:load` measured node:http's client at
 * 60–80 µs of CPU per request against wrk's ~5 µs, so it could neither reach
 * 20,000 uploads/s on one core nor keep its schedule at 5,000/s. This client
 * does the work wrk does (format, write, parse) and little more.
 *
 * Two choices keep garbage (and so GC pauses, which are schedule lag) low,
 * measured with `node --cpu-prof` on bench:load:
 * - responses are read into one static buffer (net's `onread` option) and
 *   parsed in place: a 'data' event per response allocated an ArrayBuffer per
 *   read, whose external memory triggered mark-compacts ("external memory
 *   pressure") and weak callbacks, ~2 µs a request;
 * - an exchange is a small integer (the caller's slot), not an object with a
 *   callback: the pool calls one handler with it.
 */
import net from 'node:net';

/**
 * Called once per request with the slot it was sent with. `body` (refusals
 * only, or every answer with `readAllBodies`) is a copy the handler may keep;
 * `contentType` comes with it.
 */
export type Http1Handler = (
  slot: number,
  status: number,
  body: Buffer | null,
  retryAfterS: number | null,
  error: string | null,
  contentType: string | null,
) => void;

/**
 * Bytes of one answer (head and body) read at most: beyond it the connection
 * is closed and the exchange fails as RESPONSE_TOO_LARGE, so a target that
 * answers with a gigabyte costs a megabyte of memory, not a gigabyte.
 */
export const RESPONSE_MAX_BYTES = 1024 * 1024;
const HTTP_PREFIX = Buffer.from('HTTP/1.', 'latin1');
const CONTENT_TYPE = Buffer.from('\ncontent-type:', 'latin1');

const CR = 13;
const LF = 10;
const CONTENT_LENGTH = Buffer.from('\ncontent-length:', 'latin1');
const TRANSFER_ENCODING = Buffer.from('\ntransfer-encoding:', 'latin1');
const RETRY_AFTER = Buffer.from('\nretry-after:', 'latin1');
const CONNECTION = Buffer.from('\nconnection:', 'latin1');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n', 'latin1');

/** Where the value of a header starts (after the colon and spaces) in b[from, headEnd), case-insensitively, or −1. `name` is lowercase with a leading LF. */
function headerValueAt(b: Buffer, from: number, headEnd: number, name: Buffer): number {
  const n = name.length;
  outer: for (let i = b.indexOf(LF, from); i >= 0 && i + n <= headEnd; i = b.indexOf(LF, i + 1)) {
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

const HTTP1_PREFIX = Buffer.from('HTTP/1.', 'latin1');

/** `HTTP/1.x DDD` then a space or the end of the line, within the head (the read buffer holds stale bytes beyond it). */
function isStatusLine(b: Buffer, headEnd: number): boolean {
  if (headEnd < 14 || b.compare(HTTP1_PREFIX, 0, HTTP1_PREFIX.length, 0, HTTP1_PREFIX.length) !== 0 || b[8] !== 32) return false;
  for (let i = 9; i < 12; i++) if (b[i]! < 48 || b[i]! > 57) return false;
  return b[12] === 32 || b[12] === CR;
}

/** One shared read buffer: every socket's reads are handled synchronously, one at a time. */
const READ_BUFFER_BYTES = 64 * 1024;

/** The payload of a complete chunked body (chunk extensions ignored, trailers dropped); what cannot be parsed is returned as is. */
function dechunk(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const eol = b.indexOf('\r\n', i, 'latin1');
    if (eol < 0) return Buffer.from(b);
    const size = parseInt(b.toString('latin1', i, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return Buffer.from(b);
    if (size === 0) break;
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function isDigits(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i]! < 48 || b[i]! > 57) return false;
  return true;
}

class Connection {
  readonly socket: net.Socket;
  slot = -1;
  bytes: Buffer | null = null;
  startedMs = 0;
  connected = false;
  closed = false;
  /** A response split across reads, copied out of the shared read buffer. */
  private partial: Buffer | null = null;

  constructor(
    private readonly pool: Http1Pool,
    host: string,
    port: number,
    readBuffer: Buffer,
  ) {
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (nread: number, buf: Buffer) => {
          this.onRead(buf, nread);
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.bytes) this.socket.write(this.bytes);
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'NETWORK_ERROR'));
    this.socket.on('close', () => this.fail('ECONNRESET'));
  }

  start(bytes: Buffer, slot: number, nowMs: number): void {
    this.slot = slot;
    this.bytes = bytes;
    this.startedMs = nowMs;
    if (this.connected) this.socket.write(bytes);
  }

  fail(code: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const slot = this.slot;
    this.slot = -1;
    this.bytes = null;
    this.pool.closedConnection(this);
    if (slot >= 0) this.pool.onDone(slot, 0, null, null, code, null);
  }

  private onRead(chunk: Buffer, nread: number): void {
    if (this.slot < 0) {
      // Bytes with nothing in flight: the server is not speaking HTTP/1.1 as expected.
      this.fail('PROTOCOL_ERROR');
      return;
    }
    let b = chunk;
    let len = nread;
    if (this.partial !== null) {
      b = Buffer.concat([this.partial, chunk.subarray(0, nread)]);
      len = b.length;
      this.partial = null;
    }
    // Not an HTTP/1.x status line: whatever it is, it is not an answer this client can read.
    if (
      b[0] !== HTTP_PREFIX[0] ||
      (len >= HTTP_PREFIX.length && b.compare(HTTP_PREFIX, 0, HTTP_PREFIX.length, 0, HTTP_PREFIX.length) !== 0) ||
      (len >= 12 && !isDigits(b, 9, 12))
    ) {
      this.fail('PROTOCOL_ERROR');
      return;
    }
    let headEnd = -1;
    for (let i = 3; i < len; i++) {
      if (b[i] === LF && b[i - 1] === CR && b[i - 2] === LF && b[i - 3] === CR) {
        headEnd = i + 1;
        break;
      }
    }
    if (headEnd < 0) return len > RESPONSE_MAX_BYTES ? this.fail('RESPONSE_TOO_LARGE') : this.keep(b, len);
    // "HTTP/1.x DDD …": anything else is an answer that cannot be read, never a status to count.
    if (!isStatusLine(b, headEnd)) return this.fail('PROTOCOL_ERROR');
    const status = (b[9]! - 48) * 100 + (b[10]! - 48) * 10 + (b[11]! - 48);
    let end = headEnd;
    let chunked = false;
    const cl = headerValueAt(b, 0, headEnd, CONTENT_LENGTH);
    if (cl >= 0) {
      let n = 0;
      let i = cl;
      for (; i < headEnd && b[i]! >= 48 && b[i]! <= 57; i++) n = n * 10 + (b[i]! - 48);
      // No digits, or something after them on the line: the body's length is unknown.
      if (i === cl || (b[i] !== CR && b[i] !== 32 && b[i] !== 9)) return this.fail('PROTOCOL_ERROR');
      end = headEnd + n;
      if (end > RESPONSE_MAX_BYTES) return this.fail('RESPONSE_TOO_LARGE');
      if (len < end) return this.keep(b, len);
    } else if (headerValueAt(b, 0, headEnd, TRANSFER_ENCODING) >= 0) {
      const term = b.subarray(0, len).indexOf(CHUNKED_END, headEnd - 2);
      if (term < 0) return len > RESPONSE_MAX_BYTES ? this.fail('RESPONSE_TOO_LARGE') : this.keep(b, len);
      end = term + CHUNKED_END.length;
      chunked = true;
    }
    // One request in flight per connection: anything after this response is not ours to parse.
    let retryAfter: number | null = null;
    let body: Buffer | null = null;
    let contentType: string | null = null;
    if (status >= 300 || this.pool.readAllBodies) {
      const ra = headerValueAt(b, 0, headEnd, RETRY_AFTER);
      if (ra >= 0) {
        const v = Number(b.toString('latin1', ra, b.indexOf(CR, ra)).trim());
        if (Number.isFinite(v)) retryAfter = v;
      }
      body = chunked ? dechunk(b.subarray(headEnd, end)) : Buffer.from(b.subarray(headEnd, end));
      const ct = headerValueAt(b, 0, headEnd, CONTENT_TYPE);
      if (ct >= 0) contentType = b.toString('latin1', ct, b.indexOf(CR, ct)).trim();
    }
    const conn = headerValueAt(b, 0, headEnd, CONNECTION);
    const close = conn >= 0 && b.toString('latin1', conn, b.indexOf(CR, conn)).trim().toLowerCase() === 'close';
    const slot = this.slot;
    this.slot = -1;
    this.bytes = null;
    if (close) {
      this.closed = true;
      this.socket.end();
      this.pool.closedConnection(this);
    } else {
      this.pool.idleConnection(this);
    }
    this.pool.onDone(slot, status, body, retryAfter, null, contentType);
  }

  private keep(b: Buffer, len: number): void {
    this.partial = Buffer.from(b.subarray(0, len));
  }
}

export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queueBytes: (Buffer | null)[] = [];
  private readonly queueSlot: number[] = [];
  private queueHead = 0;
  private readonly hostHeader: string;
  private readonly timer: NodeJS.Timeout;
  private readonly readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxConnections: number,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    readonly onDone: Http1Handler,
    /** Copy every answer's body and content type, not only refusals' (protocols that read 2xx bodies). */
    readonly readAllBodies = false,
  ) {
    this.hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    // One sweep for timeouts instead of a timer per request.
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, timeoutMs / 4)));
    this.timer.unref();
  }

  /** Requests waiting for a free connection. */
  get queued(): number {
    return this.queueSlot.length - this.queueHead;
  }

  /** The request head for `method path` (POST by default), up to and including the given header lines (each ending CRLF) and the blank line. */
  head(path: string, bodyBytes: number, headerLines: string, method = 'POST'): string {
    return `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-length: ${bodyBytes}\r\n${headerLines}\r\n`;
  }

  /** Sends a complete request (head and body in one buffer: one write); `slot` comes back to onDone. */
  send(bytes: Buffer, slot: number): void {
    const c = this.idle.pop() ?? (this.all.size < this.maxConnections ? this.open() : null);
    if (c) c.start(bytes, slot, this.now());
    else {
      this.queueBytes.push(bytes);
      this.queueSlot.push(slot);
    }
  }

  private open(): Connection {
    const c = new Connection(this, this.host, this.port, this.readBuffer);
    this.all.add(c);
    return c;
  }

  idleConnection(c: Connection): void {
    if (!this.startNext(c)) this.idle.push(c);
  }

  closedConnection(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (!this.stopped && this.queued > 0) this.startNext(this.open());
  }

  private startNext(c: Connection): boolean {
    if (this.queueHead >= this.queueSlot.length) return false;
    const bytes = this.queueBytes[this.queueHead]!;
    const slot = this.queueSlot[this.queueHead]!;
    this.queueBytes[this.queueHead++] = null;
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queueSlot.length) {
      this.queueBytes.splice(0, this.queueHead);
      this.queueSlot.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    c.start(bytes, slot, this.now());
    return true;
  }

  private sweep(): void {
    const t = this.now();
    for (const c of this.all) if (c.slot >= 0 && t - c.startedMs > this.timeoutMs) c.fail('REQUEST_TIMEOUT');
  }

  /** Closes every connection; exchanges in flight or queued are not answered (the caller accounts for them). */
  destroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.queueBytes.length = 0;
    this.queueSlot.length = 0;
    this.queueHead = 0;
    for (const c of [...this.all]) {
      c.slot = -1;
      c.closed = true;
      c.socket.destroy();
    }
    this.all.clear();
    this.idle.length = 0;
  }
}
