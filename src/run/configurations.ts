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
  /** Why the run has no figures to compare (absent: it has). */
  readonly noData?: string;
}

/**
 * One configuration's figures (summary.json `configurations.rows`). A
 * configuration with no data (no laptops in the shard, or no input event
 * produced) has null figures and no verdict: its zeros would read as a
 * free, perfect agent and win the recommendation.
 */
export interface ConfigurationRow {
  readonly name: string;
  readonly agent: AgentSettings;
  /** Upload bytes per laptop per worked day (MB = 10^6 bytes): mean and p95 across laptops. */
  readonly mb_per_laptop_day_mean: number | null;
  readonly mb_per_laptop_day_p95: number | null;
  /** Agent CPU seconds per hour of the working day, mean across laptops. */
  readonly cpu_s_per_hour_mean: number | null;
  /** Wake-ups per minute with input, mean across laptops. */
  readonly wakeups_per_min_mean: number | null;
  /** Battery proxy: % of the battery per worked day (4 significant digits) and the same in mWh. */
  readonly battery_pct_per_day_mean: number | null;
  readonly battery_pct_per_day_p95: number | null;
  readonly battery_mwh_per_day_mean: number | null;
  /** Seconds from input to acknowledged upload, per event over the fleet (null: nothing acknowledged). */
  readonly freshness_p50_s: number | null;
  readonly freshness_p95_s: number | null;
  /** Captured share of produced events. */
  readonly yield: number | null;
  /** null: not judged, for the reason in not_judged. */
  readonly thresholds_passed: boolean | null;
  /** The thresholds this configuration failed, as written. */
  readonly thresholds_failed: readonly string[];
  /** Present when the configuration has no data: why its figures are null and nothing was judged. */
  readonly not_judged?: string;
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
  const agent = agentSettings(r.scenario.agent, r.scenario.agentUnderTest);
  if (r.noData !== undefined) {
    return {
      name,
      agent,
      mb_per_laptop_day_mean: null,
      mb_per_laptop_day_p95: null,
      cpu_s_per_hour_mean: null,
      wakeups_per_min_mean: null,
      battery_pct_per_day_mean: null,
      battery_pct_per_day_p95: null,
      battery_mwh_per_day_mean: null,
      freshness_p50_s: null,
      freshness_p95_s: null,
      yield: null,
      thresholds_passed: null,
      thresholds_failed: [],
      not_judged: r.noData,
    };
  }
  return {
    name,
    agent,
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

type RowWithData = ConfigurationRow & {
  readonly battery_pct_per_day_mean: number;
  readonly mb_per_laptop_day_mean: number;
  readonly battery_mwh_per_day_mean: number;
};

/**
 * The cheapest configuration that meets the thresholds: lowest mean battery
 * per laptop-day (the energy model already weighs CPU, wake-ups and radio
 * bytes), then fewer bytes, then file order.
 */
export function configurationsTable(rows: readonly ConfigurationRow[]): ConfigurationsTable {
  const judged = rows.filter((r): r is RowWithData => r.not_judged === undefined);
  const passing = judged.filter((r) => r.thresholds_passed === true);
  const best = [...passing].sort(
    (a, b) => a.battery_pct_per_day_mean - b.battery_pct_per_day_mean || a.mb_per_laptop_day_mean - b.mb_per_laptop_day_mean,
  )[0];
  if (!best) {
    const none = { rows, recommended: null, thresholds_configuration: rows[0]?.name ?? '' };
    if (judged.length === 0)
      return {
        ...none,
        recommendation: `No recommendation: no configuration has data to compare (${rows[0]?.not_judged ?? 'no configurations'}).`,
      };
    return {
      ...none,
      recommendation: `No configuration meets the thresholds: each fails at least one (${rows.map((r) => `${r.name}: ${r.not_judged !== undefined ? 'no data' : r.thresholds_failed.join(', ')}`).join('; ')}).`,
    };
  }
  const others = judged.length - passing.length;
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
