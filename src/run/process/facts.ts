/**
 * What a real-time run of process agents measured, per laptop: the
 * observer's /proc figures, the injection lateness, the agent's own ledger
 * (reference agent) or the blackhole's counts (any agent), and the battery
 * proxy from the energy model over the measured inputs. Pure: no I/O.
 */
import type { InjectionLateness } from '../../input/types.js';
import { estimateEnergy, type EnergyModel } from '../../metrics/energy.js';
import { decodeFreshness, freshnessFigures } from '../../metrics/freshness.js';
import { FATES, emptyLedger, type Ledger } from '../../metrics/ledger.js';
import type { EnergyReading, ProcessObservation } from '../../observe/types.js';
import type { LaptopRow } from '../shard-tally.js';
import type { EventsByKind, WindowInput } from './laptop-input.js';

/** Per laptop: the row every run has, and what only a process run measures. */
export interface ProcessLaptop {
  readonly row: LaptopRow;
  readonly ledger: Ledger;
  readonly canaries: readonly string[];
  readonly observation: ProcessObservation;
  readonly lateness: InjectionLateness;
  /** Events put into the input path (after the source's move cap). */
  readonly injected: number;
  readonly injectedByKind: EventsByKind;
  /** Moves the source's rate cap (agent.sourceMoveRateHz) merged before the agent saw them: produced, and coalesced in the ledger. */
  readonly sourceCoalesced: number;
  /** Events the agent says it received (reference agent); null for an agent that does not tell. */
  readonly received: number | null;
  /** Upload requests and bytes (HTTP bodies) the blackhole counted; null with fleetsim's ingest (the agent's own counts are in the row). */
  readonly blackhole: { readonly requests: number; readonly bytes: number } | null;
  /** Whether the agent exited by itself within the grace period after SIGTERM. */
  readonly graceful: boolean;
  /** Hours of the employee's working day the window is part of (what per-day figures scale to). */
  readonly dayWorkHours: number;
  /** Freshness of the laptop's acknowledged events (ms, HDR, encoded; '' when the agent does not tell). */
  readonly freshness: string;
}

export interface ProcessRunFacts {
  /** 'reference' or the program of the agent command. */
  readonly agent: string;
  readonly input: 'tap' | 'x11';
  /** The pointer's report rate cap the input paths applied (agent.sourceMoveRateHz; 0: none). */
  readonly source_move_rate_hz: number;
  /** Seconds each agent ran unobserved before the window (agent.settleSeconds; absent in reports from before it existed: 0). */
  readonly settle_seconds?: number;
  readonly ingest: 'embedded' | 'url' | 'blackhole';
  readonly wall_start_utc: string;
  readonly virtual_start_utc: string;
  readonly virtual_end_utc: string;
  /** Package energy over the replay, where the machine exposes RAPL (the whole machine's, not the agents' alone). */
  readonly energy: EnergyReading;
  readonly laptops: readonly ProcessLaptop[];
}

export interface ProcessRowInput {
  readonly input: WindowInput;
  readonly injected: number;
  readonly injectedByKind: EventsByKind;
  /** Moves the source's rate cap merged (0 without a cap). */
  readonly sourceCoalesced?: number;
  readonly lateness: InjectionLateness;
  readonly observation: ProcessObservation;
  readonly stats: {
    readonly ledger: Ledger;
    readonly costs: { readonly batches: number; readonly uploads: number; readonly radioBytes: number };
    readonly received: number;
    readonly reads?: number;
    readonly freshness: string;
  } | null;
  readonly blackhole: { readonly requests: number; readonly bytes: number } | null;
  readonly graceful: boolean;
  readonly energy: EnergyModel;
}

/**
 * One laptop's measured figures as a row. Per-hour figures are per hour of
 * real time observed; per-day figures scale the window to the employee's
 * working day (work hours ÷ observed hours), which assumes the window is a
 * fair sample of the day: choose it so.
 */
