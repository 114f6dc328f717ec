/**
 * What a process agent reports when it stops: its ledger (so a harness can
 * balance what it injected against every fate), its own cost counters, and
 * what the OS says the process spent. One JSON object, written atomically.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { AgentCosts } from '../agent/index.js';
import type { FreshnessFigures } from '../metrics/freshness.js';
import type { Ledger } from '../metrics/ledger.js';
import { ledgerImbalance } from '../metrics/ledger.js';

export type StopReason = 'SIGTERM' | 'SIGINT' | 'input-ended' | 'input-failed';

export interface AgentProcessStats {
  readonly device_id: string;
  readonly input: string;
  readonly stop_reason: StopReason;
  /** What went wrong, when stop_reason is input-failed. */
  readonly error?: string;
  /** The agent's clock (wall + time offset) at start and at stop, epoch ms. */
  readonly started_ms: number;
  readonly stopped_ms: number;
  readonly ledger: Ledger;
  /** produced − Σ fates: 0 when every event is accounted for. */
  readonly ledger_imbalance: number;
  readonly costs: AgentCosts;
  readonly input_events: number;
  /** OS reads that carried at least one event (the agent's input wake-ups). */
  readonly input_deliveries: number;
  readonly control: {
    readonly applied: number;
    readonly rejected: number;
    readonly pauses_granted: number;
    readonly pauses_refused: number;
  };
  /** Uploads still running when the drain timeout ran out (they were cut and their batches count as spooled). */
  readonly drain_timed_out: boolean;
  /** Per acknowledged event: seconds from input to acknowledgement, and the histogram (ms, HDR, compressed base64) for merging. */
  readonly freshness: FreshnessFigures & { readonly histogram: string };
  readonly process: ProcessCost;
}

export interface ProcessCost {
  readonly cpu_user_us: number;
  readonly cpu_system_us: number;
  readonly voluntary_context_switches: number;
  readonly involuntary_context_switches: number;
  readonly max_rss_kb: number;
}

/** This process's own CPU, wake-ups and peak memory since it started. */
export function processCost(): ProcessCost {
  const r = process.resourceUsage();
  return {
    cpu_user_us: r.userCPUTime,
    cpu_system_us: r.systemCPUTime,
    voluntary_context_switches: r.voluntaryContextSwitches,
    involuntary_context_switches: r.involuntaryContextSwitches,
    max_rss_kb: r.maxRSS,
  };
}

export function buildStats(s: Omit<AgentProcessStats, 'ledger_imbalance' | 'process'>): AgentProcessStats {
  return { ...s, ledger: { ...s.ledger }, costs: { ...s.costs }, ledger_imbalance: ledgerImbalance(s.ledger), process: processCost() };
}

/** Writes next to the target and renames: a reader never sees half a file. */
export function writeStatsFile(file: string, stats: AgentProcessStats): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(stats, null, 2)}\n`);
  renameSync(tmp, file);
}
