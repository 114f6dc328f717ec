import type { EventBlock } from '../events/index.js';
import { deliveryCost } from '../metrics/delivery.js';
import { estimateEnergy, type EnergyModel } from '../metrics/energy.js';
import { createFreshnessHistogram, encodeFreshness, freshnessFigures, type FreshnessHistogram } from '../metrics/freshness.js';
import { createLatencyHistogram, encodeLatency, type LatencyHistogram } from '../metrics/latency.js';
import { countLeakedCanaries, isScannableCanary } from '../metrics/leaks.js';
import { addLedgers, emptyLedger, type Ledger } from '../metrics/ledger.js';
import type { Employee } from '../population/index.js';
import type { LaptopDayResult } from './laptop-day.js';

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
  /** Wake-ups: the agent's own (timers, uploads) plus input delivery. */
  readonly wakeups: number;
  /** Agent CPU seconds: the agent's own work plus input delivery. */
  readonly agent_cpu_seconds: number;
  /** The input-delivery part of agent_cpu_seconds and wakeups (the energy model's delivery term; measured directly in process runs, where it is 0 here). */
  readonly delivery_cpu_seconds: number;
  readonly delivery_wakeups: number;
  /** The agent's reads of its input the delivery term counted (modelled; in process runs, what the agent reported, else 0). */
  readonly delivery_reads: number;
  readonly active_minutes: number;
  readonly work_hours: number;
  readonly pauses: number;
  readonly paused_minutes: number;
  /** Planted secrets long enough to search for in stored data (see MIN_SCANNABLE_CANARY_CHARS). */
  readonly canaries_planted: number;
  readonly canaries_leaked: number;
  readonly battery_pct_per_day: number;
  /**
   * Per acknowledged event of this laptop: seconds from its input to the
   * acknowledgement of its batch (percentiles of the laptop's histogram;
   * empty when nothing was acknowledged).
   */
  readonly freshness_p50_s: number | null;
  readonly freshness_p95_s: number | null;
  readonly freshness_max_s: number | null;
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
  /** Batches sealed per true UTC minute since the epoch (sparse): the rate the fleet produces uploads at, outage or not. */
  readonly sealedByMinute: Readonly<Record<number, number>>;
  /** Requests altered by the scenario's faults, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  /** Freshness of every acknowledged event of the shard (ms, HDR, encoded): merged across shards. */
  readonly freshness: string;
  /** Paced runs only: how late agent timers fired against the wall clock (µs, HDR-encoded). */
  readonly scheduleLag?: string;
}

const HOUR_MS = 3_600_000;

/**
 * What a shard adds up while its laptops run, however they are driven
 * (one after another in virtual time, or side by side on a paced clock):
 * the per-hour counts, the upload latency and statuses, each laptop's row.
 */
export class ShardTally {
  readonly latency: LatencyHistogram = createLatencyHistogram();
  readonly freshness: FreshnessHistogram = createFreshnessHistogram();
  private readonly hours: Record<number, HourCounts> = {};
  private readonly laptops: { readonly index: number; readonly row: LaptopRow }[] = [];
  private ledger: Ledger = emptyLedger();
  private readonly statuses: Record<string, number> = {};
  private readonly canaries: Record<string, string[]> = {};
  private readonly attemptsByMinute: Record<number, number> = {};
  private readonly sealedByMinute: Record<number, number> = {};
  private readonly injected: Record<string, number> = {};

  constructor(
    private readonly epochUtcMs: number,
    private readonly energy: EnergyModel,
  ) {}

  private hour(h: number): HourCounts {
    return (this.hours[h] ??= { produced: 0, accepted: 0 });
  }

  /** Input events the agent was given (event times are ms since the epoch). */
  readonly produced = (b: EventBlock): void => {
    for (let k = 0; k < b.length; k++) this.hour(Math.floor((b.t_ms[k] as number) / HOUR_MS)).produced++;
  };

  /** Events the service acknowledged (times are UTC epoch ms, as on the wire). */
  accepted(events: EventBlock): void {
    for (let k = 0; k < events.length; k++) this.hour(Math.floor(((events.t_ms[k] as number) - this.epochUtcMs) / HOUR_MS)).accepted++;
  }

  /** The true time of an upload attempt: the fleet's arrival pattern. */
  readonly uploadAttempt = (utcMs: number): void => {
    const m = Math.floor((utcMs - this.epochUtcMs) / 60_000);
    this.attemptsByMinute[m] = (this.attemptsByMinute[m] ?? 0) + 1;
  };

  /** The true time a laptop's agent sealed a batch. */
  readonly batchSealed = (utcMs: number): void => {
    const m = Math.floor((utcMs - this.epochUtcMs) / 60_000);
    this.sealedByMinute[m] = (this.sealedByMinute[m] ?? 0) + 1;
  };

  laptop(employee: Employee): LaptopTally {
    return new LaptopTally(this, employee, (this.canaries[employee.id] = []));
  }

  /** @internal LaptopTally's way in. */
  addDay(r: LaptopDayResult): void {
    for (const [k, v] of Object.entries(r.injected)) this.injected[k] = (this.injected[k] ?? 0) + v;
    this.ledger = addLedgers(this.ledger, r.agent.ledger);
  }

  /** @internal */
  addLaptop(index: number, row: LaptopRow, statuses: Readonly<Record<string, number>>): void {
    this.laptops.push({ index, row });
    for (const [k, v] of Object.entries(statuses)) this.statuses[k] = (this.statuses[k] ?? 0) + v;
  }

