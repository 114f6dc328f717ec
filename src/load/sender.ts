/**
 * The open-model sender: dispatches every scheduled upload at its intended
 * time over keep-alive connections (./http1.ts), whatever the target's response
 * time, and records each exchange from its intended send time (so a stalled
 * target shows up in the latency instead of slowing the arrivals down).
 *
 * Spooled batches after an outage are the one closed part, because the agent
 * is: each laptop's own uploader (./outage.ts) sends its spool in order, the
 * next batch as soon as the previous one is answered, retrying with its
 * backoff; open arrivals of a laptop still draining queue behind its spool.
 *
 * Signing: scheduled uploads are signed before the run starts, with the
 * wall-clock time of their intended send as the signature timestamp, and kept
 * as complete requests (head and body: one write each). The schedule is fixed
 * in advance, so the timestamp is exactly what a laptop sending on time would
 * sign; a generator that lags sends timestamps that much early, far inside the
 * target's 5-minute skew bound before the run would be invalid anyway. This
 * takes HMAC (≈ 5 µs a request) and header formatting off the hot path;
 * bench:load reports that cost apart. Spooled batches after an outage leave when the previous one is
 * answered, so they are signed when they leave.
 */
import { socketHost, type UploadConfig, type UploadOutcome } from '../agent/index.js';
import {
  BATCHES_PATH,
  BATCH_CONTENT_TYPE,
  DEVICE_HEADER,
  RequestSigner,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  bodyDigest,
  type RequestLine,
} from '../auth/index.js';
import { Http1Pool, type Http1Handler } from './http1.js';
import type { PreparedBodies } from './bodies.js';
import type { DrainFigures, OutageModel } from './outage.js';
import { LoadRecorder, type RequestType } from './recorder.js';
import type { LoadSchedule } from './schedule.js';
import { describeAnswer, type OutgoingBatch, type TargetProtocol, type TargetRequest } from '../targets/protocol.js';
import type { HttpTarget } from '../targets/index.js';
import { decodeBatch, decompress, type BatchInput } from '../wire/index.js';

export interface RampSlo {
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface SenderOptions {
  readonly target: HttpTarget;
  readonly connections: number;
  readonly requestTimeoutMs: number;
  readonly schedule: LoadSchedule;
  readonly bodies: PreparedBodies;
  /** Open arrival j sends body openFirstBody + (j mod openBodies). */
  readonly openFirstBody: number;
  readonly openBodies: number;
  /** Outage-recovery: the laptops' spools and uploaders; backlog batch b is body bodyBase + b. Goes live at the schedule's outage end. */
  readonly drain?: { readonly model: OutageModel; readonly bodyBase: number } | null;
  /** @deprecated Ignored: spools come from `drain` (kept so existing callers still compile). */
  readonly backlogFirstBody?: Uint32Array | null;
  readonly deviceIds: readonly string[];
  readonly deviceKeys: readonly Buffer[];
  /**
   * A foreign target's protocol (src/targets): it builds every request from the
   * agent's body and reads every answer. Absent: fleetsim's own protocol, on
   * the pre-signed path below.
   */
  readonly protocol?: TargetProtocol | null;
  /** Stop dispatching and abandon what is in flight this long after the start. */
  readonly hardStopMs: number;
  /** @deprecated Ignored: a draining laptop's uploader carries the agent's config (`drain`). Kept so existing callers compile. */
  readonly upload?: UploadConfig;
  readonly ramp: RampSlo | null;
  /** @deprecated Ignored: the backoff draws are the outage model's (`drain`). Kept so existing callers compile. */
  readonly seed?: string;
  readonly onProgress?: (p: SenderProgress) => void;
  /** Aborted: stop now as at the hard stop (what is in flight is unanswered), and resolve with what was measured. */
  readonly signal?: AbortSignal;
  /** The clock, ms (tests may not move it: it is the real one by default). */
  readonly now?: () => number;
}

export interface SenderProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Outage recovery: backlog batches still on the laptops (absent for other runs). */
  readonly spooled?: number;
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
  /** The same CPU split into user and kernel time (the kernel part is mostly the sockets' system calls). */
  readonly cpuUserMs?: number;
  readonly cpuSystemMs?: number;
  readonly eventLoopUtilization: number;
  /** When the last spooled batch was answered (ms from the recovery); null when some were still on laptops at the end. */
  readonly drainMs: number | null;
  readonly backlogLeft: number;
  /** Outage-recovery: the spools' figures at the end. */
  readonly drain?: DrainFigures | null;
  readonly judgements: readonly StepJudgement[];
  /** Ramp: the generator's CPU headroom (1 − event-loop utilisation) over each step; null for a step the run did not finish. */
  readonly stepCpuHeadroom: readonly (number | null)[];
  /**
   * max_requests: a capacity run sent every body prepared for it (one per request) before its duration was up;
   * interrupted: the run's signal stopped it (Ctrl-C), its figures are what was measured until then.
   */
  readonly stoppedBy: 'schedule' | 'slo' | 'time' | 'max_requests' | 'interrupted';
  /** Answers the protocol could not read, and the first one described (target, request, status, content type, first bytes). */
  readonly unreadable?: { readonly count: number; readonly first: string | null };
  /** Accepted answers that said some of the request's records were dropped for good (OTLP partial success), the first message kept. */
  readonly partiallyRejected?: { readonly uploads: number; readonly records: number; readonly first: string | null };
}

