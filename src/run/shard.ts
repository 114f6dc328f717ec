import { sequenceCounter, type AgentConfig } from '../agent/index.js';
import type { FleetSlice } from '../generate/shard.js';
import { TypedText } from '../metrics/leaks.js';
import { cpuMicros } from '../metrics/cpu.js';
import type { EnergyModel } from '../metrics/energy.js';
import { createEmployee } from '../population/index.js';
import { afterExemptionAsks, enrolmentExemption, exemptAtEnd } from '../policy/index.js';
import type { Fault } from '../scenario/index.js';
import { runLaptopDay } from './laptop-day.js';
import { MeasuredTransport, ObservingTransport, createTransport, deviceIdFor, type RunTransportSpec } from './transports.js';
import { ShardTally, type RunShardResult } from './shard-tally.js';
import { dayEnvironment } from '../behaviour/index.js';

export type { HourCounts, LaptopRow, RunShardResult } from './shard-tally.js';

/** A slice of the fleet through the agent, for one worker. */
export interface RunShardTask extends FleetSlice {
  readonly agent: AgentConfig;
  readonly energy: EnergyModel;
  readonly transport: RunTransportSpec;
  readonly faults: readonly Fault[];
}

/** Runs employees [from, to) for every day through the real agent; deterministic in (seed, index). */
export async function runShard(task: RunShardTask): Promise<RunShardResult> {
  const c0 = cpuMicros();
  const env = dayEnvironment(task);
  const tally = new ShardTally(task.calendar.epochUtcMs, task.energy);
  for (let i = task.from; i < task.to; i++) {
    const employee = createEmployee(task.seed, i, task.population);
    const inner = new MeasuredTransport(
      createTransport(task.transport, deviceIdFor(task.transport, employee.id)),
      task.transport.kind === 'http' ? tally.latency : null,
    );
    const laptop = tally.laptop(employee);
    let exemption = enrolmentExemption(employee.exemptionRequested, employee.exemptionDraw, task.rules);
    const sequences = sequenceCounter();
    for (let d = 0; d < task.days; d++) {
      const accepted = new TypedText();
      const transport = new ObservingTransport(inner, (events) => {
        accepted.add(events);
        tally.accepted(events);
      });
      const r = await runLaptopDay({
        employee,
        day: d,
        env,
        agentConfig: task.agent,
        transport,
        faults: task.faults,
        onUploadAttempt: tally.uploadAttempt,
        onBatchSealed: tally.batchSealed,
        exemption,
        sequences,
        tap: tally.produced,
        ...(task.transport.kind === 'http' && task.transport.devicePrefix ? { devicePrefix: task.transport.devicePrefix } : {}),
      });
      exemption = afterExemptionAsks(exemption, d, r.day.pauses.exemptionAskDraws, task.rules);
      laptop.addDay(r, accepted.text());
    }
    await inner.close();
    laptop.finish(exemptAtEnd(exemption, task.days), inner.statuses);
  }
  return tally.result(task.from, task.to, (cpuMicros() - c0) / 1000);
}
