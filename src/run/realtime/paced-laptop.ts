import { sequenceCounter, type CaptureAgent } from '../../agent/index.js';
import { composeEmployeeDay, type DayPlanned, type EmployeeDay } from '../../behaviour/index.js';
import { localDayStartMs } from '../../time/index.js';
import { EventBuffer, EventWriter, PackedEventQueue, type BytePool, type EventBlock } from '../../events/index.js';
import { cpuMicros } from '../../metrics/cpu.js';
import { DeliveredKinds } from '../../metrics/delivery.js';
import { TypedText } from '../../metrics/leaks.js';
import type { Employee } from '../../population/index.js';
import { afterExemptionAsks, enrolmentExemption, exemptAtEnd, type ExemptionStatus } from '../../policy/index.js';
import { ActiveMinutes, createLaptopAgent, DRAIN_HORIZON_MS, type LaptopDayOptions, type LaptopDayResult } from '../laptop-day.js';
import type { LaptopTally } from '../shard-tally.js';
import { MeasuredTransport, ObservingTransport } from '../transports.js';
import { PacedClock } from './clock.js';
import type { PacedScheduler } from './scheduler.js';
import type { HeapTimer } from './timer-heap.js';
import { pausesWithin } from './window-pauses.js';

/** Input reaches the agent in slices at least this far apart (virtual ms): a real agent is woken per event, this harness per slice. */
const MIN_FEED_SLICE_MS = 1_000;
/** …and at least this many wall ms apart, so a fast-forwarded run does not feed every laptop on every tick. */
const MIN_FEED_SLICE_WALL_MS = 20;

/** Consecutive laptops' feed phases 0.618 of a slice apart: evenly spread however many there are. */
const GOLDEN_RATIO_FRACTION = 0.6180339887498949;

/**
 * The thread's one writer for composing input, and one buffer for handing it
 * over: days compose one at a time, synchronously, so one set of columns
 * serves every laptop, and each day keeps only the packed stretch it has not
 * captured yet (PackedEventQueue, about 10 bytes an event).
 */
export class ComposeWriter {
  private target: PackedEventQueue | null = null;
  readonly writer = new EventWriter((b) => this.target!.append(b), 4_096);
  private readonly due = new EventBuffer(4_096);
  private handing = false;

  into(target: PackedEventQueue, compose: () => void): void {
    this.target = target;
    try {
      compose();
      this.writer.flush();
    } finally {
      this.target = null;
    }
  }

  /** Hands `use` the queued events up to `untilMs`, if any; the block is valid during the call only. */
  takeUntil(queue: PackedEventQueue, untilMs: number, use: (block: EventBlock) => void): void {
    // Capturing never starts another laptop's capture on this thread; if it ever did, that one gets its own buffer.
    const into = this.handing ? new EventBuffer(64) : this.due;
    const nested = this.handing;
    this.handing = true;
    try {
      if (queue.takeUntil(untilMs, into) > 0) use(into.view());
    } finally {
      this.handing = nested;
    }
  }
}

/** What every paced laptop of a thread shares. */
export interface PacedContext {
  readonly scheduler: PacedScheduler;
  readonly compose: ComposeWriter;
  /**
   * The thread's storage for what grows and shrinks per laptop: each queue of
   * composed input, each agent's open batch (it is the days' `buffers`). One
   * laptop reuses what another outgrew, so none of it is left to the collector.
   */
  readonly bytes: BytePool;
  /** Everything of a laptop-day's options that is the same for the whole fleet. */
  readonly day: Pick<LaptopDayOptions, 'env' | 'agentConfig' | 'faults' | 'onUploadAttempt' | 'onBatchSealed' | 'buffers' | 'onBroken'>;
  readonly days: number;
  /** The laptops are switched on at this true instant (UTC epoch ms); input before it never happens. */
  readonly fromUtcMs: number;
  /** The run stops at this true instant (Infinity: when every day has drained). */
  readonly untilUtcMs: number;
  /** Sees every block an agent captures (per-hour produced counts). */
  readonly tap: (block: EventBlock) => void;
  readonly accepted: (events: EventBlock) => void;
  /** A laptop failed in the background (closing a day, finishing): the shard stops and reports it. */
  readonly fail: (err: unknown) => void;
}