const UPLOAD_LINE: RequestLine = { method: 'POST', target: BATCHES_PATH };
const UPLOAD = 0;
const SPOOL_DRAIN = 1;
const TYPES: readonly RequestType[] = ['upload', 'spool_drain'];

/**
 * Requests in flight, as columns indexed by a slot number (the pool hands the
 * slot back with the answer): no object per request on the hot path.
 */
class Slots {
  intendedMs = new Float64Array(1024);
  body = new Int32Array(1024);
  step = new Uint16Array(1024);
  type = new Uint8Array(1024);
  bytes = new Float64Array(1024);
  /** The request's body as sent: the agent's batch, or what a foreign protocol built from it (accepted bytes count these). */
  bodyBytes = new Float64Array(1024);
  active = new Uint8Array(1024);
  /** Only uploads of a laptop's uploader have one: their outcome goes back to it. */
  reply: (((o: UploadOutcome) => void) | null)[] = new Array<null>(1024).fill(null);
  private free: number[] = Array.from({ length: 1024 }, (_, i) => 1023 - i);
  count = 0;

  take(): number {
    if (this.free.length === 0) this.grow();
    const i = this.free.pop()!;
    this.active[i] = 1;
    this.count++;
    return i;
  }

  release(i: number): void {
    this.active[i] = 0;
    this.reply[i] = null;
    this.free.push(i);
    this.count--;
  }

  private grow(): void {
    const n = this.intendedMs.length;
    const g = <T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.intendedMs = g(this.intendedMs, new Float64Array(2 * n));
    this.body = g(this.body, new Int32Array(2 * n));
    this.step = g(this.step, new Uint16Array(2 * n));
    this.type = g(this.type, new Uint8Array(2 * n));
    this.bytes = g(this.bytes, new Float64Array(2 * n));
    this.bodyBytes = g(this.bodyBytes, new Float64Array(2 * n));
    this.active = g(this.active, new Uint8Array(2 * n));
    this.reply.length = 2 * n;
    this.reply.fill(null, n);
    for (let i = 2 * n - 1; i >= n; i--) this.free.push(i);
  }
}

