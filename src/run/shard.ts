import type { AgentConfig } from '../agent/index.js';
import type { FleetSlice } from '../generate/shard.js';
import type { EventBlock } from '../events/index.js';
import { cpuMicros } from '../metrics/cpu.js';
import { estimateEnergy, type EnergyModel } from '../metrics/energy.js';
import { countLeakedCanaries, isScannableCanary, rebuildTypedText } from '../metrics/leaks.js';
import { addLedgers, emptyLedger, type Ledger } from '../metrics/ledger.js';
import { createEmployee } from '../population/index.js';
import { afterExemptionAsks, enrolmentExemption, exemptAtEnd } from '../policy/index.js';
import type { Fault } from '../scenario/index.js';
import { runLaptopDay } from './laptop-day.js';
import { MeasuredTransport, ObservingTransport, createTransport, type RunTransportSpec } from './transports.js';
import { createLatencyHistogram, encodeLatency } from '../metrics/latency.js';

/** A slice of the fleet through the agent, for one worker. */
export interface RunShardTask extends FleetSlice {
  readonly agent: AgentConfig;
  readonly energy: EnergyModel;
  readonly transport: RunTransportSpec;
  readonly faults: readonly Fault[];
}

/** One laptop over the whole run: a row of laptops.csv. */
export interface LaptopRow {
  readonly employee_id: string;
  readonly department: string;
  readonly role: string;
  readonly office: string;
  readonly exempt: boolean;
  readonly days_worked: number;
  readonly produced: number;
  readonly stored: number;
  readonly redacted: number;
  readonly dropped_paused: number;
  readonly dropped_exempt: number;
  readonly coalesced: number;
  readonly spooled: number;
  readonly lost: number;
  readonly batches: number;
  readonly uploads: number;
  readonly radio_bytes: number;
  readonly wakeups: number;
  readonly agent_cpu_seconds: number;
  readonly active_minutes: number;
  readonly work_hours: number;
  readonly pauses: number;
  readonly paused_minutes: number;
  /** Planted secrets long enough to search for in stored data (see MIN_SCANNABLE_CANARY_CHARS). */
  readonly canaries_planted: number;
  readonly canaries_leaked: number;
  readonly battery_pct_per_day: number;
}

/** Per virtual hour since the run's epoch: what was produced and what reached the store. */
export interface HourCounts {
  produced: number;
  accepted: number;
}

export interface RunShardResult {
  readonly from: number;
  readonly to: number;
  readonly laptops: readonly LaptopRow[];
  readonly ledger: Ledger;
  /** Sparse: hour index → counts. */
  readonly hours: Readonly<Record<number, HourCounts>>;
  readonly cpuMs: number;
  /** Upload latency (µs), HDR-encoded: merged across shards. */
  readonly latency: string;
  /** Upload answers by HTTP status (or network-error). */
  readonly statuses: Readonly<Record<string, number>>;
  /** Secrets planted per employee (long enough to scan for), for scanning the ingest store after the run. */
  readonly canaries: Readonly<Record<string, readonly string[]>>;
  /** Upload attempts per true UTC minute since the epoch (sparse): the fleet's arrival pattern. */
  readonly attemptsByMinute: Readonly<Record<number, number>>;
  /** Requests altered by the scenario's faults, by kind. */
  readonly injected: Readonly<Record<string, number>>;
}

const HOUR_MS = 3_600_000;

