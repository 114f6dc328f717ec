/**
 * The virtual-time model of a process run's window: the same laptop's same
 * events through CaptureAgent in this process, on a manual clock, as a
 * virtual-time run would hand them (in blocks, a second of input at a time),
 * plus the energy model's input-delivery term. What the model says the
 * window costs, to set beside what the observer measured.
 */
import { CaptureAgent, ManualClock, type Transport, type UploadOutcome, type UploadRequest } from '../../agent/index.js';
import { MoveCapTally, sliceBlock } from '../../events/index.js';
import { cpuMicros } from '../../metrics/cpu.js';
import { ReadTally, deliveryCost } from '../../metrics/delivery.js';
import { estimateEnergy, type EnergyModel } from '../../metrics/energy.js';
import { utcOffsetMinutes } from '../../time/index.js';
import { createStream } from '../../random/index.js';
import type { Scenario } from '../../scenario/index.js';
import type { WindowInput } from './laptop-input.js';

export interface WindowModel {
  readonly cpuSeconds: number;
  /** The agent's own CPU, without the delivery term. */
  readonly agentCpuSeconds: number;
  readonly wakeups: number;
  /** The agent's reads of its input the delivery term counted (agent.inputReadIntervalMs). */
  readonly deliveryReads: number;
  readonly radioBytes: number;
  readonly uploads: number;
  /** Battery % per working day, scaled from the window as process runs scale it. */
  readonly batteryPctPerDay: number;
}

/** Acknowledges every upload at once: the model counts the agent's bytes, not a service's. */
class Ack implements Transport {
  async send(_req: UploadRequest): Promise<UploadOutcome> {
    return { kind: 'response', status: 200, requestBytes: 0 };
  }
}

/** How much input a virtual-time run hands the agent at once (paced runs: MIN_FEED_SLICE_MS). */
const SLICE_MS = 1_000;

export async function modelWindow(
  s: Scenario,
  input: WindowInput,
  fromUtcMs: number,
  untilUtcMs: number,
  energy: EnergyModel,
): Promise<WindowModel> {
  const clock = new ManualClock(fromUtcMs);
  const tz = input.employee.timezone;
  const agent = new CaptureAgent(
    {
      clock,
      transport: new Ack(),
      rng: createStream(s.seed, 'model', input.employee.id),
      deviceId: input.employee.id,
      rules: s.rules,
      inputTimeOffsetMs: 0,
      utcOffsetMinutes: (utcMs) => utcOffsetMinutes(tz, utcMs),
    },
    s.agent,
  );
  for (const a of input.ui) {
    if (a.kind === 'pause') agent.requestPause(a.atMs, a.wantedMs, a.dayStartMs);
    else agent.exemptFrom(a.atMs);
  }
  const ev = input.events;
  let cpuUs = 0;
  const timed = (f: () => void) => {
    const c0 = cpuMicros();
    f();
    cpuUs += cpuMicros() - c0;
  };
  let i = 0;
  for (let t = fromUtcMs; t < untilUtcMs; t += SLICE_MS) {
    let j = i;
    while (j < ev.length && (ev.t_ms[j] as number) < t + SLICE_MS) j++;
    const part = sliceBlock(ev, i, j);
    i = j;
    timed(() => {
      if (part.length > 0) {
        clock.advanceTo(part.t_ms[0] as number);
        agent.capture(part);
      }
      clock.advanceTo(Math.min(t + SLICE_MS, untilUtcMs));
    });
    await agent.settled();
  }
  const c0 = cpuMicros();
  await agent.finish();
  await agent.close();
  cpuUs += cpuMicros() - c0;
  // The OS delivers only the moves that survive the source's cap (agent.sourceMoveRateHz); the agent above saw all of them.
  const removed = new MoveCapTally(s.agent.sourceMoveRateHz).add(ev).removed;
  const reads = new ReadTally(s.agent.inputReadIntervalMs, s.agent.sourceMoveRateHz).add(ev).reads;
  const d = deliveryCost({ ...input.byKind, move: input.byKind.move - removed }, reads, energy, s.agent.inputReadIntervalMs);
  const c = agent.costs;
  const hours = (untilUtcMs - fromUtcMs) / 3_600_000;
  const perDay = input.workHours > 0 ? input.workHours / hours : 0;
  const cpuSeconds = cpuUs / 1e6 + d.cpuSeconds;
  const wakeups = c.wakeups + d.wakeups;
  const battery = estimateEnergy(
    { cpuSeconds: cpuSeconds * perDay, wakeups: wakeups * perDay, radioBytes: c.radioBytes * perDay, transmissions: c.uploads * perDay },
    energy,
  );
  return {
    cpuSeconds,
    agentCpuSeconds: cpuUs / 1e6,
    wakeups,
    deliveryReads: reads,
    radioBytes: c.radioBytes,
    uploads: c.uploads,
    batteryPctPerDay: battery.batteryPct,
  };
}