export function runSender(o: SenderOptions): Promise<SenderOutcome> {
  const now = o.now ?? (() => performance.now());
  const sch = o.schedule;
  const rec = new LoadRecorder(o.hardStopMs / 1000, sch.steps.length);
  const host = socketHost(o.target.url);
  const port = Number(o.target.url.port || 80);
  const slots = new Slots();
  // Set once the run begins; the pool only calls back after that.
  let onAnswer: Http1Handler = () => {};
  const protocol = o.protocol ?? null;
  const pool = new Http1Pool(
    host,
    port,
    o.connections,
    o.requestTimeoutMs,
    () => now(),
    (slot, status, body, retryAfterS, error, ct) => onAnswer(slot, status, body, retryAfterS, error, ct),
    protocol?.readsAcceptedBody === true,
  );
  const requests = new UploadRequests(o, pool);
  const presigned = presignSchedule(o, requests);
  const unreadable = { count: 0, first: null as string | null };
  const partiallyRejected = { uploads: 0, records: 0, first: null as string | null };
  const plannedStartWallMs = presigned.plannedStartWallMs;
  const drain = o.drain ?? null;
  const recoveryMs = sch.outage?.endMs ?? 0;

  let t0 = 0;
  let next = 0;
  let openLimit = sch.count;
  let lastDispatch = 0;
  let stoppedBy: SenderOutcome['stoppedBy'] = 'schedule';
  let stopped = false;
  let live = drain === null;
  let timer: NodeJS.Timeout | null = null;
  const judgements: StepJudgement[] = [];
  const stepInFlight = new Uint32Array(Math.max(1, sch.steps.length));

  return new Promise<SenderOutcome>((resolveOutcome, rejectOutcome) =>
    setTimeout(() => begin(resolveOutcome, rejectOutcome), Math.max(0, plannedStartWallMs - Date.now())),
  );

  function begin(resolve: (o: SenderOutcome) => void, reject: (e: unknown) => void): void {
    // What an adapter's request() or classify() threw (an AdapterError naming the file and the function): it ends
    // the run and is the run's outcome. They run in timers and socket callbacks, where a throw would escape as an
    // uncaught exception with a stack trace.
    let fatal: unknown = null;
    const failRun = (e: unknown): void => {
      fatal ??= e;
      stop('schedule');
    };
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    let elu1: ReturnType<typeof performance.eventLoopUtilization> | null = null;
    t0 = now();

    const send = (
      body: number,
      intendedMs: number,
      type: number,
      step: number,
      scheduled: boolean,
      reply: ((o: UploadOutcome) => void) | null,
    ): void => {
      let bytes: Buffer;
      try {
        bytes = reply === null ? presigned.bytes(body - o.openFirstBody) : requests.request(body, Date.now());
      } catch (e) {
        failRun(e);
        reply?.({ kind: 'network-error', message: 'the run stopped', requestBytes: 0 });
        return;
      }
      const sentAt = now() - t0;
      rec.recordSent(sentAt, intendedMs, scheduled, step);
      if (scheduled) lastDispatch = sentAt;
      const i = slots.take();
      slots.intendedMs[i] = intendedMs;
      slots.body[i] = body;
      slots.step[i] = step;
      slots.type[i] = type;
      slots.bytes[i] = bytes.byteLength;
      slots.bodyBytes[i] = requests.body(body).byteLength;
      slots.reply[i] = reply;
      stepInFlight[step]!++;
      pool.send(bytes, i);
    };

    onAnswer = (i, status, resBody, retryAfterS, error, contentType) => {
      if (slots.active[i] === 0) return;
      if (error !== null) finish(i, error === 'REQUEST_TIMEOUT' ? 'timeout' : 'network', error, false, null);
      else if (protocol !== null) {
        let v: ReturnType<typeof protocol.classify>;
        try {
          v = protocol.classify({
            status,
            contentType,
            retryAfterMs: retryAfterS === null ? null : retryAfterS * 1000,
            body: resBody ?? EMPTY,
          });
        } catch (e) {
          failRun(e);
          return;
        }
        if (v.kind === 'accepted') {
          if (v.rejectedRecords !== undefined && v.rejectedRecords > 0) {
            if (partiallyRejected.uploads++ === 0) partiallyRejected.first = v.message ?? null;
            partiallyRejected.records += v.rejectedRecords;
          }
          finishOk(i, status);
        } else if (v.kind === 'unreadable') {
          if (unreadable.count++ === 0)
            unreadable.first = `${describeAnswer(o.target.url.origin, requests.line(slots.body[i]!), { status, contentType, body: resBody ?? EMPTY })}: ${v.problem}`;
          finish(i, 'unreadable', v.reason, false, null);
        } else
          finish(
            i,
            String(status),
            v.reason,
            false,
            v.kind === 'retryable' && v.retryAfterMs !== undefined ? v.retryAfterMs / 1000 : v.kind === 'retryable' ? retryAfterS : null,
          );
      } else if (status >= 200 && status < 300) finishOk(i, status);
      else finish(i, String(status), reasonOf(status, resBody), false, retryAfterS);
    };

    // The common case, kept free of strings and objects.
    const finishOk = (i: number, status: number): void => {
      const step = slots.step[i]!;
      const body = slots.body[i]!;
      const reply = slots.reply[i] ?? null;
      const bytes = slots.bytes[i]!;
      stepInFlight[step]!--;
      rec.recordOk(TYPES[slots.type[i]!]!, step, slots.intendedMs[i]!, now() - t0, status, o.bodies.events[body]!, slots.bodyBytes[i]!);
      slots.release(i);
      if (reply !== null) answerUploader(reply, { kind: 'response', status, requestBytes: bytes });
      maybeEnd();
    };

    const finish = (i: number, status: string, reason: string | null, accepted: boolean, retryAfterS: number | null): void => {
      const step = slots.step[i]!;
      const body = slots.body[i]!;
      const reply = slots.reply[i] ?? null;
      const bytes = slots.bytes[i]!;
      stepInFlight[step]!--;
      rec.recordDone(
        TYPES[slots.type[i]!]!,
        step,
        slots.intendedMs[i]!,
        now() - t0,
        status,
        reason,
        accepted,
        o.bodies.events[body]!,
        slots.bodyBytes[i]!,
      );
      slots.release(i);
      if (reply !== null) {
        const code = Number(status);
        answerUploader(
          reply,
          Number.isInteger(code) && code > 0
            ? {
                kind: 'response',
                status: code,
                requestBytes: bytes,
                ...(retryAfterS !== null ? { retryAfterMs: retryAfterS * 1000 } : {}),
                ...(reason !== null && reason !== `HTTP_${code}` ? { code: reason } : {}),
              }
            : { kind: 'network-error', message: reason ?? status, requestBytes: bytes },
        );
      }
      maybeEnd();
    };

    const answerUploader = (reply: (o: UploadOutcome) => void, outcome: UploadOutcome): void => {
      if (stopped) return;
      reply(outcome);
      // The uploader decides what next a few microtasks later: look for the end after that.
      setImmediate(maybeEnd);
    };

    // The target is back: the laptops' uploaders switch to the run's clock and send through this generator.
    const recover = (): void => {
      live = true;
      drain!.model.goLive(
        {
          recoveryRunMs: recoveryMs,
          runNowMs: () => now() - t0,
          send: (body, intendedRunMs, scheduled) =>
            new Promise<UploadOutcome>((reply) => send(body, intendedRunMs, SPOOL_DRAIN, 0, scheduled, reply)),
          fail: failRun,
        },
        drain!.bodyBase,
        sch.outage!.fleetMs,
      );
    };

    // One timer for the whole schedule: each wake-up sends everything due, then sleeps until the next arrival.
    const dispatch = (): void => {
      timer = null;
      if (stopped) return;
      const t = now() - t0;
      if (t >= o.hardStopMs) return stop('time');
      if (!live && t >= recoveryMs) recover();
      while (next < openLimit) {
        const due = sch.intendedMs[next]!;
        if (due > t) break;
        const body = o.openFirstBody + (next % o.openBodies);
        // A laptop still draining its spool seals this batch behind it (the agent's order), instead of sending it now.
        if (!(drain && live && drain.model.takes(sch.laptop[next]!, body, o.bodies.body[body]!.byteLength)))
          send(body, due, UPLOAD, sch.step[next]!, true, null);
        next++;
      }
      const due = Math.min(next < openLimit ? sch.intendedMs[next]! : Infinity, live ? Infinity : recoveryMs);
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
      drain?.model.shutdown();
      // Requests never answered count with the latency they had reached: a lower bound, never omitted.
      pool.destroy();
      // Judged before the unanswered are closed: a request still open at the end counts as slower than the SLO.
      // Not after an interrupt: what is open then was cut by the user, not left unanswered by the target, so the steps
      // not judged yet stay unjudged (the run is invalid as interrupted).
      if (why !== 'interrupted') judge.rest();
      for (let i = 0; i < slots.active.length; i++) if (slots.active[i] === 1) finish(i, 'unfinished', 'unfinished', false, null);
      end();
    };

    const maybeEnd = (): void => {
      if (stopped) return;
      if (next < openLimit || !live || slots.count > 0 || (drain && !drain.model.idle)) return;
      stopped = true;
      // Every answer is in: the steps whose judging time has not come yet are judged now, on all their answers.
      judge.rest();
      end();
    };

    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      o.signal?.removeEventListener('abort', interrupt);
      clearInterval(progress);
      clearTimeout(hard);
      judge.clear();
      stepCpu.clear();
      pool.destroy();
      drain?.model.shutdown();
      const figures = drain?.model.figures() ?? null;
      const elu = performance.eventLoopUtilization(elu1 ?? performance.eventLoopUtilization(), elu0);
      const cpu = process.cpuUsage(cpu0);
      if (fatal !== null) {
        reject(fatal);
        return;
      }
      resolve({
        recorder: rec,
        wallMs: now() - t0,
        dispatchMs: lastDispatch,
        cpuMs: (cpu.user + cpu.system) / 1000,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        eventLoopUtilization: elu.utilization,
        drainMs: figures?.drainMs ?? null,
        backlogLeft: figures?.left ?? 0,
        drain: figures,
        judgements,
        stepCpuHeadroom: stepCpu.headroom(),
        stoppedBy,
        unreadable,
        partiallyRejected,
      });
    };

    const hard = setTimeout(() => stop('time'), o.hardStopMs);
    const progress = setInterval(
      () =>
        o.onProgress?.({
          elapsedMs: now() - t0,
          sent: rec.sent,
          accepted: rec.accepted,
          failed: rec.failed,
          inFlight: slots.count,
          ...(drain ? { spooled: drain.model.figures().left } : {}),
        }),
      1000,
    );

    const stepCpu = trackStepCpu(sch);
    const judge =
      o.ramp && sch.steps.length > 1
        ? judgeSteps(o.ramp, sch, rec, stepInFlight, (j) => {
            judgements.push(j);
            // A step judged when the run ends may not have reached its end: its CPU headroom is over the part it ran.
            stepCpu.close(j.step);
            if (!j.broken) return;
            // No further steps: the knee is found.
            let cut = next;
            while (cut < sch.count && sch.step[cut]! <= j.step) cut++;
            openLimit = Math.min(openLimit, Math.max(next, cut));
            stoppedBy = 'slo';
            maybeEnd();
          })
        : NO_JUDGE;
    const interrupt = (): void => stop('interrupted');
    if (o.signal?.aborted) return interrupt();
    o.signal?.addEventListener('abort', interrupt, { once: true });
    dispatch();
  }
}

