/**
 * The outage of the outage-recovery profile, modelled with the agent's own
 * uploader (src/agent/uploader.ts: spool, one upload at a time, exponential
 * backoff with full jitter, Retry-After) rather than a copy of its policy.
 *
 * While the target is unreachable, every laptop at work keeps sealing
 * batches at its usual rate and its uploader keeps failing and backing off.
 * That part runs in virtual time before the run starts (no traffic can be
 * sent anyway), one laptop at a time, so a 30-minute outage costs
 * milliseconds; the run holds the target silent for the outage's scaled
 * length. When the target comes back, each laptop's clock turns into the
 * run's real clock, one to one: the retry timers the uploaders armed in
 * virtual time fire at the same distance after the recovery as they would
 * have in the fleet, and from then on the real uploader drains its spool
 * through the load generator's connections, retrying as the agent does.
 */
import { Uploader, type AgentClock, type SpooledBatch, type TimerHandle, type UploadConfig, type UploadOutcome } from '../agent/index.js';
import { createStream, exponential, uniformInt } from '../random/index.js';

/** What the sender provides once the target is back. */
export interface DrainLink {
  /** Run clock, ms from the run start. */
  runNowMs(): number;
  /** Run ms at which the target came back. */
  readonly recoveryRunMs: number;
  /** Sends prepared body `body`; `intendedRunMs` is when the uploader meant to send it, `scheduled` whether a timer decided that. */
  send(body: number, intendedRunMs: number, scheduled: boolean): Promise<UploadOutcome>;
  /** An uploader stopped at an exception that is not the network (a bug): the run should end with it. */
  fail?(err: unknown): void;
}

/** A timer-list clock: virtual (fleet ms from the outage start) until goLive, then the run's clock shifted to the recovery. */
class PhasedClock implements AgentClock {
  private t = 0;
  private link: DrainLink | null = null;
  private outageEndMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { atMs: number; fn: () => void; real: NodeJS.Timeout | null }>();
  /** While a timer callback runs live: its due time on the run clock (the intended send time of what it starts). */
  dueRunMs: number | null = null;

  now(): number {
    return this.link ? this.outageEndMs + (this.link.runNowMs() - this.link.recoveryRunMs) : this.t;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const timer = { atMs: Math.max(atMs, this.now()), fn, real: null as NodeJS.Timeout | null };
    this.timers.set(id, timer);
    if (this.link) this.arm(id);
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.timers.get(handle);
    if (timer?.real) clearTimeout(timer.real);
    this.timers.delete(handle);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Virtual phase: the earliest timer, or Infinity. */
  nextTimerMs(): number {
    let min = Infinity;
    for (const t of this.timers.values()) if (t.atMs < min) min = t.atMs;
    return min;
  }

  /** Virtual phase: moves to `t` without firing anything (the caller fires in order). */
  moveTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  /** Virtual phase: fires the earliest timer. */
  fireNext(): void {
    let id = -1;
    let at = Infinity;
    for (const [k, t] of this.timers) if (t.atMs < at) [id, at] = [k, t.atMs];
    if (id < 0) return;
    const timer = this.timers.get(id)!;
    this.timers.delete(id);
    this.moveTo(timer.atMs);
    timer.fn();
  }

  goLive(link: DrainLink, outageEndMs: number): void {
    this.moveTo(outageEndMs);
    this.outageEndMs = outageEndMs;
    this.link = link;
    for (const id of this.timers.keys()) this.arm(id);
  }

  private arm(id: number): void {
    const timer = this.timers.get(id)!;
    const link = this.link!;
    const dueRunMs = link.recoveryRunMs + (timer.atMs - this.outageEndMs);
    timer.real = setTimeout(
      () => {
        this.timers.delete(id);
        this.dueRunMs = dueRunMs;
        try {
          timer.fn();
        } finally {
          this.dueRunMs = null;
        }
      },
      Math.max(0, dueRunMs - link.runNowMs()),
    );
  }

  shutdown(): void {
    for (const t of this.timers.values()) if (t.real) clearTimeout(t.real);
    this.timers.clear();
  }
}

export interface OutageOptions {
  /** Laptops at work when the outage began (those of this shard). */
  readonly laptops: Uint32Array;
  /** How long the target was unreachable, fleet ms. */
  readonly outageMs: number;
  /** Batches one laptop at work seals per second. */
  readonly uploadsPerSecond: number;
  readonly upload: UploadConfig;
  /** Size of each corpus template as the agent sent it (the spool's byte bound counts them). */
  readonly templateBytes: Uint32Array;
  readonly seed: string;
}

export interface DrainFigures {
  /** Batches on the laptops when the target came back (after any the spool bound dropped). */
  readonly backlog: number;
  readonly laptops: number;
  /** Backlog batches not yet stored. */
  readonly left: number;
  /** Run ms from the recovery until the last backlog batch was stored; null while some are left. */
  readonly drainMs: number | null;
  /** Batches dropped from full spools during the outage, and refused for good while draining. */
  readonly lostSpoolFull: number;
  readonly lostRejected: number;
  /** How long after the recovery the last laptop's uploader was due to retry (its backoff): no drain ends before it. */
  readonly lastFirstRetryMs: number;
}

interface Routed {
  /** Backlog index, or −1 for an open arrival queued behind a spool. */
  readonly backlog: number;
  readonly body: number;
}

/**
 * Every laptop's spool at the end of the outage, with its uploader waiting to
 * retry. Backlog batch b (in laptop, then sealing order) is to be sent as
 * prepared body `bodyBase + b`.
 */
export class OutageModel {
  /** Per backlog batch: its laptop, when it was sealed (fleet ms from the outage start) and its corpus template. */
  readonly backlogLaptop: Uint32Array;
  readonly backlogSealedMs: Float64Array;
  readonly backlogTemplate: Uint32Array;
  private readonly uploaders: Uploader[] = [];
  private readonly clocks: PhasedClock[] = [];
  private readonly slotOfLaptop = new Map<number, number>();
  private readonly route = new Map<Uint8Array, Routed>();
  private readonly zero: Uint8Array;
  private link: DrainLink | null = null;
  private bodyBase = 0;
  private left = 0;
  private drainMs: number | null = null;
  private lostSpoolFull = 0;
  private lostRejected = 0;
  private laptopsWithSpool = 0;
  private backlogAtRecovery = 0;
  private backlogTotal = 0;
  /** Before goLive: what stopped an uploader that was not the network (a bug: the sender answers an adapter's exception itself). */
  private broken: { readonly err: unknown } | null = null;
  private lastFirstRetryMs = 0;