/**
 * One laptop over a paced run: its days one after another (each through its
 * own agent, as in a virtual-time run), begun at local midnight; a day keeps
 * draining its spool while the next one starts. The exemption status carries
 * from day to day as asks are approved.
 */
export class PacedLaptop {
  private exemption: ExemptionStatus;
  /** One batch numbering over the laptop's life, shared by its days' agents. */
  private readonly sequences = sequenceCounter();
  private readonly open = new Set<PacedLaptopDay>();
  private begun = 0;
  private lastDay: number;
  private finished = false;
  private finishing: Promise<void> | null = null;

  constructor(
    private readonly ctx: PacedContext,
    private readonly employee: Employee,
    private readonly transport: MeasuredTransport,
    private readonly tally: LaptopTally,
    private readonly onFinished: () => void,
  ) {
    this.exemption = enrolmentExemption(employee.exemptionRequested, employee.exemptionDraw, ctx.day.env.rules);
    this.lastDay = ctx.days - 1;
  }

  /** Plans the first day at or after the run's start; days that ended before it only carry their exemption asks. */
  start(): void {
    const cal = this.ctx.day.env.calendar;
    const fromMs = this.ctx.fromUtcMs - cal.epochUtcMs;
    let d = 0;
    while (d < this.ctx.days && localDayStartMs(cal, this.employee.timezone, d + 1) <= fromMs) {
      const steps = composeEmployeeDay(this.employee, d, this.ctx.day.env, this.ctx.compose.writer, undefined, Infinity);
      let r = steps.next();
      while (!r.done) r = steps.next();
      this.exemption = afterExemptionAsks(this.exemption, d, r.value.pauses.exemptionAskDraws, this.ctx.day.env.rules);
      d++;
    }
    if (d >= this.ctx.days) return void this.finish().catch(this.ctx.fail);
    this.begin(d, fromMs);
  }

  /** The run is over: every open day ends now (see PacedLaptopDay.end). */
  async stop(): Promise<void> {
    this.lastDay = Math.min(this.lastDay, this.begun - 1);
    await Promise.all([...this.open].map((day) => day.end()));
    // No day open (between one day's drain and the next's midnight): nothing ends the laptop but this.
    await this.finish();
  }

  private begin(d: number, fromMs: number): void {
    this.begun = d + 1;
    // Only the typed text of what was acknowledged is kept (for the leak count), not the events.
    const accepted = new TypedText();
    const transport = new ObservingTransport(this.transport, (events) => {
      accepted.add(events);
      this.ctx.accepted(events);
    });
    const day: PacedLaptopDay = new PacedLaptopDay(
      { ...this.ctx.day, employee: this.employee, day: d, transport, exemption: this.exemption, sequences: this.sequences },
      this.ctx,
      fromMs,
      (planned) => {
        this.exemption = afterExemptionAsks(this.exemption, d, planned.pauses.exemptionAskDraws, this.ctx.day.env.rules);
        const next = d + 1;
        if (next > this.lastDay) return;
        const at = this.ctx.day.env.calendar.epochUtcMs + localDayStartMs(this.ctx.day.env.calendar, this.employee.timezone, next);
        if (at >= this.ctx.untilUtcMs) {
          this.lastDay = d;
          return;
        }
        this.ctx.scheduler.at(
          at,
          () => {
            if (next <= this.lastDay && !this.finished) this.begin(next, -Infinity);
          },
          false,
        );
      },
      (result) => {
        this.open.delete(day);
        this.tally.addDay(result, accepted.text());
        if (this.open.size === 0 && this.begun > this.lastDay) this.finish().catch(this.ctx.fail);
      },
    );
    this.open.add(day);
    day.start();
  }

  private finish(): Promise<void> {
    return (this.finishing ??= this.close());
  }

