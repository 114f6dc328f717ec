/**
 * `--mode capacity`: a closed-loop run (each connection sends its next request
 * when the previous one is answered) with autocannon as the HTTP engine. It
 * answers "how much can the target take", not "how does it hold the fleet".
 *
 * What autocannon would get wrong is kept out of the figures: its histogram
 * (1 ms resolution, and its coordinated-omission correction in the wrong unit)
 * is not used; fleetsim records autocannon's per-response hrtime duration into
 * its own microsecond HDR histogram. In a closed loop every request is sent
 * when intended, so there is no schedule lag to report; the generator's CPU
 * headroom still is.
 *
 * Every request carries its own prepared body, sent once: a body is a batch
 * with its own batch id and its device's next sequence number, and a target
 * stores a repeated one as a duplicate (an acknowledgement, no write), which
 * would flatter it. Re-heading a batch means re-compressing it (milliseconds,
 * more than the request itself), so bodies cannot be made on the hot path: the
 * run is bounded by the bodies prepared for it, and when they are all sent
 * before the duration ends, the run ends there and says so.
 */
import { BATCHES_PATH, BATCH_CONTENT_TYPE, RequestSigner, bodyDigest, signedHeaders, type RequestLine } from '../auth/index.js';
import { RunError } from '../errors.js';
import type { PreparedBodies } from './bodies.js';
import { LoadRecorder } from './recorder.js';
import type { SenderOutcome, SenderProgress } from './sender.js';
import type { HttpTarget } from '../targets/index.js';

const UPLOAD_LINE: RequestLine = { method: 'POST', target: BATCHES_PATH };

export interface CapacityOptions {
  readonly target: HttpTarget;
  readonly connections: number;
  readonly durationMs: number;
  readonly requestTimeoutMs: number;
  /** One per request: the run sends each once, and ends when all are sent. */
  readonly bodies: PreparedBodies;
  readonly deviceIds: readonly string[];
  readonly deviceKeys: readonly Buffer[];
  readonly onProgress?: (p: SenderProgress) => void;
  /** Aborted: the loop stops, and the run resolves with what was measured. */
  readonly signal?: AbortSignal;
}

interface AutocannonContext {
  body?: number;
}

export async function runCapacity(o: CapacityOptions): Promise<SenderOutcome> {
  // Loaded here, not at the top: autocannon instantiates a WebAssembly histogram when it is imported, which
  // reserves gigabytes of address space, so an eager import made every command (even --version) fail under ulimit -v.
  const { default: autocannon } = await import('autocannon');
  const rec = new LoadRecorder(o.durationMs / 1000 + 30, 1);
  const signers = o.deviceKeys.map((k) => new RequestSigner(k));
  const bodies = o.bodies.count;
  if (bodies === 0) throw new RunError('IO', 'the capacity run has no prepared body to send');
  // autocannon gives each connection its share of maxOverallRequests; a share of 0 would mean no bound at all.
  const connections = Math.min(o.connections, bodies);
  // Each body's SHA-256 before the run, off the hot path.
  const digests = Array.from({ length: bodies }, (_, j) => bodyDigest(o.bodies.body[j]!));
  let next = 0;
  // autocannon calls onResponse then emits 'response' for the same exchange, synchronously.
  let lastBody = 0;
  let lastReason: string | null = null;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const instance = autocannon({
    url: o.target.url.origin,
    connections,
    pipelining: 1,
    duration: Math.max(1, Math.round(o.durationMs / 1000)),
    // Not `amount`: it would override the duration. maxOverallRequests bounds requests and keeps the duration:
    // each connection sends at most its share, so the run never needs more bodies than were prepared.
    maxOverallRequests: bodies,
    timeout: Math.max(1, Math.round(o.requestTimeoutMs / 1000)),
    requests: [
      {
        method: 'POST',
        path: BATCHES_PATH,
        setupRequest: (req: Record<string, unknown>, context: AutocannonContext) => {
          // autocannon builds one request per send and sends at most maxOverallRequests: j stays below the bodies
          // (the modulo only keeps an index in range should it ever build one more).
          const j = next++ % bodies;
          context.body = j;
          const dev = o.bodies.device[j]!;
          const payload = o.bodies.body[j]!;
          const ts = Date.now();
          rec.recordSent(performance.now() - t0, 0, false);
          return {
            ...req,
            body: payload,
            headers: {
              'content-type': BATCH_CONTENT_TYPE,
              'content-encoding': o.bodies.codec[j]!,
              ...signedHeaders(signers[dev]!, o.deviceIds[dev]!, ts, UPLOAD_LINE, payload, digests[j]),
            },
          };
        },
        onResponse: (status: number, body: string | undefined, context: AutocannonContext) => {
          lastBody = context.body ?? 0;
          lastReason = status >= 200 && status < 300 ? null : reasonOf(status, body);
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    const end = performance.now() - t0;
    const ok = status >= 200 && status < 300;
    rec.recordDone(
      'upload',
      0,
      end - responseTimeMs,
      end,
      String(status),
      lastReason,
      ok,
      o.bodies.events[lastBody]!,
      o.bodies.body[lastBody]!.byteLength,
    );
  });
  instance.on('reqError', (err: NodeJS.ErrnoException) => {
    const end = performance.now() - t0;
    rec.recordDone(
      'upload',
      0,
      end,
      end,
      'network',
      err.code ?? (/timeout/i.test(err.message) ? 'REQUEST_TIMEOUT' : 'NETWORK_ERROR'),
      false,
      0,
      0,
    );
  });
  const progress = setInterval(
    () =>
      o.onProgress?.({
        elapsedMs: performance.now() - t0,
        sent: rec.sent,
        accepted: rec.accepted,
        failed: rec.failed,
        inFlight: rec.sent - rec.completed,
      }),
    1000,
  );
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    instance.stop();
  };
  if (o.signal?.aborted) interrupt();
  o.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      instance.on('done', () => resolve());
      instance.on('error', (err: Error) => reject(new RunError('IO', `the capacity run failed: ${err.message}`, { cause: err })));
    });
  } finally {
    clearInterval(progress);
    o.signal?.removeEventListener('abort', interrupt);
  }
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  // Requests in flight when the loop stopped were never answered (the target may still have stored them):
  // counted as unanswered, as the open model counts its own, so sent = accepted + failed holds.
  for (let k = rec.sent - rec.completed - rec.unfinished; k > 0; k--)
    rec.recordDone('upload', 0, wallMs, wallMs, 'unfinished', 'unfinished', false, 0, 0);
  return {
    recorder: rec,
    wallMs,
    dispatchMs: wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    eventLoopUtilization: elu.utilization,
    drainMs: null,
    backlogLeft: 0,
    judgements: [],
    stepCpuHeadroom: [],
    // Every prepared body sent: the bodies (--max-requests), not the clock, ended the run.
    stoppedBy: interrupted ? 'interrupted' : next >= bodies ? 'max_requests' : 'schedule',
  };
}

function reasonOf(status: number, body: string | undefined): string {
  try {
    const code = (JSON.parse(body ?? '') as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  } catch {
    // not JSON
  }
  return `HTTP_${status}`;
}