export function processRow(x: ProcessRowInput): ProcessLaptop {
  const obs = x.observation;
  const hours = obs.wall_ms / 3_600_000;
  const cpuSeconds = obs.cpu_user_s + obs.cpu_system_s;
  const wakeups = obs.voluntary_switches;
  const ledger = emptyLedger();
  const sourceCoalesced = x.sourceCoalesced ?? 0;
  // The employee made the moves the source merged: produced, and coalesced (by the OS rather than the agent).
  ledger.produced = x.injected + sourceCoalesced;
  if (x.stats) {
    for (const f of FATES) ledger[f] = x.stats.ledger[f];
    ledger.coalesced += sourceCoalesced;
    // Events the path lost before the agent saw them (an X server can drop some): lost, not silently gone.
    ledger.lost += Math.max(0, x.injected - x.stats.received);
  }
  const uploads = x.stats ? x.stats.costs.uploads : (x.blackhole?.requests ?? 0);
  const radioBytes = x.stats ? x.stats.costs.radioBytes : (x.blackhole?.bytes ?? 0);
  const dayWorkHours = x.input.workHours;
  const perDay = hours > 0 && dayWorkHours > 0 ? dayWorkHours / hours : 0;
  const battery = estimateEnergy(
    { cpuSeconds: cpuSeconds * perDay, wakeups: wakeups * perDay, radioBytes: radioBytes * perDay, transmissions: uploads * perDay },
    x.energy,
  );
  const e = x.input.employee;
  const fresh = freshnessFigures(decodeFreshness(x.stats?.freshness ?? ''));
  const row: LaptopRow = {
    employee_id: e.id,
    department: e.department,
    role: e.role,
    office: e.office,
    exempt: x.input.exempt,
    // The share of a working day the window covered: bytes and battery per day divide by it.
    days_worked: perDay > 0 ? 1 / perDay : 0,
    produced: ledger.produced,
    stored: ledger.stored,
    redacted: ledger.redacted,
    dropped_paused: ledger.dropped_paused,
    dropped_exempt: ledger.dropped_exempt,
    coalesced: ledger.coalesced,
    spooled: ledger.spooled,
    lost: ledger.lost,
    batches: x.stats?.costs.batches ?? uploads,
    uploads,
    radio_bytes: radioBytes,
    wakeups,
    agent_cpu_seconds: cpuSeconds,
    // Measured: delivery is inside the observed CPU and wake-ups, not modelled on top.
    delivery_cpu_seconds: 0,
    delivery_wakeups: 0,
    // What the agent reported: its reads of input (a count, not a cost added on top).
    delivery_reads: x.stats?.reads ?? 0,
    active_minutes: x.input.activeMinutes,
    work_hours: hours,
    pauses: x.input.ui.filter((a) => a.kind === 'pause').length,
    paused_minutes: x.input.ui.reduce((a, u) => a + (u.kind === 'pause' ? u.wantedMs / 60_000 : 0), 0),
    canaries_planted: x.input.canaries.length,
    canaries_leaked: 0,
    battery_pct_per_day: battery.batteryPct,
    // Only the reference agent tells when its uploads were acknowledged.
    freshness_p50_s: fresh.p50_s,
    freshness_p95_s: fresh.p95_s,
    freshness_max_s: fresh.max_s,
  };
  return {
    row,
    ledger,
    canaries: x.input.canaries,
    observation: obs,
    lateness: x.lateness,
    injected: x.injected,
    injectedByKind: x.injectedByKind,
    sourceCoalesced,
    received: x.stats?.received ?? null,
    blackhole: x.blackhole,
    graceful: x.graceful,
    dayWorkHours,
    freshness: x.stats?.freshness ?? '',
  };
}

/**
 * Shards of one process run (`--shard K/N` on several machines) as one: every
 * laptop's measurements, in fleet order; RAPL only adds up when every shard
 * had it (each machine's package, not the agents alone).
 */
export function mergeProcessFacts(parts: readonly ProcessRunFacts[]): ProcessRunFacts {
  const first = parts[0]!;
  const rapl = parts.every((p) => p.energy.kind === 'rapl')
    ? {
        kind: 'rapl' as const,
        joules: parts.reduce((a, p) => a + (p.energy.kind === 'rapl' ? p.energy.joules : 0), 0),
        zone: 'sum over shards',
      }
    : parts.find((p) => p.energy.kind === 'unavailable')!.energy;
  return {
    ...first,
    energy: rapl,
    wall_start_utc: parts.map((p) => p.wall_start_utc).sort()[0]!,
    laptops: parts.flatMap((p) => p.laptops).sort((a, b) => a.row.employee_id.localeCompare(b.row.employee_id)),
  };
}