/**
 * Builds signed upload requests (head and body in one buffer: one write).
 * Each device's signer holds its HMAC states and each body's SHA-256 is
 * computed once: bodies repeat across the schedule.
 */
class UploadRequests {
  private readonly signers: (RequestSigner | undefined)[];
  private readonly digests: (string | undefined)[];
  /** Foreign protocols: each body's request, built once (it does not depend on the send time). */
  private readonly foreign: (TargetRequest | undefined)[];

  constructor(
    private readonly o: SenderOptions,
    readonly pool: Http1Pool,
  ) {
    this.signers = new Array<RequestSigner | undefined>(o.deviceIds.length);
    this.digests = new Array<string | undefined>(o.bodies.count);
    this.foreign = new Array<TargetRequest | undefined>(o.protocol ? o.bodies.count : 0);
  }

  /** The request line of upload j, for messages. */
  line(j: number): { method: string; path: string } {
    const r = this.o.protocol ? this.foreignRequest(j) : null;
    return r ?? { method: UPLOAD_LINE.method, path: UPLOAD_LINE.target };
  }

  /** Upload j as the protocol builds it from the agent's body (decoded only if the protocol asks for the batch). */
  private foreignRequest(j: number): TargetRequest {
    const { o } = this;
    let r = this.foreign[j];
    if (r) return r;
    const body = o.bodies.body[j]!;
    const codec = o.bodies.codec[j]!;
    const deviceId = o.deviceIds[o.bodies.device[j]!]!;
    let decoded: BatchInput | null = null;
    const batch: OutgoingBatch = {
      body,
      codec,
      deviceId,
      sequence: -1,
      batch: () => (decoded ??= decodeBatch(decompress(codec, body, { maxOutputBytes: 256 << 20 }))),
    };
    r = o.protocol!.request(batch);
    this.foreign[j] = r;
    return r;
  }

