/**
 * The bench's HTTP client: pre-serialized requests written on raw keep-alive
 * sockets (cheaper than any HTTP client, so a no-op server's figure is
 * node:http's ceiling, not the client's), driven closed-loop (each connection
 * sends its next request when the previous one is answered) or open-model
 * (fixed arrival rate, latency from each request's intended send time).
 */
import net from 'node:net';

/** What the drivers need of a request: its bytes and the events it carries. */
export interface WireRequest {
  readonly events: number;
  /** Request line + headers + body, ready for the socket. */
  readonly wire: Buffer;
}

/** One keep-alive connection: writes a request, parses the response head and body length, reports the status. */
export class Conn {
  readonly socket: net.Socket;
  current = -1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(port: number, onResponse: (c: Conn, status: string) => void, onError: (e: Error) => void) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      for (;;) {
        const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) return void (this.pending = [buf]);
        const head = buf.toString('latin1', 0, headEnd);
        const m = /content-length: *(\d+)/i.exec(head);
        const total = headEnd + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return void (this.pending = [buf]);
        this.pending = buf.length > total ? [buf.subarray(total)] : [];
        this.pendingBytes = buf.length - total;
        onResponse(this, head.slice(9, 12));
        if (this.pendingBytes === 0) return;
      }
    });
    this.socket.on('error', onError);
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }
}

export interface RunResult {
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Closed loop: from the write; open model: from the intended send time. */
  latencyMs: Float64Array;
  events: number;
}

/** Closed loop: each connection sends its next request when the previous one is answered. */
export async function drive(port: number, uploads: readonly WireRequest[], connections: number): Promise<RunResult> {
  const latencyMs = new Float64Array(uploads.length);
  const sentAt = new Float64Array(uploads.length);
  const statuses: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  let events = 0;
  let answered = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const send = (c: Conn) => {
      if (next >= uploads.length) return void c.socket.end();
      c.current = next++;
      sentAt[c.current] = performance.now();
      c.socket.write(uploads[c.current]!.wire);
    };
    const conns = Array.from(
      { length: Math.min(connections, uploads.length) },
      () =>
        new Conn(
          port,
          (c, status) => {
            latencyMs[c.current] = performance.now() - sentAt[c.current]!;
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status === '200') {
              ok++;
              events += uploads[c.current]!.events;
            }
            if (++answered === uploads.length) resolve();
            send(c);
          },
          reject,
        ),
    );
    if (uploads.length === 0) resolve();
    for (const c of conns) c.socket.once('connect', () => send(c));
  });
  return { requests: uploads.length, ok, statuses, seconds: (performance.now() - t0) / 1000, latencyMs, events };
}

export interface OpenRunResult extends RunResult {
  readonly targetPerSec: number;
  /** How late the client wrote each request after its intended time (the generator's own share of the latency). */
  readonly lagMs: Float64Array;
}

/**
 * Open model: request i is due at start + i / rate whatever the server does;
 * it waits for a free connection if none is, and its latency counts from when
 * it was due (so a stalled server cannot hide its backlog: no coordinated
 * omission). Bounded: exactly uploads.length requests, then the run ends.
 */
export async function driveOpen(
  port: number,
  uploads: readonly WireRequest[],
  connections: number,
  ratePerSec: number,
): Promise<OpenRunResult> {
  const n = uploads.length;
  const latencyMs = new Float64Array(n);
  const lagMs = new Float64Array(n);
  const statuses: Record<string, number> = {};
  const intervalMs = 1000 / ratePerSec;
  let ok = 0;
  let events = 0;
  let answered = 0;
  let due = 0;
  let sent = 0;
  const idle: Conn[] = [];
  let timer: NodeJS.Timeout | null = null;
  let t0 = 0;
  const intended = (i: number) => t0 + i * intervalMs;
  const done = new Promise<void>((resolve, reject) => {
    const pump = () => {
      timer = null;
      const now = performance.now();
      while (due < n && intended(due) <= now) due++;
      while (sent < due && idle.length > 0) {
        const c = idle.pop()!;
        c.current = sent++;
        lagMs[c.current] = performance.now() - intended(c.current);
        c.socket.write(uploads[c.current]!.wire);
      }
      if (due < n && timer === null) timer = setTimeout(pump, Math.max(0, intended(due) - performance.now()));
    };
    const conns = Array.from(
      { length: connections },
      () =>
        new Conn(
          port,
          (c, status) => {
            latencyMs[c.current] = performance.now() - intended(c.current);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status === '200') {
              ok++;
              events += uploads[c.current]!.events;
            }
            idle.push(c);
            if (++answered === n) {
              for (const x of conns) x.socket.end();
              resolve();
            } else pump();
          },
          reject,
        ),
    );
    void Promise.all(conns.map((c) => c.connected())).then(() => {
      idle.push(...conns);
      t0 = performance.now();
      pump();
    }, reject);
  });
  await done;
  if (timer !== null) clearTimeout(timer);
  return { requests: n, ok, statuses, seconds: (performance.now() - t0) / 1000, latencyMs, events, targetPerSec: ratePerSec, lagMs };
}

export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
