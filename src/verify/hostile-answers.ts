import net from 'node:net';
import { EnrollmentError, HttpTransport, enrollOverHttp } from '../agent/index.js';
import { createStream, uniformInt, type RandomStream } from '../random/index.js';

/**
 * Hostile answers: a target that sends garbage, resets, trickles or never
 * answers, against the two clients fleetsim points at other people's servers
 * (the agent's uploader and its enrollment call). Each exchange must end by
 * itself within the client's timeout (plus a margin), must never count as an
 * accepted upload, and must read at most a bounded amount of what the target
 * sends. The target is a raw TCP server on loopback, so it can break HTTP in
 * ways a well-behaved server library would not let it.
 */
export const HOSTILE_ANSWER_CLASSES = [
  'non-http-bytes',
  'reset-on-connect',
  'reset-mid-answer',
  'never-answers',
  'endless-headers',
  'huge-body-2xx',
  'truncated-2xx',
  'garbage-200',
] as const;
export type HostileAnswerClass = (typeof HOSTILE_ANSWER_CLASSES)[number];

export const HOSTILE_ANSWER_CLIENTS = ['uploader', 'enrollment'] as const;
export type HostileAnswerClient = (typeof HOSTILE_ANSWER_CLIENTS)[number];

export interface HostileAnswerRow {
  readonly client: HostileAnswerClient;
  readonly answer: HostileAnswerClass;
  tried: number;
  /** Ended within the bound, not accepted, and (enrollment) with an EnrollmentError that names the target. */
  asExpected: number;
  /** Longest exchange, ms. */
  maxMs: number;
}

export interface HostileAnswersResult {
  readonly cases: number;
  readonly rows: readonly HostileAnswerRow[];
  readonly surprises: readonly string[];
  /** Largest count of bytes the target managed to write into one exchange before the client hung up. */
  readonly maxBytesServedPerExchange: number;
  readonly timeoutMs: number;
}

/**
 * A 200 whose body is not what the client asked for: the uploader does not
 * read a 2xx body (the store is idempotent, so an unread ack costs at most a
 * retry), so it only counts for enrollment, which must parse its answer.
 */
const APPLIES: Readonly<Record<HostileAnswerClient, (a: HostileAnswerClass) => boolean>> = {
  uploader: (a) => a !== 'garbage-200',
  enrollment: () => true,
};

const HUGE_BODY_BYTES = 1 << 30;

interface Behaviour {
  readonly cls: HostileAnswerClass;
  readonly noise: Buffer;
}