  /** The body upload j carries on the wire. */
  body(j: number): Uint8Array {
    return this.o.protocol ? this.foreignRequest(j).body : this.o.bodies.body[j]!;
  }

  /** The head of upload j (body index), signed at ts (fleetsim) or as its protocol builds it. */
  head(j: number, ts: number): string {
    const { o } = this;
    if (o.protocol) {
      const r = this.foreignRequest(j);
      let lines = '';
      for (const k in r.headers) lines += `${k}: ${r.headers[k]!}\r\n`;
      return this.pool.head(r.path, r.body.byteLength, lines, r.method);
    }
    const dev = o.bodies.device[j]!;
    const body = o.bodies.body[j]!;
    const signer = (this.signers[dev] ??= new RequestSigner(o.deviceKeys[dev]!));
    const digest = (this.digests[j] ??= bodyDigest(body));
    const signature = signer.sign(UPLOAD_LINE, o.deviceIds[dev]!, ts, body, digest);
    const lines = `content-type: ${BATCH_CONTENT_TYPE}\r\ncontent-encoding: ${o.bodies.codec[j]!}\r\n${DEVICE_HEADER}: ${o.deviceIds[dev]!}\r\n${TIMESTAMP_HEADER}: ${ts}\r\n${SIGNATURE_HEADER}: ${signature}\r\n`;
    return this.pool.head(UPLOAD_LINE.target, body.byteLength, lines);
  }

