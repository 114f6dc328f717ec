import { DEVICE_HEADER, SEQUENCE_HEADER } from '../auth/protocol.js';
import { EventBuffer, EventType, FRESH_BYTES, type ByteSource, type EventBlock } from '../events/index.js';
import { binInputTimes, createFreshnessHistogram, recordAcknowledged, type FreshnessHistogram } from '../metrics/freshness.js';
import { emptyLedger, type Ledger } from '../metrics/ledger.js';
import { decidePause, isExempt, withinCaptureHours, type PauseDecision, type PauseWindow, type PolicyRules } from '../policy/index.js';
import type { RandomStream } from '../random/index.js';
import { localHourOfDay } from '../time/index.js';
import { BATCH_ID_BYTES, compress, encodeBatch, type ControlRecord } from '../wire/index.js';
import type { AgentClock, TimerHandle } from './clock.js';
import { simplifyByPath, simplifyByRate } from './coalesce.js';
import type { AgentConfig } from './config.js';
import { ContentFilter } from './content-filter.js';
import type { Transport } from './transport.js';
import { Uploader, type SpooledBatch } from './uploader.js';

/** Who and where the agent runs, and what it talks to: all injected. */
export interface AgentContext {
  readonly clock: AgentClock;
  readonly transport: Transport;
  /** Batch ids and backoff jitter. */
  readonly rng: RandomStream;
  readonly deviceId: string;
  readonly rules: PolicyRules;
  /** Added to input event times to get clock time (0 on a laptop; the virtual epoch in a simulation). */
  readonly inputTimeOffsetMs: number;
  /**
   * The laptop's UTC offset (minutes east) at an instant, for the capture-hours
   * rule, which is in local time. Absent: UTC.
   */
  readonly utcOffsetMinutes?: (utcMs: number) => number;
  /**
   * Where batch sequence numbers come from. A laptop numbers its batches once
   * over its life, so a harness that runs a laptop's days as separate agents
   * shares one counter between them (the service refuses a sequence it already
   * holds under another batch). Absent: this agent counts from 0.
   */
  readonly sequences?: SequenceCounter;
  /**
   * Where the open batch's storage comes from as it grows. A harness running
   * many agents in one thread shares a BytePool, so what one batch outgrew
   * serves the next; absent: fresh storage each time.
   */
  readonly buffers?: ByteSource;
  /**
   * The uploader stopped at an exception that is not the network (a user's
   * adapter or fleetsim's code is broken; UploaderEvents.onBroken): the
   * harness should stop the run with it. settled() and finish() reject with
   * it too, for harnesses that only await.
   */
  readonly onBroken?: (err: unknown) => void;
  /** A batch was sealed and spooled, at this clock time: how fast the laptop produces uploads (a harness's figure). */
  readonly onSealed?: (clockMs: number) => void;
}

/** Hands out a laptop's batch sequence numbers: 0, 1, 2, … */
export interface SequenceCounter {
  next(): number;
}

export function sequenceCounter(first = 0): SequenceCounter {
  let n = first;
  return { next: () => n++ };
}

/** What the agent measured about itself, for bandwidth and the battery proxy. */
export interface AgentCosts {
  batches: number;
  uploads: number;
  wakeups: number;
  /** Bytes put on the radio: request headers + bodies, retries included. */
  radioBytes: number;
  /** Compressed body bytes of sealed batches (retries not counted). */
  bodyBytes: number;
  /** Encoded, uncompressed bytes of sealed batches. */
  encodedBytes: number;
}

/** Moves of one movement the agent holds before it grows its arrays. */
const MOVEMENT_START_CAPACITY = 32;
/** Bytes a move takes in the movement's storage: time 8, x 4, y 4, two stack slots 8, context 1, keep 1. */
const MOVEMENT_BYTES_PER_MOVE = 26;
/** Stack slots the path simplifier needs beyond two per move. */
const MOVEMENT_STACK_EXTRA = 8;

function movementBytes(moves: number): number {
  return moves * MOVEMENT_BYTES_PER_MOVE + MOVEMENT_STACK_EXTRA * 4;
}

