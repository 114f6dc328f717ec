import {
  CaptureAgent,
  ManualClock,
  type AgentClock,
  type AgentConfig,
  type SequenceCounter,
  type Transport,
  type UploadOutcome,
  type UploadRequest,
} from '../agent/index.js';
import type { Fault } from '../scenario/index.js';
import { FaultInjectingTransport, clockSkewMs } from './faults.js';
import { simulateEmployeeDay, type DayEnvironment, type EmployeeDay, type PauseDay, type WorkdayPlan } from '../behaviour/index.js';
import { EventWriter, copyBlock, sliceBlock, type ByteSource, type EventBlock } from '../events/index.js';
import { cpuMicros } from '../metrics/cpu.js';
import { type Employee } from '../population/index.js';
import { utcOffsetMinutes } from '../time/index.js';
import { DeliveredKinds, type EventsByKind } from '../metrics/delivery.js';
import { enrolmentExemption, exemptionOnDay, type ExemptionStatus } from '../policy/index.js';
import { deriveStream } from '../random/index.js';
import { employeeStream } from '../population/index.js';

export interface LaptopDayResult {
  readonly agent: CaptureAgent;
  readonly day: EmployeeDay;
  /** Input events the employee produced. */
  readonly produced: number;
  /** Minutes with input (virtual clock minutes). */
  readonly activeMinutes: number;
  /** Hours from arrival to leaving (0 on a day off). */
  readonly workHours: number;
  /** CPU time spent inside the agent (capture, timers, encode, compress, upload bookkeeping). */
  readonly agentCpuSeconds: number;
  /** Requests the scenario's faults intercepted or altered, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  /** Events the OS delivered to the agent, by kind, after the source's move cap (the energy model's delivery term). */
  readonly deliveredByKind: EventsByKind;
  /** The agent's reads of that input (agent.inputReadIntervalMs; src/metrics/delivery.ts ReadTally). */
  readonly deliveryReads: number;
  /** The agent's read interval (agent.inputReadIntervalMs; 0: a read per event), which prices a read. */
  readonly deliveryReadIntervalMs: number;
}

export interface LaptopDayOptions {
  readonly employee: Employee;
  readonly day: number;
  readonly env: DayEnvironment;
  readonly agentConfig: AgentConfig;
  readonly transport: Transport;
  /** Sees every block before the agent does (benchmarks build baselines from it). */
  readonly tap?: (block: EventBlock) => void;
  /** Network and clock faults of the scenario, in ms after 00:00 UTC of the start date. */
  readonly faults?: readonly Fault[];
  /** Called with the true time (UTC epoch ms) of every upload attempt: the fleet's arrival pattern. */
  readonly onUploadAttempt?: (utcMs: number) => void;
  /** Each batch the agent seals, at its true time (UTC epoch ms): the rate the fleet produces uploads at. */
  readonly onBatchSealed?: (utcMs: number) => void;
  /** The employee's exemption over the run (src/policy/exemption.ts); absent: as at enrolment. */
  readonly exemption?: ExemptionStatus;
  /** The laptop's batch numbering, shared by its days (each day is its own agent); absent: from 0. */
  readonly sequences?: SequenceCounter;
  /** Where the agent's open batch gets its storage (AgentContext.buffers); absent: fresh storage. */
  readonly buffers?: ByteSource;
  /** Put before the employee id to make the device id (runs sharing a long-running service); absent: none. */
  readonly devicePrefix?: string;
  /**
   * The agent's uploader stopped at an exception that is not the network (a
   * user's adapter threw, or fleetsim's code): the run should stop with it. A
   * virtual-time day also rejects with it at once; a paced one needs this.
   */
  readonly onBroken?: (err: unknown) => void;
}

/** A laptop's agent for one day, set up the same way however time is driven. */
export interface LaptopAgent<C extends AgentClock> {
  readonly agent: CaptureAgent;
  readonly clock: C;
  /** The laptop clock's offset from true time (clock-skew fault). */
  readonly skewMs: number;
  /** Hands the day's plan to the agent: pause requests, and an exemption that starts today. */
  readonly onPlanned: (planned: { readonly plan: WorkdayPlan; readonly pauses: PauseDay }) => void;
  /** Requests the scenario's faults intercepted or altered, by kind. */
  readonly faultCounts: () => Readonly<Record<string, number>>;
}

