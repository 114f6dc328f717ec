/**
 * Agent configurations side by side: one fleet (same seed, people and input)
 * run once per configuration a scenario lists, each judged against the
 * scenario's thresholds, and a table of what each costs with the cheapest
 * that meets them. The table is computed here; report/ presents it.
 */
import type { AgentConfiguration, Scenario, ThresholdOutcome } from '../scenario/index.js';
import { agentSettings, type AgentSettings } from './agent-settings.js';
import type { RunFigures } from './summary.js';

/** What a configuration's run gives the table (a ScenarioRunResult is one). */
export interface JudgedRun {
  readonly scenario: Scenario;
  readonly figures: RunFigures;
  readonly thresholdsPassed: boolean;
  readonly thresholds: readonly ThresholdOutcome[];
}

/** One configuration's figures (summary.json `configurations.rows`). */
export interface ConfigurationRow {
  readonly name: string;
  readonly agent: AgentSettings;
  /** Upload bytes per laptop per worked day (MB = 10^6 bytes): mean and p95 across laptops. */
  readonly mb_per_laptop_day_mean: number;
  readonly mb_per_laptop_day_p95: number;
  /** Agent CPU seconds per hour of the working day, mean across laptops. */
  readonly cpu_s_per_hour_mean: number;
  /** Wake-ups per minute with input, mean across laptops. */
  readonly wakeups_per_min_mean: number;
  /** Battery proxy: % of the battery per worked day (4 significant digits) and the same in mWh. */
  readonly battery_pct_per_day_mean: number;
  readonly battery_pct_per_day_p95: number;
  readonly battery_mwh_per_day_mean: number;
  /** Seconds from input to acknowledged upload, per event over the fleet (null: nothing acknowledged). */
  readonly freshness_p50_s: number | null;
  readonly freshness_p95_s: number | null;
  /** Captured share of produced events. */
  readonly yield: number;
  readonly thresholds_passed: boolean;
  /** The thresholds this configuration failed, as written. */
  readonly thresholds_failed: readonly string[];
}

export interface ConfigurationsTable {
  readonly rows: readonly ConfigurationRow[];
  /** The configuration recommended: the cheapest in battery that meets every threshold (null: none meets them). */
  readonly recommended: string | null;
  /** One sentence saying which and why. */
  readonly recommendation: string;
  /**
   * The configuration whose threshold outcomes stand for the run (top-level
   * `thresholds`, `thresholds_passed` and the exit code): the recommended one,
   * or the first when none is recommended (its failures say why).
   */
  readonly thresholds_configuration: string;
}

const sig4 = (x: number) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(4)));

export function configurationRow(name: string, r: JudgedRun): ConfigurationRow {
  const f = r.figures;
  return {
    name,
    agent: agentSettings(r.scenario.agent, r.scenario.agentUnderTest),
    mb_per_laptop_day_mean: f.bandwidth.mb_per_laptop_day.mean,
    mb_per_laptop_day_p95: f.bandwidth.mb_per_laptop_day.p95,
    cpu_s_per_hour_mean: f.battery.cpu_s_per_hour.mean,
    wakeups_per_min_mean: f.battery.wakeups_per_min.mean,
    battery_pct_per_day_mean: f.battery.pct_per_day.mean,
    battery_pct_per_day_p95: f.battery.pct_per_day.p95,
    battery_mwh_per_day_mean: sig4(f.battery.wh_per_day.mean * 1000),
    freshness_p50_s: f.freshness.p50_s,
    freshness_p95_s: f.freshness.p95_s,
    yield: f.yield.overall,
    thresholds_passed: r.thresholdsPassed,
    thresholds_failed: r.thresholds.filter((t) => !t.pass).map((t) => t.expression),
  };
}

/**
 * The cheapest configuration that meets the thresholds: lowest mean battery
 * per laptop-day (the energy model already weighs CPU, wake-ups and radio
 * bytes), then fewer bytes, then file order.
 */
export function configurationsTable(rows: readonly ConfigurationRow[]): ConfigurationsTable {
  const passing = rows.filter((r) => r.thresholds_passed);
  const best = [...passing].sort(
    (a, b) => a.battery_pct_per_day_mean - b.battery_pct_per_day_mean || a.mb_per_laptop_day_mean - b.mb_per_laptop_day_mean,
  )[0];
  if (!best) {
    return {
      rows,
      recommended: null,
      thresholds_configuration: rows[0]?.name ?? '',
      recommendation: `No configuration meets the thresholds: each fails at least one (${rows.map((r) => `${r.name}: ${r.thresholds_failed.join(', ')}`).join('; ')}).`,
    };
  }
  const others = rows.length - passing.length;
  const f = best.freshness_p95_s === null ? '' : `, freshness p95 ${best.freshness_p95_s} s`;
  return {
    rows,
    recommended: best.name,
    thresholds_configuration: best.name,
    recommendation:
      `Recommended: ${best.name}, the cheapest of the ${passing.length} configuration${passing.length === 1 ? '' : 's'} that meet the thresholds` +
      ` (${best.battery_mwh_per_day_mean} mWh = ${best.battery_pct_per_day_mean} % of battery and ${best.mb_per_laptop_day_mean} MB per laptop-day${f})` +
      `${others > 0 ? `; ${others} fail${others === 1 ? 's' : ''} them` : ''}.`,
  };
}

/** The scenario with one configuration as its agent and no list: what each side-by-side run runs. */
export function withConfiguration(s: Scenario, c: AgentConfiguration): Scenario {
  const { agents: _agents, ...rest } = s;
  return { ...rest, agent: c.agent };
}