/** The movement storage of a closed agent. */
const NO_MOVEMENT_STORAGE = new Uint8Array(MOVEMENT_STACK_EXTRA * 4);

/** Events of the open batch before the buffer first grows. */
const BATCH_START_CAPACITY = 64;

/**
 * The capture agent: the code a laptop would run. Input events go through
 * the policy gate (paused, exempt), the sensitive-content filter, mouse-move
 * coalescing and batching; sealed batches are encoded, compressed and handed
 * to the uploader. Every event ends in exactly one ledger fate.
 */
export class CaptureAgent {
  readonly ledger: Ledger = emptyLedger();
  readonly costs: AgentCosts = { batches: 0, uploads: 0, wakeups: 0, radioBytes: 0, bodyBytes: 0, encodedBytes: 0 };
  private freshnessHistogram: FreshnessHistogram | null = null;
  /** Events the service acknowledged (stored or redacted), each with its freshness recorded. */
  acknowledgedEvents = 0;
  /** The batch being built. */
  private readonly buffer: EventBuffer;
  private readonly filter: ContentFilter;
  private readonly uploader: Uploader;
  // The open movement: moves held back until it ends, then simplified. Views on one
  // storage from ctx.buffers that starts small and doubles (growMovement): a
  // real-time run keeps 100,000 agents, and pooled storage is not left to the collector.
  private readonly buffers: ByteSource;
  private mstorage: Uint8Array;
  private mt!: Float64Array;
  private mx!: Int32Array;
  private my!: Int32Array;
  private mctx!: Uint8Array;
  private mkeep!: Uint8Array;
  private mstack!: Int32Array;
  private mlen = 0;
  private readonly sequences: SequenceCounter;
  private batchOpenedMs = -1;
  private batchTimer: TimerHandle | null = null;
  private batchDeadlineMs = Infinity;
  private controls: ControlRecord[] = [];
  private readonly pauses: PauseWindow[] = [];
  private pauseCursor = 0;
  private exempt = false;
  /** Clock time from which an exemption approved during the run applies (Infinity: none). */
  private exemptFromMs = Infinity;
  private stopped = false;
  private redactedAtLastSeal = 0;
  /** What broke the uploader (a wrapper, since what a module throws may be undefined). */
  private broken: { readonly err: unknown } | null = null;

  constructor(
    private readonly ctx: AgentContext,
    private readonly config: AgentConfig,
  ) {
    this.buffer = new EventBuffer(BATCH_START_CAPACITY, ctx.buffers);
    this.buffers = ctx.buffers ?? FRESH_BYTES;
    this.mstorage = this.buffers.take(movementBytes(MOVEMENT_START_CAPACITY));
    this.adoptMovement(this.mstorage);
    this.filter = new ContentFilter(config.contentFilter);
    this.sequences = ctx.sequences ?? sequenceCounter();
    this.uploader = new Uploader(ctx.clock, ctx.transport, ctx.rng, config.upload, {
      onAcknowledged: (b) => {
        this.ledger.stored += b.events - b.redacted;
        this.ledger.redacted += b.redacted;
        this.acknowledgedEvents += b.events;
        // Never before the seal: a harness feeding minutes of input in one block seals on the
        // events' own times while its clock still shows the block's start.
        if (b.inputTimes) recordAcknowledged(this.freshness, b.inputTimes, Math.max(ctx.clock.now(), b.sealedMs ?? -Infinity));
      },
      onLost: (b) => {
        this.ledger.lost += b.events;
      },
      onPolicyStop: (_code, unsent) => {
        // The server says this employee is exempt: nothing more is captured, nothing unsent is kept.
        this.stopped = true;
        this.exempt = true;
        for (const b of unsent) this.ledger.dropped_exempt += b.events;
      },
      onBroken: (err) => {
        this.broken ??= { err };
        ctx.onBroken?.(err);
      },
      onWakeup: () => {
        this.costs.wakeups++;
      },
      onRadioBytes: (bytes) => {
        this.costs.radioBytes += bytes;
        this.costs.uploads++;
      },
    });
  }