  /** Upload j as one buffer, signed at ts (spooled batches, signed when they leave). */
  request(j: number, ts: number): Buffer {
    const body = this.body(j);
    const head = this.head(j, ts);
    const out = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + body.byteLength);
    const n = out.write(head, 'latin1');
    out.set(body, n);
    return out;
  }
}

/**
 * Scheduled uploads, signed for their intended send time (see the top of the
 * file), in one contiguous buffer, not one object per request: tens of
 * thousands of young Buffers would make the first scavenges of the run copy
 * them all (10–20 ms pauses, measured). The run starts at plannedStartWallMs.
 */
function presignSchedule(o: SenderOptions, requests: UploadRequests): { plannedStartWallMs: number; bytes: (k: number) => Buffer } {
  const sch = o.schedule;
  const signedCount = Math.min(sch.count, o.openBodies);
  const plannedStartWallMs = Date.now() + 100 + signedCount * 0.01;
  const signedAt = new Float64Array(signedCount + 1);
  let capacity = 0;
  // A signed fleetsim head is under 512 bytes; a foreign protocol's head is built now to measure it (it does not depend on the time).
  for (let j = 0; j < signedCount; j++) {
    const b = o.openFirstBody + j;
    capacity += requests.body(b).byteLength + (o.protocol ? Buffer.byteLength(requests.head(b, 0), 'latin1') : 512);
  }
  const signedAll = Buffer.allocUnsafeSlow(capacity);
  for (let j = 0; j < signedCount; j++) {
    const b = o.openFirstBody + j;
    const body = requests.body(b);
    const head = requests.head(b, Math.floor(plannedStartWallMs + sch.intendedMs[j]!));
    const at = signedAt[j]!;
    const n = signedAll.write(head, at, 'latin1');
    signedAll.set(body, at + n);
    signedAt[j + 1] = at + n + body.byteLength;
  }
  return { plannedStartWallMs, bytes: (k) => signedAll.subarray(signedAt[k]!, signedAt[k + 1]!) };
}