/** The hostile target: each connection behaves as the class queued for it, in order of arrival. */
async function startHostileTarget(): Promise<{
  url: string;
  queue: (b: Behaviour) => void;
  served: () => number;
  close: () => Promise<void>;
}> {
  const pending: Behaviour[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let maxServed = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const b = pending.shift();
    if (b === undefined) {
      socket.destroy();
      return;
    }
    let served = 0;
    const write = (data: Buffer | string): boolean => {
      if (socket.destroyed) return false;
      served += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      maxServed = Math.max(maxServed, served);
      return socket.write(data);
    };
    if (b.cls === 'reset-on-connect') {
      socket.resetAndDestroy();
      return;
    }
    if (b.cls === 'never-answers') {
      socket.resume();
      return;
    }
    // Answer once the request has started to arrive, as a server would.
    socket.once('data', () => {
      socket.resume();
      switch (b.cls) {
        case 'non-http-bytes':
          write(b.noise);
          socket.end();
          break;
        case 'reset-mid-answer':
          write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{"accepted":');
          setImmediate(() => socket.resetAndDestroy());
          break;
        case 'endless-headers': {
          write('HTTP/1.1 200 OK\r\n');
          const t = setInterval(() => {
            if (!write(`x-filler-${served}: ${'a'.repeat(200)}\r\n`)) socket.once('drain', () => undefined);
          }, 1);
          timers.add(t);
          socket.on('close', () => {
            clearInterval(t);
            timers.delete(t);
          });
          break;
        }
        case 'huge-body-2xx': {
          write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${HUGE_BODY_BYTES}\r\n\r\n`);
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let left = HUGE_BODY_BYTES;
          const pump = () => {
            while (left > 0 && !socket.destroyed) {
              left -= chunk.length;
              if (!write(chunk)) {
                socket.once('drain', pump);
                return;
              }
            }
            socket.end();
          };
          pump();
          break;
        }
        case 'truncated-2xx':
          write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"accepted":true');
          socket.end();
          break;
        case 'garbage-200':
          write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${b.noise.length}\r\n\r\n`);
          write(b.noise);
          break;
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    queue: (b) => pending.push(b),
    served: () => maxServed,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function noise(rng: RandomStream): Buffer {
  const b = Buffer.alloc(1 + uniformInt(rng, 2048));
  for (let i = 0; i < b.length; i++) b[i] = uniformInt(rng, 256);
  // Never starts like an HTTP status line, so 'non-http-bytes' stays what it says.
  if (b[0] === 0x48) b[0] = 0;
  return b;
}

/**
 * Runs `cases` exchanges round-robin over every (client, answer class) pair
 * that applies, one connection each, a few at a time. The clients run with
 * `timeoutMs`; an exchange may take at most twice that.
 */
export async function runHostileAnswers(o: {
  cases: number;
  seed: string;
  timeoutMs?: number;
  concurrency?: number;
}): Promise<HostileAnswersResult> {
  const timeoutMs = o.timeoutMs ?? 1_000;
  const boundMs = 2 * timeoutMs;
  const rng = createStream(o.seed, 'hostile-answers');
  const pairs = HOSTILE_ANSWER_CLIENTS.flatMap((client) =>
    HOSTILE_ANSWER_CLASSES.filter((a) => APPLIES[client](a)).map((answer) => ({ client, answer })),
  );
  const rows: HostileAnswerRow[] = pairs.map((p) => ({ ...p, tried: 0, asExpected: 0, maxMs: 0 }));
  const surprises: string[] = [];
  const target = await startHostileTarget();
  // Exchanges of one pair run together (never-answers waits its timeout) and pairs in turn, so every connection
  // the target accepts meets the behaviour queued for its pair whatever order the connections arrive in.
  const perPair = Math.ceil(o.cases / pairs.length);
  const concurrency = o.concurrency ?? 8;
  try {
    for (const row of rows) {
      for (let done = 0; done < perPair;) {
        const n = Math.min(concurrency, perPair - done);
        const exchanges: Promise<void>[] = [];
        for (let k = 0; k < n; k++) {
          target.queue({ cls: row.answer, noise: noise(rng) });
          exchanges.push(exchange(row, target.url, timeoutMs, boundMs, surprises));
        }
        await Promise.all(exchanges);
        done += n;
      }
    }
  } finally {
    await target.close();
  }
  return { cases: rows.reduce((a, r) => a + r.tried, 0), rows, surprises, maxBytesServedPerExchange: target.served(), timeoutMs };
}

async function exchange(row: HostileAnswerRow, url: string, timeoutMs: number, boundMs: number, surprises: string[]): Promise<void> {
  const t0 = performance.now();
  let problem: string | null = null;
  if (row.client === 'uploader') {
    const transport = new HttpTransport({ url: `${url}/v1/batches`, timeoutMs });
    try {
      const out = await transport.send({ body: Buffer.from('hostile-answers'), headers: { 'content-type': 'application/octet-stream' } });
      if (out.kind === 'response' && out.status >= 200 && out.status < 300) problem = `counted as accepted (status ${out.status})`;
    } finally {
      await transport.close();
    }
  } else {
    try {
      await enrollOverHttp({ url, fleetSecret: 'hostile-answers', deviceId: 'HOSTILE-1', timeoutMs });
      problem = 'enrollment succeeded';
    } catch (e) {
      if (!(e instanceof EnrollmentError) && !(e instanceof Error && e.message.includes('127.0.0.1')))
        problem = `unclear error: ${(e as Error).message}`;
    }
  }
  const ms = performance.now() - t0;
  row.tried++;
  row.maxMs = Math.max(row.maxMs, Math.round(ms));
  if (ms > boundMs) problem = `${problem ? `${problem}; ` : ''}took ${Math.round(ms)} ms (bound ${boundMs} ms)`;
  if (problem === null) row.asExpected++;
  else if (surprises.length < 50) surprises.push(`${row.client} / ${row.answer}: ${problem}`);
}
