/**
 * Servers that know nothing of fleetsim, for the target-protocol tests: a
 * plain HTTP server that answers every request after a fixed delay, and raw
 * TCP servers that answer with something hostile.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Whether this machine can listen on the IPv6 loopback (containers without IPv6 cannot): tests on ::1 skip without it. */
export async function hasIpv6Loopback(): Promise<boolean> {
  const server = net.createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

/** Answers every request after `delayMs` with `answer` (default 200 text/plain "ok"); keeps what it received. */
export async function startPlainServer(o: {
  delayMs: number;
  answer?: (req: SeenRequest) => { status: number; headers?: Record<string, string>; body?: string | Buffer };
  /** The loopback address to listen on: 127.0.0.1 unless given (::1 for IPv6). */
  host?: string;
}): Promise<{ url: string; seen: SeenRequest[]; stop: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(r);
      setTimeout(() => {
        const a = o.answer?.(r) ?? { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
        const body = typeof a.body === 'string' ? Buffer.from(a.body) : (a.body ?? Buffer.alloc(0));
        res.writeHead(a.status, { ...a.headers, 'content-length': body.byteLength }).end(body);
      }, o.delayMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A TCP server that reads each request and then does `onRequest` with the socket (write garbage, stream forever, say nothing). */
export async function startRawServer(
  onRequest: (socket: net.Socket) => void,
): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    count++;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let answered = false;
    socket.on('data', () => {
      if (answered) return;
      answered = true;
      onRequest(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Streams `totalBytes` of body after a 200 head with that Content-Length, as fast as the peer reads, until it hangs up. */
export function streamHugeAnswer(socket: net.Socket, totalBytes: number): { sent: () => number } {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${totalBytes}\r\n\r\n`);
  const pump = (): void => {
    while (sent < totalBytes && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
  };
  pump();
  return { sent: () => sent };
}
