/**
 * The open-model sender: dispatches every scheduled upload at its intended
 * time over keep-alive connections (./http1.ts), whatever the target's response
 * time, and records each exchange from its intended send time (so a stalled
 * target shows up in the latency instead of slowing the arrivals down).
 *
 * Spooled batches after an outage are the one closed part, because the agent
 * is: a laptop sends its spool in order over one connection, the next batch
 * as soon as the previous one is answered, retrying with its backoff.
 *
 * Signing: scheduled uploads are signed before the run starts, with the
 * wall-clock time of their intended send as the signature timestamp, and kept
 * as complete requests (head and body: one write each). The schedule is fixed
 * in advance, so the timestamp is exactly what a laptop sending on time would
 * sign; a generator that lags sends timestamps that much early, far inside the
 * target's 5-minute skew bound before the run would be invalid anyway. This
 * takes HMAC (≈ 3 µs a request, bench:load) and header formatting off the hot
 * path. Spooled batches after an outage leave when the previous one is
 * answered, so they are signed when they leave.
 */
import { createHmac } from 'node:crypto';
import type { UploadConfig } from '../agent/index.js';
import { DEVICE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../auth/index.js';
import { createStream } from '../random/index.js';
import { Http1Pool, type Http1Exchange } from './http1.js';
import type { PreparedBodies } from './bodies.js';
import { LoadRecorder, type RequestType } from './recorder.js';
import type { LoadSchedule } from './schedule.js';
import type { LoadTarget } from './target.js';

export interface RampSlo {
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface SenderOptions {
  readonly target: LoadTarget;
  readonly connections: number;
  readonly requestTimeoutMs: number;
  readonly schedule: LoadSchedule;
  readonly bodies: PreparedBodies;
  /** Open arrival j sends body openFirstBody + (j mod openBodies). */
  readonly openFirstBody: number;
  readonly openBodies: number;
  /** Backlog spool i sends bodies backlogFirstBody[i] … + batches[i] − 1 in order. */
  readonly backlogFirstBody: Uint32Array | null;
  readonly deviceIds: readonly string[];
  readonly deviceKeys: readonly Buffer[];
  /** Stop dispatching and abandon what is in flight this long after the start. */
  readonly hardStopMs: number;
  readonly upload: UploadConfig;
  readonly ramp: RampSlo | null;
  readonly seed: string;
  readonly onProgress?: (p: SenderProgress) => void;
  /** The clock, ms (tests may not move it: it is the real one by default). */
  readonly now?: () => number;
}

export interface SenderProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly inFlight: number;
}

export interface StepJudgement {
  readonly step: number;
  readonly p99Ms: number | null;
  readonly errorRate: number;
  readonly broken: boolean;
}

export interface SenderOutcome {
  readonly recorder: LoadRecorder;
  readonly wallMs: number;
  /** From the first to the last scheduled dispatch. */
  readonly dispatchMs: number;
  readonly cpuMs: number;
  readonly eventLoopUtilization: number;
  /** When the last spooled batch was answered (ms from the start); null when some were still on laptops at the end. */
  readonly drainMs: number | null;
  readonly backlogLeft: number;
  readonly judgements: readonly StepJudgement[];
  /** Ramp: the generator's CPU headroom (1 − event-loop utilisation) over each step; null for a step the run did not finish. */
  readonly stepCpuHeadroom: readonly (number | null)[];
  readonly stoppedBy: 'schedule' | 'slo' | 'time';
}

const CONTENT_TYPE = 'application/vnd.fleetsim.batch+protobuf';

interface InFlight extends Http1Exchange {
  readonly intendedMs: number;
  readonly body: number;
  readonly type: RequestType;
  readonly step: number;
  readonly spool: number;
  done: boolean;
}

export function runSender(o: SenderOptions): Promise<SenderOutcome> {
  const now = o.now ?? (() => performance.now());
  const sch = o.schedule;
  const rec = new LoadRecorder(o.hardStopMs / 1000, sch.steps.length);
  const host = o.target.url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(o.target.url.port || 80);
  const pool = new Http1Pool(host, port, o.connections, o.requestTimeoutMs, () => now());
  const path = new URL('/v1/batches', o.target.url).pathname;
  const prefixes = o.deviceIds.map((d) => `v1\n${d}\n`);
  const headerLines = (j: number, ts: number): string => {
    const dev = o.bodies.device[j]!;
    const signature = createHmac('sha256', o.deviceKeys[dev]!).update(`${prefixes[dev]!}${ts}\n`).update(o.bodies.body[j]!).digest('hex');
    return `content-type: ${CONTENT_TYPE}\r\ncontent-encoding: ${o.bodies.codec[j]!}\r\n${DEVICE_HEADER}: ${o.deviceIds[dev]!}\r\n${TIMESTAMP_HEADER}: ${ts}\r\n${SIGNATURE_HEADER}: ${signature}\r\n`;
  };
  const request = (j: number, ts: number): Buffer => {
    const body = o.bodies.body[j]!;
    const head = pool.head(path, body.byteLength, headerLines(j, ts));
    const out = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + body.byteLength);
    const n = out.write(head, 'latin1');
    body.copy(out, n);
    return out;
  };
  // Scheduled uploads, signed for their intended send time (see above); the run starts at plannedStartWallMs.
  // One contiguous buffer, not one object per request: tens of thousands of young
  // Buffers would make the first scavenges of the run copy them all (10–20 ms pauses, measured).
  const signedCount = Math.min(sch.count, o.openBodies);
  const plannedStartWallMs = Date.now() + 100 + signedCount * 0.01;
  const signedAt = new Float64Array(signedCount + 1);
  let capacity = 0;
  for (let j = 0; j < signedCount; j++) capacity += o.bodies.body[o.openFirstBody + j]!.byteLength + 512;
  const signedAll = Buffer.allocUnsafeSlow(capacity);
  for (let j = 0; j < signedCount; j++) {
    const b = o.openFirstBody + j;
    const body = o.bodies.body[b]!;
    const head = pool.head(path, body.byteLength, headerLines(b, Math.floor(plannedStartWallMs + sch.intendedMs[j]!)));
    const at = signedAt[j]!;
    const n = signedAll.write(head, at, 'latin1');
    body.copy(signedAll, at + n);
    signedAt[j + 1] = at + n + body.byteLength;
  }
  const inFlight = new Set<InFlight>();
  const backoff = createStream(o.seed, 'load', 'drain-backoff');

  // Spool heads, in first-retry order, merged with the open arrivals by the dispatcher.
  const bl = sch.backlog;
  const heads = bl ? Array.from(bl.firstRetryMs.keys()).sort((a, b) => bl.firstRetryMs[a]! - bl.firstRetryMs[b]!) : [];
  const spoolNext = bl ? new Uint32Array(bl.batches.length) : new Uint32Array(0);
  const spoolAttempt = bl ? new Uint16Array(bl.batches.length) : new Uint16Array(0);
  let backlogLeft = bl?.total ?? 0;
  let drainMs: number | null = backlogLeft === 0 ? null : null;

  let t0 = 0;
  let next = 0;
  let nextHead = 0;
  let openLimit = sch.count;
  let lastDispatch = 0;
  let stoppedBy: SenderOutcome['stoppedBy'] = 'schedule';
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const judgements: StepJudgement[] = [];
  const stepInFlight = new Uint32Array(Math.max(1, sch.steps.length));

  return new Promise<SenderOutcome>((resolveOutcome) => setTimeout(() => begin(resolveOutcome), Math.max(0, plannedStartWallMs - Date.now())));

  function begin(resolve: (o: SenderOutcome) => void): void {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    let elu1: ReturnType<typeof performance.eventLoopUtilization> | null = null;
    t0 = now();

    const send = (body: number, intendedMs: number, type: RequestType, step: number, spool: number, scheduled: boolean): void => {
      const bytes = type === 'upload' ? signedAll.subarray(signedAt[body - o.openFirstBody]!, signedAt[body - o.openFirstBody + 1]!) : request(body, Date.now());
      const sentAt = now() - t0;
      rec.recordSent(sentAt, intendedMs, scheduled, step);
      if (scheduled) lastDispatch = sentAt;
      const f: InFlight = {
        intendedMs,
        body,
        type,
        step,
        spool,
        done: false,
        onDone(status, resBody, retryAfterS, error) {
          if (error !== null) finish(f, error === 'REQUEST_TIMEOUT' ? 'timeout' : 'network', error, false);
          else if (status >= 200 && status < 300) finish(f, String(status), null, true);
          else finish(f, String(status), reasonOf(status, resBody), false, retryAfterS === null ? undefined : retryAfterS * 1000);
        },
      };
      inFlight.add(f);
      stepInFlight[step]!++;
      pool.send(bytes, f);
    };

    const finish = (f: InFlight, status: string, reason: string | null, accepted: boolean, retryAfter?: number): void => {
      if (f.done) return;
      f.done = true;
      inFlight.delete(f);
      stepInFlight[f.step]!--;
      const end = now() - t0;
      rec.recordDone(f.type, f.step, f.intendedMs, end, status, reason, accepted, o.bodies.events[f.body]!, o.bodies.body[f.body]!.byteLength);
      if (f.type === 'spool_drain' && !stopped) continueSpool(f, status, accepted, end, retryAfter);
      maybeEnd();
    };

    const continueSpool = (f: InFlight, status: string, accepted: boolean, end: number, retryAfter: number | undefined): void => {
      const i = f.spool;
      const code = Number(status);
      const retryable = status === 'network' || status === 'timeout' || o.upload.retryableStatuses.includes(code);
      if (!accepted && retryable) {
        const attempt = ++spoolAttempt[i]!;
        const delay = retryAfter ?? backoff.next() * Math.min(o.upload.retryMaxMs, o.upload.retryBaseMs * 2 ** Math.min(30, attempt - 1));
        const at = end + delay;
        if (at >= o.hardStopMs) return;
        const t = setTimeout(() => {
          timers.delete(t);
          if (!stopped) send(f.body, at, 'spool_drain', 0, i, true);
        }, delay);
        timers.add(t);
        return;
      }
      spoolAttempt[i] = 0;
      backlogLeft--;
      if (backlogLeft === 0) drainMs = end;
      if (++spoolNext[i]! < bl!.batches[i]!) send(o.backlogFirstBody![i]! + spoolNext[i]!, end, 'spool_drain', 0, i, false);
    };

    const dispatch = (): void => {
      timer = null;
      if (stopped) return;
      const t = now() - t0;
      if (t >= o.hardStopMs) return stop('time');
      while (true) {
        const openDue = next < openLimit ? sch.intendedMs[next]! : Infinity;
        const headDue = nextHead < heads.length ? bl!.firstRetryMs[heads[nextHead]!]! : Infinity;
        const due = Math.min(openDue, headDue);
        if (due > t || due === Infinity) break;
        if (openDue <= headDue) {
          send(o.openFirstBody + (next % o.openBodies), openDue, 'upload', sch.step[next]!, 0, true);
          next++;
        } else {
          const i = heads[nextHead++]!;
          send(o.backlogFirstBody![i]!, headDue, 'spool_drain', 0, i, true);
        }
      }
      const openDue = next < openLimit ? sch.intendedMs[next]! : Infinity;
      const headDue = nextHead < heads.length ? bl!.firstRetryMs[heads[nextHead]!]! : Infinity;
      const due = Math.min(openDue, headDue);
      if (due === Infinity) {
        elu1 ??= performance.eventLoopUtilization();
        maybeEnd();
        return;
      }
      timer = setTimeout(dispatch, Math.max(0, due - (now() - t0)));
    };

    const stop = (why: SenderOutcome['stoppedBy']): void => {
      if (stopped) return;
      stopped = true;
      stoppedBy = why;
      elu1 ??= performance.eventLoopUtilization();
      if (timer) clearTimeout(timer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Requests never answered count with the latency they had reached: a lower bound, never omitted.
      pool.destroy();
      for (const f of [...inFlight]) finish(f, 'unfinished', 'unfinished', false);
      end();
    };

    const maybeEnd = (): void => {
      if (stopped) return;
      const dispatching = next < openLimit || nextHead < heads.length;
      if (!dispatching && inFlight.size === 0 && timers.size === 0 && (backlogLeft === 0 || !bl || spoolsIdle())) {
        stopped = true;
        end();
      }
    };
    const spoolsIdle = (): boolean => inFlight.size === 0 && timers.size === 0;

    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(progress);
      clearTimeout(hard);
      for (const j of judgeTimers) clearTimeout(j);
      for (const b of boundaryTimers) clearTimeout(b);
      pool.destroy();
      const elu = performance.eventLoopUtilization(elu1 ?? performance.eventLoopUtilization(), elu0);
      const cpu = process.cpuUsage(cpu0);
      resolve({
        recorder: rec,
        wallMs: now() - t0,
        dispatchMs: lastDispatch,
        cpuMs: (cpu.user + cpu.system) / 1000,
        eventLoopUtilization: elu.utilization,
        drainMs,
        backlogLeft,
        judgements,
        stepCpuHeadroom: sch.steps.map((_, k) => {
          const a = stepElu[k];
          const b = stepElu[k + 1];
          return a && b ? 1 - performance.eventLoopUtilization(b, a).utilization : null;
        }),
        stoppedBy,
      });
    };

    const hard = setTimeout(() => stop('time'), o.hardStopMs);
    const progress = setInterval(() => o.onProgress?.({ elapsedMs: now() - t0, sent: rec.sent, accepted: rec.accepted, failed: rec.failed, inFlight: inFlight.size }), 1000);

    // Ramp: the event loop's utilisation at each step boundary, so each step's validity is judged on its own.
    type Elu = ReturnType<typeof performance.eventLoopUtilization>;
    const stepElu: (Elu | null)[] = new Array<Elu | null>(sch.steps.length + 1).fill(null);
    const boundaryTimers: NodeJS.Timeout[] = [];
    if (sch.steps.length > 1) {
      stepElu[0] = performance.eventLoopUtilization();
      sch.steps.forEach((st, k) => boundaryTimers.push(setTimeout(() => (stepElu[k + 1] = performance.eventLoopUtilization()), st.endMs)));
    }

    // Ramp: each step is judged once its requests had the SLO's p99 to answer.
    const judgeTimers: NodeJS.Timeout[] = [];
    if (o.ramp && sch.steps.length > 1) {
      const slo = o.ramp;
      for (const st of sch.steps) {
        judgeTimers.push(
          setTimeout(() => {
            if (stopped || judgements.some((j) => j.broken)) return;
            const r = rec.steps[st.index]!;
            const open = stepInFlight[st.index]!;
            r.unfinishedAtJudgement = open;
            const total = r.requests + open;
            // Unanswered requests are older than the SLO: count them above it.
            const p = total === 0 ? null : open / total > 0.01 ? Infinity : r.requests === 0 ? null : r.latency.getValueAtPercentile(Math.min(100, (99 * total) / r.requests)) / 1000;
            const errorRate = total === 0 ? 0 : (r.failed + open) / total;
            const broken = (p !== null && p > slo.p99Ms) || errorRate > slo.errorRate;
            judgements.push({ step: st.index, p99Ms: p === Infinity ? null : p, errorRate, broken });
            if (broken) {
              // No further steps: the knee is found.
              let cut = next;
              while (cut < sch.count && sch.step[cut]! <= st.index) cut++;
              openLimit = Math.min(openLimit, Math.max(next, cut));
              stoppedBy = 'slo';
              maybeEnd();
            }
          }, st.endMs + Math.min(slo.p99Ms, 5000)),
        );
      }
    }
    dispatch();
  }
}

function reasonOf(status: number, body: Buffer | null): string {
  try {
    const code = (JSON.parse(body === null ? '' : body.toString('utf8')) as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  } catch {
    // Not the reference service's JSON: the status is the reason.
  }
  return `HTTP_${status}`;
}