  /** The employee asks to pause capture; the policy decides, and the agent records it for the server. */
  requestPause(atMs: number, wantedMs: number, dayStartMs: number): PauseDecision {
    const d = decidePause(this.pauses, { atMs, wantedMs, dayStartMs }, this.ctx.rules);
    if (d.kind === 'granted') {
      this.pauses.push(d.window);
      this.controls.push({ kind: 'pause', atMs: d.window.startMs, untilMs: d.window.endMs });
      this.controls.push({ kind: d.window.endedBy === 'auto-resume' ? 'auto_resume' : 'resume', atMs: d.window.endMs });
    }
    return d;
  }

  /** The employee's exemption status, as the fleet's policy service says. */
  setExemption(requested: boolean, approvalDraw: number): void {
    this.exempt = isExempt(requested, approvalDraw, this.ctx.rules);
  }

  /** Exempt for everything captured from now on (an exemption that began before today; the server already knows). */
  setExempt(): void {
    this.exempt = true;
  }

  /**
   * An exemption approved during the run takes effect at atMs (clock time):
   * nothing from then on is captured, and an `exempt` control record tells the
   * ingest service, which then refuses the device's later uploads itself
   * (policy at both ends). The record travels in the open batch when that
   * batch reaches atMs, or in a batch of its own sealed batchMaxAgeMs after atMs.
   */
  exemptFrom(atMs: number): void {
    this.exemptFromMs = Math.min(this.exemptFromMs, atMs);
    let i = this.controls.length;
    while (i > 0 && (this.controls[i - 1] as ControlRecord).atMs > atMs) i--;
    this.controls.splice(i, 0, { kind: 'exempt', atMs });
    this.openBatch(atMs);
  }

  get isExempt(): boolean {
    return this.exempt;
  }

  /** Captures a block of input events (in time order; times + inputTimeOffsetMs = clock time). */
  /**
   * Per acknowledged event: time from its input to the service's
   * acknowledgement of its batch (agent clock). Made at the first
   * acknowledgement: most agents of a real-time fleet have none yet.
   */
  get freshness(): FreshnessHistogram {
    return (this.freshnessHistogram ??= createFreshnessHistogram());
  }

  capture(block: EventBlock): void {
    const offset = this.ctx.inputTimeOffsetMs;
    const n = block.length;
    this.ledger.produced += n;
    if (this.exempt || this.stopped) {
      this.ledger.dropped_exempt += n;
      return;
    }
    const gap = this.config.movementGapMs;
    const hours = this.ctx.rules.captureHours;
    // A block spans minutes: one offset for it (a DST change inside a block is off by at most that block).
    const localShiftMs = hours === null ? 0 : (this.ctx.utcOffsetMinutes?.((block.t_ms[0] as number) + offset) ?? 0) * 60_000;
    for (let i = 0; i < n; i++) {
      // Whole milliseconds, as an OS timestamps input and as the wire carries it: the gate sees what the server will.
      const t = Math.round((block.t_ms[i] as number) + offset);
      if (t >= this.batchDeadlineMs) this.sealOnTimer(this.batchDeadlineMs);
      if (t >= this.exemptFromMs) {
        this.ledger.dropped_exempt++;
        continue;
      }
      // Outside the capture hours is a pause the policy schedules: the ledger has no other fate for it.
      if (this.isPaused(t) || (hours !== null && !withinCaptureHours(localHourOfDay(t + localShiftMs), this.ctx.rules))) {
        this.ledger.dropped_paused++;
        continue;
      }
      const type = block.type[i] as number;
      if (type === EventType.mousemove) {
        if (this.mlen > 0 && t - (this.mt[this.mlen - 1] as number) > gap) this.endMovement();
        this.pushMove(t, block.x[i] as number, block.y[i] as number, block.context[i] as number);
        this.openBatch(t);
        continue;
      }
      if (this.mlen > 0) this.endMovement();
      this.openBatch(t);
      const j = this.buffer.push(
        t,
        type,
        block.key[i] as number,
        block.x[i] as number,
        block.y[i] as number,
        block.button[i] as number,
        block.context[i] as number,
        0,
      );
      if (type === EventType.keydown || type === EventType.keyup) this.filter.onKey(this.buffer.key, j, type, block.context[i] as number);
      if (this.buffer.length >= this.config.batchMaxEvents) this.seal(t);
    }
  }