  private constructor(n: number, maxBytes: number) {
    this.backlogLaptop = new Uint32Array(n);
    this.backlogSealedMs = new Float64Array(n);
    this.backlogTemplate = new Uint32Array(n);
    this.zero = new Uint8Array(maxBytes);
  }

  static async simulate(o: OutageOptions): Promise<OutageModel> {
    const meanGapMs = 1000 / Math.max(1e-9, o.uploadsPerSecond);
    let maxBytes = 1;
    for (const b of o.templateBytes) maxBytes = Math.max(maxBytes, b);
    // Sized for the expected backlog; grown if the draws exceed it.
    const m = new OutageModel(Math.ceil(o.laptops.length * (o.outageMs / meanGapMs) * 1.2 + 64), maxBytes);
    const seal = (i: number, atMs: number, k: number): number => {
      const b = m.backlogTotal++;
      m.grow(b + 1);
      m.backlogLaptop[b] = i;
      m.backlogSealedMs[b] = atMs;
      m.backlogTemplate[b] = k;
      return b;
    };
    for (const laptop of o.laptops) {
      const s = createStream(o.seed, 'load', 'outage', laptop);
      let next = exponential(s, meanGapMs);
      if (next >= o.outageMs) continue;
      const clock = new PhasedClock();
      const slot = m.uploaders.length;
      const up = new Uploader(clock, m.transport(clock), createStream(o.seed, 'load', 'outage-backoff', laptop), o.upload, m.events());
      m.uploaders.push(up);
      m.clocks.push(clock);
      m.slotOfLaptop.set(laptop, slot);
      for (;;) {
        const timerAt = clock.nextTimerMs();
        if (Math.min(next, timerAt) >= o.outageMs) break;
        if (next <= timerAt) {
          clock.moveTo(next);
          const k = uniformInt(s, o.templateBytes.length);
          const b = seal(laptop, next, k);
          up.enqueue(m.batch(o.templateBytes[k]!, { backlog: b, body: -1 }), true);
          next += exponential(s, meanGapMs);
        } else {
          clock.fireNext();
        }
        // The failed upload settles in a microtask and arms the next retry.
        await up.settled();
      }
      clock.moveTo(o.outageMs);
    }
    if (m.broken) throw m.broken.err;
    for (const up of m.uploaders) {
      m.left += up.pendingBatches;
      if (up.pendingBatches > 0) m.laptopsWithSpool++;
    }
    m.backlogAtRecovery = m.left;
    for (const t of m.firstRetriesAfterRecoveryMs(o.outageMs)) m.lastFirstRetryMs = Math.max(m.lastFirstRetryMs, t);
    return m;
  }

  private grow(n: number): void {
    if (n <= this.backlogLaptop.length) return;
    const c = Math.max(n, this.backlogLaptop.length * 2);
    const g = <T extends Uint32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    (this as { backlogLaptop: Uint32Array }).backlogLaptop = g(this.backlogLaptop, new Uint32Array(c));
    (this as { backlogSealedMs: Float64Array }).backlogSealedMs = g(this.backlogSealedMs, new Float64Array(c));
    (this as { backlogTemplate: Uint32Array }).backlogTemplate = g(this.backlogTemplate, new Uint32Array(c));
  }

