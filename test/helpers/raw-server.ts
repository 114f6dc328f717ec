import net from 'node:net';

/**
 * A raw loopback server that reads one HTTP/1.1 request (head and
 * Content-Length body) per connection, writes the given bytes, and closes
 * the connection: for answers node:http would never send, such as a 2xx
 * whose body stops short of its Content-Length.
 */
export function rawAnswerServer(answer: string | ((requestHead: string) => string)): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let seen = '';
    sock.on('data', (c: Buffer) => {
      seen += c.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      const len = Number(/content-length: *(\d+)/i.exec(seen)?.[1] ?? 0);
      if (end < 0 || seen.length < end + 4 + len) return;
      const head = seen.slice(0, end);
      seen = '';
      sock.end(typeof answer === 'string' ? answer : answer(head), 'latin1');
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}
