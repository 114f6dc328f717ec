/**
 * summary.json's `process` section: what a real-time run of process agents
 * measured, per laptop and for the fleet. Computed here from the run's
 * facts; report writers only present it.
 */
import { distribution, r3, type Distribution } from '../../metrics/distribution.js';
import { FATES } from '../../metrics/ledger.js';
import type { EnergyReading } from '../../observe/types.js';
import type { EventsByKind } from './laptop-input.js';
import type { ProcessLaptop, ProcessRunFacts } from './facts.js';

/**
 * Injection lateness (p99, ms) up to which the replay counts as on time: an
 * OS delivers input within a frame or so, so an input path later than this
 * no longer shows the agent the stream a laptop would.
 */
export const ON_TIME_INJECTION_P99_MS = 100;

export interface ProcessLaptopFigures {
  readonly employee_id: string;
  readonly injected: number;
  readonly injected_by_kind: EventsByKind;
  /** Moves the source's rate cap merged before the agent saw them (in the ledger as coalesced). */
  readonly source_moves_coalesced: number;
  readonly received: number | null;
  readonly observed_seconds: number;
  readonly cpu_seconds: number;
  readonly cpu_s_per_hour: number;
  readonly wakeups: number;
  readonly wakeups_per_active_min: number | null;
  readonly involuntary_switches: number;
  /** Page faults of the agent's tree over the window; major ones read back memory the OS reclaimed while it slept. */
  readonly minor_faults: number;
  readonly major_faults: number;
  readonly rss_peak_mb: number;
  readonly pss_peak_mb: number | null;
  readonly threads_peak: number;
  readonly processes: number;
  readonly uploads: number;
  readonly bytes: number;
  readonly bytes_per_hour: number;
  readonly battery_pct_per_day: number;
  readonly injection_p50_ms: number;
  readonly injection_p99_ms: number;
  readonly injection_max_ms: number;
  readonly exited_on_sigterm: boolean;
  /** Injected − Σ fates (reference agent): 0 when every event is accounted for; null when the agent keeps no ledger. */
  readonly ledger_imbalance: number | null;
}

export interface ProcessFigures {
  readonly agent: string;
  readonly input: 'tap' | 'x11';
  /** agent.sourceMoveRateHz: the pointer's report rate cap the input paths applied (0: every move delivered). */
  readonly source_move_rate_hz: number;
  /** Seconds each agent ran before the window, unobserved: its start-up is not in the per-hour figures. */
  readonly settle_seconds: number;
  readonly ingest: 'embedded' | 'url' | 'blackhole';
  readonly wall_start_utc: string;
  readonly virtual_start_utc: string;
  readonly virtual_end_utc: string;
  /** Across laptops: measured CPU seconds (user + system, the agent's process tree) per hour of real time. */
  readonly cpu_s_per_hour: Distribution;
  /** Voluntary context switches (wake-ups) per minute with input. */
  readonly wakeups_per_active_min: Distribution;
  readonly rss_peak_mb: Distribution;
  /** Upload bytes per hour (the agent's own count, or the blackhole's HTTP bodies). */
  readonly bytes_per_hour: Distribution;
  /** The energy model over the measured inputs, scaled to the employee's working day. */
  readonly battery_pct_per_day: Distribution;
  readonly fleet: {
    readonly injected: number;
    /** Moves the source's rate cap merged; their share of the moves the employee made. */
    readonly source_moves_coalesced: number;
    readonly source_moves_coalesced_share: number | null;
    readonly received: number | null;
    readonly cpu_seconds: number;
    readonly wakeups: number;
    /** Page faults of every agent tree; major ones read back memory the OS reclaimed while an agent slept. */
    readonly minor_faults: number;
    readonly major_faults: number;
    readonly uploads: number;
    readonly bytes: number;
    /** CPU µs and wake-ups per injected event, all costs included (timers, encoding, uploads). */
    readonly cpu_us_per_event: number | null;
    readonly wakeups_per_event: number | null;
    /** Package energy from RAPL over the replay (the whole machine), or why there is none. */
    readonly rapl: EnergyReading;
  };
  /** How late events were injected against their intended wall time; the worst laptop's figures. */
  readonly injection: {
    readonly injected: number;
    readonly p50_ms: number;
    readonly p99_ms: number;
    readonly max_ms: number;
    readonly on_time: boolean;
  };
  /** Reference agent: injected = stored + every other fate, on every laptop; null for an agent that keeps no ledger. */
  readonly ledger_balanced: boolean | null;
  readonly laptops: readonly ProcessLaptopFigures[];
}