  /** End of the run: seal what is open and stop timers; what is still spooled stays spooled. */
  async finish(): Promise<void> {
    if (this.mlen > 0) this.endMovement();
    // An open batch with no events holds an exemption record still to send.
    if (this.buffer.length > 0 || this.batchOpenedMs >= 0) this.seal(this.ctx.clock.now());
    await this.settled();
  }

  /** Stops retrying; the ledger's `spooled` is set from what is left on the laptop. */
  async close(): Promise<void> {
    await this.uploader.settled();
    this.uploader.shutdown();
    // Sealed in finish(): the open batch's and movement's storage go back to their source.
    this.buffer.release();
    if (this.mlen === 0) {
      this.buffers.give(this.mstorage);
      this.mstorage = NO_MOVEMENT_STORAGE;
      this.adoptMovement(NO_MOVEMENT_STORAGE);
    }
    let spooled = 0;
    for (const b of this.uploader.spooled()) spooled += b.events;
    this.ledger.spooled = spooled;
  }

  /** Resolves when no upload is in flight; rejects with what broke the uploader, if something did (AgentContext.onBroken). */
  async settled(): Promise<void> {
    await this.uploader.settled();
    if (this.broken !== null) throw this.broken.err;
  }

  private isPaused(t: number): boolean {
    const ws = this.pauses;
    while (this.pauseCursor < ws.length && t >= (ws[this.pauseCursor] as PauseWindow).endMs) this.pauseCursor++;
    const w = ws[this.pauseCursor];
    return w !== undefined && t >= w.startMs;
  }

  private openBatch(t: number): void {
    if (this.batchOpenedMs >= 0) return;
    this.batchOpenedMs = t;
    this.batchDeadlineMs = t + this.config.batchMaxAgeMs;
    this.batchTimer = this.ctx.clock.setTimer(this.batchDeadlineMs, () => {
      this.batchTimer = null;
      this.sealOnTimer(this.batchDeadlineMs);
    });
  }

  private sealOnTimer(atMs: number): void {
    this.costs.wakeups++;
    if (this.mlen > 0) this.endMovement();
    this.seal(atMs);
  }

  private pushMove(t: number, x: number, y: number, context: number): void {
    if (this.mlen === this.mt.length) this.growMovement();
    const k = this.mlen++;
    this.mt[k] = t;
    this.mx[k] = x;
    this.my[k] = y;
    this.mctx[k] = context;
  }

  private endMovement(): void {
    const n = this.mlen;
    this.mlen = 0;
    const c = this.config.coalesce;
    let kept = n;
    if (c.mode === 'rate') kept = simplifyByRate(this.mt, n, c.maxRateHz, this.mkeep);
    else if (c.mode === 'path') kept = simplifyByPath(this.mx, this.my, n, c.maxErrorPx, this.mkeep, this.mstack);
    else this.mkeep.fill(1, 0, n);
    this.ledger.coalesced += n - kept;
    for (let k = 0; k < n; k++) {
      if (this.mkeep[k])
        this.buffer.push(
          this.mt[k] as number,
          EventType.mousemove,
          0,
          this.mx[k] as number,
          this.my[k] as number,
          0,
          this.mctx[k] as number,
          0,
        );
    }
    if (this.buffer.length >= this.config.batchMaxEvents) this.seal(this.mt[n - 1] as number);
  }

  private growMovement(): void {
    const storage = this.buffers.take(movementBytes(Math.max(2 * this.mt.length, MOVEMENT_START_CAPACITY)));
    const { mt, mx, my, mctx } = this;
    this.adoptMovement(storage);
    this.mt.set(mt);
    this.mx.set(mx);
    this.my.set(my);
    this.mctx.set(mctx);
    this.buffers.give(this.mstorage);
    this.mstorage = storage;
  }