  private async close(): Promise<void> {
    this.finished = true;
    await this.transport.close();
    this.tally.finish(exemptAtEnd(this.exemption, this.ctx.days), this.transport.statuses);
    this.onFinished();
  }
}

/**
 * One employee-day in a paced run: the same agent set-up as a virtual-time
 * day; what differs is who moves time. The thread's scheduler fires the
 * agent's timers on the wall clock, and input is composed a stretch at a time
 * and captured as the clock passes it — never ahead of it, so batches seal and
 * upload when they would on a laptop.
 */
class PacedLaptopDay {
  private readonly clock: PacedClock;
  private readonly agent: CaptureAgent;
  private readonly steps: Generator<number, EmployeeDay, void>;
  private readonly faultCounts: () => Readonly<Record<string, number>>;
  private readonly epoch: number;
  private readonly sliceMs: number;
  /** Where in each slice this laptop's feeds fall (ms): spread over the slice, so a fleet's feeds do not all fire at once. */
  private readonly slicePhaseMs: number;
  /** Input composed ahead of the clock, not captured yet. */
  private readonly pending: PackedEventQueue;
  private readonly minutes = new ActiveMinutes();
  private readonly kinds: DeliveredKinds;
  private horizon = -Infinity;
  private planned: DayPlanned | null = null;
  private day: EmployeeDay | null = null;
  /** The day's one feed timer, set again after each feed (PacedScheduler.rearm); armed while it waits to fire. */
  private feedTimer: HeapTimer | null = null;
  private feedArmed = false;
  private feedAtMs = 0;
  private cpuUs = 0;
  private ended: Promise<void> | null = null;

  constructor(
    o: LaptopDayOptions,
    private readonly ctx: PacedContext,
    fromMs: number,
    onPlanned: (planned: DayPlanned) => void,
    private readonly onEnd: (result: LaptopDayResult) => void,
  ) {
    this.epoch = o.env.calendar.epochUtcMs;
    this.pending = new PackedEventQueue(undefined, ctx.bytes);
    this.kinds = new DeliveredKinds(o.agentConfig);
    this.sliceMs = Math.max(MIN_FEED_SLICE_MS, MIN_FEED_SLICE_WALL_MS * ctx.scheduler.speed);
    this.slicePhaseMs = ((o.employee.index * GOLDEN_RATIO_FRACTION) % 1) * this.sliceMs;
    const setup = createLaptopAgent(
      o,
      (skewMs) =>
        new PacedClock(
          ctx.scheduler,
          skewMs,
          (fn) => this.timed(fn),
          (due) => this.captureDue(due),
        ),
    );
    this.clock = setup.clock;
    this.agent = setup.agent;
    this.faultCounts = setup.faultCounts;
    this.steps = composeEmployeeDay(
      o.employee,
      o.day,
      o.env,
      ctx.compose.writer,
      (planned) => {
        this.planned = planned;
        setup.onPlanned(planned);
        onPlanned(planned);
      },
      fromMs,
    );
  }

  start(): void {
    this.feed(this.ctx.scheduler.now());
  }

  /**
   * Ends the day now: input the clock has passed is captured, the open batch
   * sealed and sent unless the uploader is waiting out a backoff (as at the
   * end of a virtual-time day), and what is left stays spooled.
   */
  end(): Promise<void> {
    return (this.ended ??= this.close());
  }

  private timed(fn: () => void): void {
    const c0 = cpuMicros();
    fn();
    this.cpuUs += cpuMicros() - c0;
  }

  /** Composes until the input horizon passes `untilMs` (event time) or the day is written. */
  private composeTo(untilMs: number): void {
    if (this.day !== null || this.horizon > untilMs) return;
    this.ctx.compose.into(this.pending, () => {
      while (this.day === null && this.horizon <= untilMs) {
        const step = this.steps.next();
        if (step.done) this.day = step.value;
        else this.horizon = step.value;
      }
    });
  }