/**
 * The agent of one employee-day: the laptop's (possibly skewed) clock from
 * `makeClock`, the transport wrapped in the scenario's faults, the
 * exemption as it stands today. Deterministic in (seed, employee, day).
 */
export function createLaptopAgent<C extends AgentClock>(o: LaptopDayOptions, makeClock: (skewMs: number) => C): LaptopAgent<C> {
  const epoch = o.env.calendar.epochUtcMs;
  const faults = o.faults ?? [];
  const faultRng = deriveStream(employeeStream(o.env.seed, o.employee.index, 'faults'), o.day);
  // A skewed laptop clock shifts everything the agent stamps; the network's faults happen in true time.
  const skew = clockSkewMs(faults, faultRng);
  const clock = makeClock(skew);
  const trueNow = () => clock.now() - skew;
  let transport = o.transport;
  let faulty: FaultInjectingTransport | null = null;
  if (faults.length > 0)
    transport = faulty = new FaultInjectingTransport(transport, faults, trueNow, o.env.calendar.startDateUtcMs, faultRng);
  if (o.onUploadAttempt) transport = new AttemptTimeline(transport, trueNow, o.onUploadAttempt);
  const agent = new CaptureAgent(
    {
      clock,
      transport,
      rng: deriveStream(employeeStream(o.env.seed, o.employee.index, 'agent'), o.day),
      deviceId: `${o.devicePrefix ?? ''}${o.employee.id}`,
      rules: o.env.rules,
      inputTimeOffsetMs: epoch + skew,
      utcOffsetMinutes: (utcMs) => utcOffsetMinutes(o.employee.timezone, utcMs),
      ...(o.sequences ? { sequences: o.sequences } : {}),
      ...(o.buffers ? { buffers: o.buffers } : {}),
      ...(o.onBroken ? { onBroken: o.onBroken } : {}),
      ...(o.onBatchSealed ? { onSealed: (clockMs: number) => o.onBatchSealed!(clockMs - skew) } : {}),
    },
    o.agentConfig,
  );
  const exemption = exemptionOnDay(
    o.exemption ?? enrolmentExemption(o.employee.exemptionRequested, o.employee.exemptionDraw, o.env.rules),
    o.day,
  );
  if (exemption.kind === 'exempt') agent.setExempt();
  const onPlanned = ({ plan, pauses }: { readonly plan: WorkdayPlan; readonly pauses: PauseDay }) => {
    // An approved ask takes effect at the start of the local day; the agent tells the service.
    if (exemption.kind === 'starts') agent.exemptFrom(plan.dayStartMs + epoch + skew);
    for (const w of pauses.windows) agent.requestPause(w.startMs + epoch + skew, w.endMs - w.startMs, plan.dayStartMs + epoch + skew);
  };
  return { agent, clock, skewMs: skew, onPlanned, faultCounts: () => faulty?.injected ?? {} };
}

/**
 * One employee's day through the real capture agent on a virtual clock:
 * behaviour writes events, the agent captures them, timers fire in virtual
 * time, uploads go to the transport. CPU is measured around agent code only.
 */