/** Runs employees [from, to) for every day through the real agent; deterministic in (seed, index). */
export async function runShard(task: RunShardTask): Promise<RunShardResult> {
  const c0 = cpuMicros();
  const env = { seed: task.seed, calendar: task.calendar, behaviour: task.behaviour, pauseTraits: task.population.pause, rules: task.rules };
  const epoch = task.calendar.epochUtcMs;
  const hours: Record<number, HourCounts> = {};
  const hour = (h: number): HourCounts => (hours[h] ??= { produced: 0, accepted: 0 });
  const laptops: LaptopRow[] = [];
  let ledger = emptyLedger();
  const latency = createLatencyHistogram();
  const statuses: Record<string, number> = {};
  const canaries: Record<string, string[]> = {};
  const attemptsByMinute: Record<number, number> = {};
  const injected: Record<string, number> = {};
  const onUploadAttempt = (utcMs: number) => {
    const m = Math.floor((utcMs - epoch) / 60_000);
    attemptsByMinute[m] = (attemptsByMinute[m] ?? 0) + 1;
  };
  for (let i = task.from; i < task.to; i++) {
    const employee = createEmployee(task.seed, i, task.population);
    const inner = new MeasuredTransport(createTransport(task.transport, employee.id), task.transport.kind === 'http' ? latency : null);
    const planted: string[] = (canaries[employee.id] = []);
    let exemption = enrolmentExemption(employee.exemptionRequested, employee.exemptionDraw, task.rules);
    let row = emptyRow(employee.id, employee.department, employee.role, employee.office, false);
    let energyPct = 0;
    for (let d = 0; d < task.days; d++) {
      const accepted: EventBlock[] = [];
      const transport = new ObservingTransport(inner, (events) => {
        accepted.push(events);
        for (let k = 0; k < events.length; k++) hour(Math.floor(((events.t_ms[k] as number) - epoch) / HOUR_MS)).accepted++;
      });
      const r = await runLaptopDay({
        employee,
        day: d,
        env,
        agentConfig: task.agent,
        transport,
        faults: task.faults,
        onUploadAttempt,
        exemption,
        tap: (b) => {
          for (let k = 0; k < b.length; k++) hour(Math.floor((b.t_ms[k] as number) / HOUR_MS)).produced++;
        },
      });
      for (const [k, v] of Object.entries(r.injected)) injected[k] = (injected[k] ?? 0) + v;
      exemption = afterExemptionAsks(exemption, d, r.day.pauses.exemptionAskDraws, task.rules);
      const l = r.agent.ledger;
      const c = r.agent.costs;
      ledger = addLedgers(ledger, l);
      const leaked = countLeakedCanaries(rebuildTypedText(accepted), r.day.canaries);
      planted.push(...r.day.canaries.filter(isScannableCanary));
      energyPct += estimateEnergy({ cpuSeconds: r.agentCpuSeconds, wakeups: c.wakeups, radioBytes: c.radioBytes, transmissions: c.uploads }, task.energy).batteryPct;
      row = {
        ...row,
        days_worked: row.days_worked + (r.day.plan.working ? 1 : 0),
        produced: row.produced + l.produced,
        stored: row.stored + l.stored,
        redacted: row.redacted + l.redacted,
        dropped_paused: row.dropped_paused + l.dropped_paused,
        dropped_exempt: row.dropped_exempt + l.dropped_exempt,
        coalesced: row.coalesced + l.coalesced,
        spooled: row.spooled + l.spooled,
        lost: row.lost + l.lost,
        batches: row.batches + c.batches,
        uploads: row.uploads + c.uploads,
        radio_bytes: row.radio_bytes + c.radioBytes,
        wakeups: row.wakeups + c.wakeups,
        agent_cpu_seconds: row.agent_cpu_seconds + r.agentCpuSeconds,
        active_minutes: row.active_minutes + r.activeMinutes,
        work_hours: row.work_hours + r.workHours,
        pauses: row.pauses + r.day.pauses.windows.length,
        paused_minutes: row.paused_minutes + r.day.pauses.grantedMinutes,
        canaries_planted: row.canaries_planted + r.day.canaries.filter(isScannableCanary).length,
        canaries_leaked: row.canaries_leaked + leaked,
      };
    }
    laptops.push({ ...row, exempt: exemptAtEnd(exemption, task.days), battery_pct_per_day: row.days_worked > 0 ? energyPct / row.days_worked : 0 });
    await inner.close();
    for (const [k, v] of Object.entries(inner.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  return { from: task.from, to: task.to, laptops, ledger, hours, cpuMs: (cpuMicros() - c0) / 1000, latency: encodeLatency(latency), statuses, canaries, attemptsByMinute, injected };
}

function emptyRow(employee_id: string, department: string, role: string, office: string, exempt: boolean): LaptopRow {
  return {
    employee_id, department, role, office, exempt,
    days_worked: 0, produced: 0, stored: 0, redacted: 0, dropped_paused: 0, dropped_exempt: 0, coalesced: 0, spooled: 0, lost: 0,
    batches: 0, uploads: 0, radio_bytes: 0, wakeups: 0, agent_cpu_seconds: 0, active_minutes: 0, work_hours: 0, pauses: 0,
    paused_minutes: 0, canaries_planted: 0, canaries_leaked: 0, battery_pct_per_day: 0,
  };
}