  /**
   * Hands the agent every composed event up to `atUtcMs`: the due instant of
   * the timer being fired, so what the agent sees does not depend on how late
   * the machine fired it.
   */
  private captureDue(atUtcMs: number): void {
    if (this.ended) return;
    const nowMs = Math.min(atUtcMs, this.ctx.untilUtcMs) - this.epoch;
    this.composeTo(nowMs);
    this.ctx.compose.takeUntil(this.pending, nowMs, (block) => this.capture(block));
  }

  /** Captures what is due, then plans the next feed, or the day's end once all input is in. */
  private feed(atUtcMs: number): void {
    this.feedArmed = false;
    this.captureDue(atUtcMs);
    const nowMs = Math.min(atUtcMs, this.ctx.untilUtcMs) - this.epoch;
    const head = this.pending.peekTimeMs();
    if (head === undefined && this.day !== null) {
      const plan = this.day.plan;
      const horizon = this.epoch + Math.max(plan.leaveMs, plan.dayStartMs) + DRAIN_HORIZON_MS;
      this.ctx.scheduler.at(Math.min(horizon, this.ctx.untilUtcMs), () => void this.end().catch(this.ctx.fail), false);
      return;
    }
    const next = head ?? this.horizon;
    const at = this.epoch + Math.max(next, this.sliceBoundaryAfter(nowMs + this.sliceMs));
    // Measured: most batches seal while input is being fed (a full or aged batch), so a late feed is a late upload.
    this.feedAtMs = at;
    if (this.feedTimer === null) this.feedTimer = this.ctx.scheduler.at(at, () => this.feed(this.feedAtMs));
    else this.ctx.scheduler.rearm(this.feedTimer, at);
    this.feedArmed = true;
  }

  /** The first of this laptop's slice boundaries at or after `ms`. */
  private sliceBoundaryAfter(ms: number): number {
    return Math.ceil((ms - this.slicePhaseMs) / this.sliceMs) * this.sliceMs + this.slicePhaseMs;
  }

  private capture(block: EventBlock): void {
    this.ctx.tap(block);
    this.minutes.add(block);
    this.kinds.add(block);
    this.timed(() => this.agent.capture(block));
  }

  /**
   * The part of a working day (event time) the run simulated: a window of 20 minutes holds at most 20 minutes of
   * work, and the agent's CPU in it is per those hours (battery.cpu_s_per_hour), not per the whole day's plan.
   */
  private workMsInRun(arriveMs: number, leaveMs: number): number {
    const from = Math.max(arriveMs, this.ctx.fromUtcMs - this.epoch);
    const to = Math.min(leaveMs, this.ctx.untilUtcMs - this.epoch);
    return Math.max(0, to - from);
  }

  private async close(): Promise<void> {
    this.captureDue(this.ctx.scheduler.now());
    this.pending.release();
    if (this.feedTimer !== null && this.feedArmed) this.ctx.scheduler.cancel(this.feedTimer);
    this.clock.clearAll();
    const c0 = cpuMicros();
    await this.agent.finish();
    await this.agent.close();
    this.cpuUs += cpuMicros() - c0;
    // A day the run's end cut short: its plan, the secrets typed so far; its pauses as far as the run simulated them.
    const planned = this.planned!;
    const whole = this.day ?? { plan: planned.plan, pauses: planned.pauses, canaries: [...planned.canaries] };
    const day = { ...whole, pauses: pausesWithin(whole.pauses, this.ctx.fromUtcMs - this.epoch, this.ctx.untilUtcMs - this.epoch) };
    this.onEnd({
      agent: this.agent,
      day,
      produced: this.agent.ledger.produced,
      activeMinutes: this.minutes.count,
      workHours: day.plan.working ? this.workMsInRun(day.plan.arriveMs, day.plan.leaveMs) / 3_600_000 : 0,
      agentCpuSeconds: this.cpuUs / 1e6,
      injected: this.faultCounts(),
      deliveredByKind: this.kinds.delivered(),
      deliveryReads: this.kinds.reads,
      deliveryReadIntervalMs: this.kinds.readIntervalMs,
    });
  }
}