  /** @internal The day's input delivery under the energy model. */
  delivery(r: LaptopDayResult): { readonly cpuSeconds: number; readonly wakeups: number } {
    return deliveryCost(r.deliveredByKind, r.deliveryReads, this.energy, r.deliveryReadIntervalMs);
  }

  /** @internal */
  energyPct(r: LaptopDayResult): number {
    const c = r.agent.costs;
    const d = this.delivery(r);
    return estimateEnergy(
      { cpuSeconds: r.agentCpuSeconds + d.cpuSeconds, wakeups: c.wakeups + d.wakeups, radioBytes: c.radioBytes, transmissions: c.uploads },
      this.energy,
    ).batteryPct;
  }

  result(from: number, to: number, cpuMs: number, extra: Pick<RunShardResult, 'scheduleLag'> = {}): RunShardResult {
    const { ledger, hours, statuses, canaries, attemptsByMinute, sealedByMinute, injected } = this;
    // Laptops finish in any order on a paced clock; rows are in fleet order.
    const laptops = [...this.laptops].sort((a, b) => a.index - b.index).map((l) => l.row);
    return {
      from,
      to,
      laptops,
      ledger,
      hours,
      cpuMs,
      latency: encodeLatency(this.latency),
      freshness: encodeFreshness(this.freshness),
      statuses,
      canaries,
      attemptsByMinute,
      sealedByMinute,
      injected,
      ...extra,
    };
  }
}

/** A laptop none of whose events was acknowledged (read only). */
const NO_FRESHNESS = createFreshnessHistogram();

/** One laptop's row, day by day. */
export class LaptopTally {
  private row: LaptopRow;
  private energyPct = 0;
  /** Freshness of the laptop's acknowledged events: its first such day's own histogram (that agent is done), then merged into. */
  private freshness: FreshnessHistogram | null = null;

  constructor(
    private readonly shard: ShardTally,
    private readonly employee: Employee,
    private readonly planted: string[],
  ) {
    this.row = emptyRow(employee);
  }

  /** A finished day: its agent's ledger and costs, and the text typed in what the service acknowledged (for the leak count). */
  addDay(r: LaptopDayResult, acceptedText: string): void {
    this.shard.addDay(r);
    if (r.agent.acknowledgedEvents > 0) {
      if (this.freshness === null) this.freshness = r.agent.freshness;
      else this.freshness.add(r.agent.freshness);
    }
    const l = r.agent.ledger;
    const c = r.agent.costs;
    const scannable = r.day.canaries.filter(isScannableCanary);
    this.planted.push(...scannable);
    this.energyPct += this.shard.energyPct(r);
    const delivery = this.shard.delivery(r);
    const row = this.row;
    this.row = {
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
      wakeups: row.wakeups + c.wakeups + delivery.wakeups,
      agent_cpu_seconds: row.agent_cpu_seconds + r.agentCpuSeconds + delivery.cpuSeconds,
      delivery_cpu_seconds: row.delivery_cpu_seconds + delivery.cpuSeconds,
      delivery_wakeups: row.delivery_wakeups + delivery.wakeups,
      delivery_reads: row.delivery_reads + r.deliveryReads,
      active_minutes: row.active_minutes + r.activeMinutes,
      work_hours: row.work_hours + r.workHours,
      pauses: row.pauses + r.day.pauses.windows.length,
      paused_minutes: row.paused_minutes + r.day.pauses.grantedMinutes,
      canaries_planted: row.canaries_planted + scannable.length,
      canaries_leaked: row.canaries_leaked + countLeakedCanaries(acceptedText, r.day.canaries),
    };
  }

  /** The laptop is done: its row joins the shard's, with its upload statuses. */
  finish(exempt: boolean, statuses: Readonly<Record<string, number>>): void {
    const row = this.row;
    const f = freshnessFigures(this.freshness ?? NO_FRESHNESS);
    if (this.freshness !== null) this.shard.freshness.add(this.freshness);
    this.shard.addLaptop(
      this.employee.index,
      {
        ...row,
        exempt,
        battery_pct_per_day: row.days_worked > 0 ? this.energyPct / row.days_worked : 0,
        freshness_p50_s: f.p50_s,
        freshness_p95_s: f.p95_s,
        freshness_max_s: f.max_s,
      },
      statuses,
    );
  }
}

function emptyRow(e: Employee): LaptopRow {
  return {
    employee_id: e.id,
    department: e.department,
    role: e.role,
    office: e.office,
    exempt: false,
    days_worked: 0,
    produced: 0,
    stored: 0,
    redacted: 0,
    dropped_paused: 0,
    dropped_exempt: 0,
    coalesced: 0,
    spooled: 0,
    lost: 0,
    batches: 0,
    uploads: 0,
    radio_bytes: 0,
    wakeups: 0,
    agent_cpu_seconds: 0,
    delivery_cpu_seconds: 0,
    delivery_wakeups: 0,
    delivery_reads: 0,
    active_minutes: 0,
    work_hours: 0,
    pauses: 0,
    paused_minutes: 0,
    canaries_planted: 0,
    canaries_leaked: 0,
    battery_pct_per_day: 0,
    freshness_p50_s: null,
    freshness_p95_s: null,
    freshness_max_s: null,
  };
}