export async function runLaptopDay(o: LaptopDayOptions): Promise<LaptopDayResult> {
  const epoch = o.env.calendar.epochUtcMs;
  const { agent, clock, skewMs: skew, onPlanned, faultCounts } = createLaptopAgent(o, (skewMs) => new ManualClock(epoch + skewMs));
  // The day's input first (behaviour is not what is measured), then the agent over it in
  // virtual time, in time order: input, timers and the answers to the uploads they start.
  const blocks: EventBlock[] = [];
  const minutes = new ActiveMinutes();
  const kinds = new DeliveredKinds(o.agentConfig);
  const writer = new EventWriter((block) => {
    o.tap?.(block);
    minutes.add(block);
    kinds.add(block);
    blocks.push(copyBlock(block));
  });
  const day = simulateEmployeeDay(o.employee, o.day, o.env, writer, onPlanned);
  writer.flush();

  let cpu = 0;
  const timed = (f: () => void) => {
    const c0 = cpuMicros();
    f();
    cpu += cpuMicros() - c0;
  };
  // Time moves one timer at a time, and an upload a timer starts is answered before time moves
  // on: a failed upload schedules its retry from when it failed, not from whenever the clock
  // next jumps (the employee's next input, hours later on an idle afternoon).
  const runTimersTo = async (atMs: number) => {
    for (let next = clock.nextTimerMs(); next <= atMs; next = clock.nextTimerMs()) {
      timed(() => clock.advanceTo(next));
      await agent.settled();
    }
  };
  const offset = epoch + skew;
  const batchMaxAgeMs = o.agentConfig.batchMaxAgeMs;
  for (const block of blocks) {
    // A block spans minutes to hours of input: it goes to the agent in stretches that end at its
    // next timer, so a retry due while the employee types fires on time and between the events
    // on either side of it.
    for (let from = 0; from < block.length;) {
      const startMs = inputClockMs(block, from, offset);
      await runTimersTo(startMs);
      // Within one batch age of the start as well: a batch opened in this stretch is sealed by its
      // timer, at its deadline, rather than by a later event while the clock still shows the start.
      // (One sealed for size, agent.batchMaxEvents, still leaves at the stretch's start: rare.)
      const endMs = Math.min(clock.nextTimerMs(), startMs + batchMaxAgeMs);
      const to = firstInputAtOrAfter(block, from + 1, endMs, offset);
      const part = from === 0 && to === block.length ? block : sliceBlock(block, from, to);
      timed(() => {
        clock.advanceTo(startMs);
        agent.capture(part);
      });
      await agent.settled();
      from = to;
    }
  }
  // Let the day run out: batch timers fire, retries happen until the horizon.
  const horizon = epoch + skew + Math.max(day.plan.leaveMs, day.plan.dayStartMs) + DRAIN_HORIZON_MS;
  await runTimersTo(horizon);
  timed(() => clock.advanceTo(horizon));
  const c1 = cpuMicros();
  await agent.finish();
  await agent.close();
  cpu += cpuMicros() - c1;
  return {
    agent,
    day,
    produced: writer.total,
    activeMinutes: minutes.count,
    workHours: day.plan.working ? (day.plan.leaveMs - day.plan.arriveMs) / 3_600_000 : 0,
    agentCpuSeconds: cpu / 1e6,
    injected: faultCounts(),
    deliveredByKind: kinds.delivered(),
    deliveryReads: kinds.reads,
    deliveryReadIntervalMs: o.agentConfig.inputReadIntervalMs,
  };
}

/** An input event's time on the agent's clock, as CaptureAgent.capture takes it: whole milliseconds. */
function inputClockMs(block: EventBlock, i: number, offsetMs: number): number {
  return Math.round((block.t_ms[i] as number) + offsetMs);
}

/** The first event at or after `from` whose clock time is not before `atMs` (block.length: none); events are in time order. */
function firstInputAtOrAfter(block: EventBlock, from: number, atMs: number, offsetMs: number): number {
  let lo = from;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inputClockMs(block, mid, offsetMs) < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Minutes with input (virtual clock minutes), counted over blocks in time order. */
export class ActiveMinutes {
  count = 0;
  private last = -1;
  add(block: EventBlock): void {
    for (let i = 0; i < block.length; i++) {
      const m = Math.floor((block.t_ms[i] as number) / 60_000);
      if (m !== this.last) {
        this.count++;
        this.last = m;
      }
    }
  }
}

/** Reports the true time of every upload attempt, then passes it on. */
class AttemptTimeline implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly now: () => number,
    private readonly onAttempt: (utcMs: number) => void,
  ) {}
  send(req: UploadRequest): Promise<UploadOutcome> {
    this.onAttempt(this.now());
    return this.inner.send(req);
  }
}

/** How long after leaving the laptop keeps trying to upload (it stays on and online overnight). */
export const DRAIN_HORIZON_MS = 12 * 3_600_000;