  /** Batches sealed during the outage (bodies to prepare; some may have left a full spool since). */
  get sealed(): number {
    return this.backlogTotal;
  }

  /** A spooled batch as the uploader sees it: its size is real, its bytes are the prepared body, found by route at send time. */
  private batch(bytes: number, r: Routed): SpooledBatch {
    const body = this.zero.subarray(0, bytes);
    this.route.set(body, r);
    return { sequence: r.backlog, body, headers: {}, events: 0, redacted: 0 };
  }

  private transport(clock: PhasedClock) {
    return {
      send: (req: { body: Uint8Array }): Promise<UploadOutcome> => {
        const link = this.link;
        if (!link) return Promise.resolve({ kind: 'network-error', message: 'ECONNREFUSED: the target is down (outage)', requestBytes: 0 });
        const r = this.route.get(req.body)!;
        const scheduled = clock.dueRunMs !== null;
        return link.send(r.backlog >= 0 ? this.bodyBase + r.backlog : r.body, clock.dueRunMs ?? link.runNowMs(), scheduled);
      },
    };
  }

  private events() {
    return {
      onAcknowledged: (batch: SpooledBatch) => this.leftSpool(batch),
      onLost: (batch: SpooledBatch, reason: 'spool_full' | 'rejected') => {
        if (reason === 'spool_full') this.lostSpoolFull++;
        else this.lostRejected++;
        if (this.link) this.leftSpool(batch);
        this.route.delete(batch.body);
      },
      onPolicyStop: (_code: string, unsent: readonly SpooledBatch[]) => {
        for (const b of unsent) {
          this.lostRejected++;
          if (this.link) this.leftSpool(b);
        }
      },
      onBroken: (err: unknown) => {
        if (this.link?.fail) this.link.fail(err);
        else this.broken ??= { err };
      },
      onWakeup: () => {},
      onRadioBytes: () => {},
    };
  }

  private leftSpool(batch: SpooledBatch): void {
    const r = this.route.get(batch.body);
    this.route.delete(batch.body);
    if (!r || r.backlog < 0) return;
    this.left--;
    if (this.left === 0 && this.link) this.drainMs = this.link.runNowMs() - this.link.recoveryRunMs;
  }

  /** Per laptop with a spool: how long after the recovery its uploader's next retry is due (fleet ms); the herd's shape. */
  firstRetriesAfterRecoveryMs(outageMs: number): Float64Array {
    const out: number[] = [];
    this.uploaders.forEach((up, i) => {
      if (up.pendingBatches > 0) out.push(this.clocks[i]!.nextTimerMs() - outageMs);
    });
    return Float64Array.from(out);
  }

  /** The target is back: uploaders run on the run's clock and send through `link`. Backlog batch b is body bodyBase + b. */
  goLive(link: DrainLink, bodyBase: number, outageMs: number): void {
    this.link = link;
    this.bodyBase = bodyBase;
    for (const c of this.clocks) c.goLive(link, outageMs);
  }

  /**
   * An open arrival of `laptop` (prepared body `body`, `bytes` long): true when
   * the laptop's uploader is still busy with its spool, which then queues it
   * behind the spool as the agent does; false when it goes out on its own.
   */
  takes(laptop: number, body: number, bytes: number): boolean {
    const slot = this.slotOfLaptop.get(laptop);
    if (slot === undefined) return false;
    const up = this.uploaders[slot]!;
    if (up.idle) return false;
    up.enqueue(this.batch(bytes, { backlog: -1, body }), true);
    return true;
  }

  /** Uploaders before this one were idle when last looked at; only `takes` gives one new work, and it can only pick a busy one. */
  private idleBefore = 0;

  /** No uploader sending or waiting to retry (asked after every answer near the end: amortised O(1)). */
  get idle(): boolean {
    for (; this.idleBefore < this.uploaders.length; this.idleBefore++) {
      const i = this.idleBefore;
      if (!this.uploaders[i]!.idle || this.clocks[i]!.pending > 0) return false;
    }
    return true;
  }

  shutdown(): void {
    for (const up of this.uploaders) up.shutdown();
    for (const c of this.clocks) c.shutdown();
  }

  figures(): DrainFigures {
    return {
      backlog: this.backlogAtRecovery,
      laptops: this.laptopsWithSpool,
      left: this.left,
      drainMs: this.drainMs,
      lostSpoolFull: this.lostSpoolFull,
      lostRejected: this.lostRejected,
      lastFirstRetryMs: this.lastFirstRetryMs,
    };
  }
}