export function processFigures(f: ProcessRunFacts, _batteryWh: number): ProcessFigures {
  const rows = f.laptops.map(laptopFigures);
  const sum = (g: (x: ProcessLaptopFigures) => number) => rows.reduce((a, x) => a + g(x), 0);
  const injected = sum((x) => x.injected);
  const cpu = sum((x) => x.cpu_seconds);
  const wakeups = sum((x) => x.wakeups);
  const withLedger = rows.filter((x) => x.ledger_imbalance !== null);
  const worst = (g: (x: ProcessLaptopFigures) => number) => (rows.length ? Math.max(...rows.map(g)) : 0);
  const p99 = worst((x) => x.injection_p99_ms);
  const merged = sum((x) => x.source_moves_coalesced);
  const moves = sum((x) => x.injected_by_kind.move);
  return {
    agent: f.agent,
    input: f.input,
    source_move_rate_hz: f.source_move_rate_hz ?? 0,
    settle_seconds: f.settle_seconds ?? 0,
    ingest: f.ingest,
    wall_start_utc: f.wall_start_utc,
    virtual_start_utc: f.virtual_start_utc,
    virtual_end_utc: f.virtual_end_utc,
    cpu_s_per_hour: distribution(rows.map((x) => x.cpu_s_per_hour)),
    wakeups_per_active_min: distribution(
      rows.filter((x) => x.wakeups_per_active_min !== null).map((x) => x.wakeups_per_active_min as number),
    ),
    rss_peak_mb: distribution(rows.map((x) => x.rss_peak_mb)),
    bytes_per_hour: distribution(rows.map((x) => x.bytes_per_hour)),
    battery_pct_per_day: distribution(f.laptops.filter((l) => l.dayWorkHours > 0).map((l) => l.row.battery_pct_per_day)),
    fleet: {
      injected,
      source_moves_coalesced: merged,
      source_moves_coalesced_share: moves + merged > 0 ? r6(merged / (moves + merged)) : null,
      received: rows.every((x) => x.received !== null) ? sum((x) => x.received as number) : null,
      cpu_seconds: r6(cpu),
      wakeups,
      minor_faults: sum((x) => x.minor_faults),
      major_faults: sum((x) => x.major_faults),
      uploads: sum((x) => x.uploads),
      bytes: sum((x) => x.bytes),
      cpu_us_per_event: injected > 0 ? r3((cpu * 1e6) / injected) : null,
      wakeups_per_event: injected > 0 ? r6(wakeups / injected) : null,
      rapl: f.energy,
    },
    injection: {
      injected,
      p50_ms: worst((x) => x.injection_p50_ms),
      p99_ms: p99,
      max_ms: worst((x) => x.injection_max_ms),
      on_time: p99 <= ON_TIME_INJECTION_P99_MS,
    },
    ledger_balanced: withLedger.length === rows.length && rows.length > 0 ? withLedger.every((x) => x.ledger_imbalance === 0) : null,
    laptops: rows,
  };
}

function laptopFigures(l: ProcessLaptop): ProcessLaptopFigures {
  const o = l.observation;
  const hours = o.wall_ms / 3_600_000;
  const cpu = o.cpu_user_s + o.cpu_system_s;
  const fates = FATES.reduce((a, k) => a + l.ledger[k], 0);
  return {
    employee_id: l.row.employee_id,
    injected: l.injected,
    injected_by_kind: l.injectedByKind,
    source_moves_coalesced: l.sourceCoalesced ?? 0,
    received: l.received,
    observed_seconds: r3(o.wall_ms / 1000),
    cpu_seconds: r6(cpu),
    cpu_s_per_hour: hours > 0 ? r3(cpu / hours) : 0,
    wakeups: o.voluntary_switches,
    wakeups_per_active_min: l.row.active_minutes > 0 ? r3(o.voluntary_switches / l.row.active_minutes) : null,
    involuntary_switches: o.involuntary_switches,
    minor_faults: o.minor_faults,
    major_faults: o.major_faults,
    rss_peak_mb: r3(o.rss_peak_bytes / 1e6),
    pss_peak_mb: o.pss_peak_bytes === null ? null : r3(o.pss_peak_bytes / 1e6),
    threads_peak: o.threads_peak,
    processes: o.processes_seen,
    uploads: l.row.uploads,
    bytes: l.row.radio_bytes,
    bytes_per_hour: hours > 0 ? Math.round(l.row.radio_bytes / hours) : 0,
    battery_pct_per_day: r6(l.row.battery_pct_per_day),
    injection_p50_ms: r3(l.lateness.p50_ms),
    injection_p99_ms: r3(l.lateness.p99_ms),
    injection_max_ms: r3(l.lateness.max_ms),
    exited_on_sigterm: l.graceful,
    ledger_imbalance: l.received === null ? null : l.ledger.produced - fates,
  };
}

function r6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