  /**
   * Makes the movement arrays views on `storage`, as many moves as fit:
   * times, x, y, the path simplifier's stack (2 per move + 8), contexts, keep flags.
   */
  private adoptMovement(storage: Uint8Array): void {
    const cap = Math.floor((storage.byteLength - MOVEMENT_STACK_EXTRA * 4) / MOVEMENT_BYTES_PER_MOVE);
    const buf = storage.buffer;
    const at = storage.byteOffset;
    this.mt = new Float64Array(buf, at, cap);
    this.mx = new Int32Array(buf, at + 8 * cap, cap);
    this.my = new Int32Array(buf, at + 12 * cap, cap);
    this.mstack = new Int32Array(buf, at + 16 * cap, 2 * cap + MOVEMENT_STACK_EXTRA);
    this.mctx = new Uint8Array(buf, at + 24 * cap + 4 * MOVEMENT_STACK_EXTRA, cap);
    this.mkeep = new Uint8Array(buf, at + 25 * cap + 4 * MOVEMENT_STACK_EXTRA, cap);
  }

  /** Seals the open batch. Always on a wake-up already counted: input is being processed, or a timer fired. */
  private seal(atMs: number): void {
    if (this.batchTimer !== null) this.ctx.clock.clearTimer(this.batchTimer);
    this.batchTimer = null;
    this.batchDeadlineMs = Infinity;
    const opened = this.batchOpenedMs;
    this.batchOpenedMs = -1;
    // An exemption's record is sent even with no events: it is how the server learns of it.
    const announce = this.controls.some((c) => c.kind === 'exempt' && c.atMs <= atMs);
    if (this.buffer.length === 0 && !announce) return;
    this.filter.onSeal(this.buffer.key);
    const redacted = this.filter.redactedEvents - this.redactedAtLastSeal;
    this.redactedAtLastSeal = this.filter.redactedEvents;
    const events = this.buffer.view();
    const n = events.length;
    const windowEndMs = Math.ceil(n > 0 ? Math.max(atMs, events.t_ms[n - 1] as number) : atMs);
    // Policy records due by now travel with this batch; one made while idle widens its window.
    const controls = this.controls.filter((c) => c.atMs <= windowEndMs);
    this.controls = this.controls.filter((c) => c.atMs > windowEndMs);
    let windowStartMs = Math.floor(n > 0 ? Math.min(opened, events.t_ms[0] as number) : opened);
    for (const c of controls) windowStartMs = Math.min(windowStartMs, Math.floor(c.atMs));
    const batchId = new Uint8Array(BATCH_ID_BYTES);
    for (let i = 0; i < BATCH_ID_BYTES; i++) batchId[i] = Math.floor(this.ctx.rng.next() * 256);
    const sequence = this.sequences.next();
    const encoded = encodeBatch({
      header: { batchId, deviceId: this.ctx.deviceId, sequence, windowStartMs, windowEndMs, agentVersion: this.config.agentVersion },
      controls: controls.map((c) => ({
        ...c,
        atMs: Math.round(c.atMs),
        ...(c.untilMs !== undefined ? { untilMs: Math.round(c.untilMs) } : {}),
      })),
      events,
    });
    const body = compress(this.config.codec, encoded, this.config.compressionLevel);
    // Device authentication is the transport's job: it signs every attempt, so a retry hours
    // later carries a fresh timestamp instead of one the server's skew check refuses.
    // No content-type: without one a body is application/octet-stream (RFC 9110 §8.3), which
    // the service takes as a batch, and its 55 bytes would go out with every upload.
    const headers: Record<string, string> = {
      'content-encoding': this.config.codec,
      [DEVICE_HEADER]: this.ctx.deviceId,
      [SEQUENCE_HEADER]: String(sequence),
    };
    const inputTimes = binInputTimes(events.t_ms, n);
    const batch: SpooledBatch = {
      sequence,
      body,
      headers,
      events: n,
      redacted,
      sealedMs: windowEndMs,
      ...(inputTimes ? { inputTimes } : {}),
    };
    this.costs.batches++;
    this.costs.encodedBytes += encoded.byteLength;
    this.costs.bodyBytes += body.byteLength;
    this.buffer.clear();
    this.ctx.onSealed?.(windowEndMs);
    this.uploader.enqueue(batch, true);
    // An exemption record later than this batch's window gets a batch of its own.
    const pending = this.controls.find((c) => c.kind === 'exempt');
    if (pending !== undefined) this.openBatch(pending.atMs);
  }
}