/** Ramp: the event loop's utilisation at each step boundary, so each step's validity is judged on its own. */
function trackStepCpu(sch: LoadSchedule): { headroom: () => (number | null)[]; close: (step: number) => void; clear: () => void } {
  type Elu = ReturnType<typeof performance.eventLoopUtilization>;
  const stepElu: (Elu | null)[] = new Array<Elu | null>(sch.steps.length + 1).fill(null);
  const timers: NodeJS.Timeout[] = [];
  if (sch.steps.length > 1) {
    stepElu[0] = performance.eventLoopUtilization();
    sch.steps.forEach((st, k) => timers.push(setTimeout(() => (stepElu[k + 1] ??= performance.eventLoopUtilization()), st.endMs)));
  }
  return {
    headroom: () =>
      sch.steps.map((_, k) => {
        const a = stepElu[k];
        const b = stepElu[k + 1];
        return a && b ? 1 - performance.eventLoopUtilization(b, a).utilization : null;
      }),
    close: (k) => {
      if (stepElu[k] !== null) stepElu[k + 1] ??= performance.eventLoopUtilization();
    },
    clear: () => timers.forEach((t) => clearTimeout(t)),
  };
}

interface StepJudge {
  /** Judges now, in order, every step that sent something and was not judged yet (up to a step that broke the SLO). */
  readonly rest: () => void;
  readonly clear: () => void;
}

const NO_JUDGE: StepJudge = { rest: () => {}, clear: () => {} };

/**
 * Ramp: each step is judged once its requests had the SLO's p99 to answer,
 * or when the run ends before that (every answer in, or the hard stop): a
 * step that ran is never left unjudged. Nothing is judged after a step broke
 * the SLO (the knee is found).
 */
function judgeSteps(
  slo: RampSlo,
  sch: LoadSchedule,
  rec: LoadRecorder,
  stepInFlight: Uint32Array,
  judged: (j: StepJudgement) => void,
): StepJudge {
  const done = new Uint8Array(sch.steps.length);
  let broken = false;
  const judge = (k: number): void => {
    if (done[k] === 1 || broken) return;
    done[k] = 1;
    const r = rec.steps[k]!;
    const open = stepInFlight[k]!;
    r.unfinishedAtJudgement = open;
    const total = r.requests + open;
    // Unanswered requests are older than the SLO: count them above it.
    const p =
      total === 0
        ? null
        : open / total > 0.01
          ? Infinity
          : r.requests === 0
            ? null
            : r.latency.getValueAtPercentile(Math.min(100, (99 * total) / r.requests)) / 1000;
    // Errors among the answered only, as the summary counts them: a request still open is slow (in p above), not failed.
    const errorRate = r.requests === 0 ? 0 : r.failed / r.requests;
    const j = { step: k, p99Ms: p === Infinity ? null : p, errorRate, broken: (p !== null && p > slo.p99Ms) || errorRate > slo.errorRate };
    broken = j.broken;
    judged(j);
  };
  const timers = sch.steps.map((st) => setTimeout(() => judge(st.index), st.endMs + Math.min(slo.p99Ms, 5000)));
  return {
    rest: () => {
      for (let k = 0; k < sch.steps.length; k++) if (rec.steps[k]!.requests + stepInFlight[k]! > 0) judge(k);
    },
    clear: () => timers.forEach((t) => clearTimeout(t)),
  };
}

const EMPTY = Buffer.alloc(0);

function reasonOf(status: number, body: Buffer | null): string {
  try {
    const code = (JSON.parse(body === null ? '' : body.toString('utf8')) as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  } catch {
    // Not the reference service's JSON: the status is the reason.
  }
  return `HTTP_${status}`;
}
