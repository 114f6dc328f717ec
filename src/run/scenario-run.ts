import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeRunReport } from '../report/run-report.js';
import { evaluateThresholds, type Scenario } from '../scenario/index.js';
import { VERSION } from '../version.js';
import { writeJson } from '../report/json.js';
import { runFleet, type FleetRunProgress, type FleetRunResult } from './fleet-run.js';
import { computeRunFigures, type RunFigures } from './summary.js';
import type { RunTransportSpec } from './transports.js';

/** Version of results.json: what `fleetsim merge` reads. */
export const RESULTS_FORMAT = 'fleetsim-results/1';

export interface ScenarioRunOptions {
  /** Where this run's report goes (the CLI makes it <outputs.dir>/<name>-<time>). */
  readonly reportDir: string;
  readonly workers: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: FleetRunProgress) => void;
}

export interface ScenarioRunResult {
  readonly reportDir: string;
  readonly files: readonly string[];
  readonly figures: RunFigures;
  readonly thresholdsPassed: boolean;
  readonly thresholds: readonly { readonly expression: string; readonly actual: number | null; readonly pass: boolean }[];
}

/**
 * `fleetsim run`: the scenario's fleet through the real agent, figures,
 * thresholds, report. What this version cannot do yet is refused up front
 * with a message, never silently skipped.
 */
export async function runScenario(s: Scenario, o: ScenarioRunOptions): Promise<ScenarioRunResult> {
  const transport = transportFor(s, o.reportDir);
  if (s.simulation.speed !== 'max') {
    throw new UsageError(`${s.source || s.name}: simulation.speed ${s.simulation.speed} is not supported by this version of fleetsim run; use speed: max (real-time pacing is planned for load tests)`);
  }
  if (s.faults.length > 0) {
    throw new UsageError(`${s.source || s.name}: faults (${s.faults.map((f) => f.kind).join(', ')}) are not supported by this version of fleetsim run; remove the faults section to run the scenario without them`);
  }
  const startedAt = new Date().toISOString();
  const result = await runFleet(
    {
      seed: s.seed,
      employees: s.fleet.employees,
      days: s.simulation.days,
      startDate: s.simulation.startDate,
      population: s.population,
      behaviour: s.behaviour,
      rules: s.rules,
      agent: s.agent,
      energy: s.energy,
      transport,
      workers: o.workers,
      ...(o.shard ? { shard: o.shard } : {}),
    },
    o.onProgress,
  );
  return reportRun(s, result, o.reportDir, startedAt, o.shard);
}

/** Figures, thresholds and the report for a finished (or merged) fleet run. */
export async function reportRun(
  s: Scenario,
  result: FleetRunResult,
  reportDir: string,
  startedAt: string,
  shard?: { readonly index: number; readonly count: number },
): Promise<ScenarioRunResult> {
  const o = { reportDir, workers: result.workers, shard };
  const figures = computeRunFigures(result, s.energy.batteryWh);
  const evaluated = evaluateThresholds(s.thresholds, figures);
  const thresholds = evaluated.outcomes.map((x) => ({ expression: x.threshold.source, actual: x.actual, pass: x.passed }));
  mkdirSync(reportDir, { recursive: true });
  await writeJson(join(reportDir, 'results.json'), { format: RESULTS_FORMAT, seed: s.seed, shard: shard ?? null, result });
  const { files } = await writeRunReport(o.reportDir, {
    scenarioName: s.name,
    scenario: s,
    seed: s.seed,
    versions: { fleetsim: VERSION, node: process.version },
    figures,
    thresholds,
    measured: {
      wall_seconds: figures.simulation.wall_seconds,
      cpu_seconds: Math.round(result.cpuMs) / 1000,
      workers: result.workers,
      employee_days_per_min: figures.simulation.employee_days_per_min,
      events_per_s: figures.simulation.events_per_s,
      ...(o.shard ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
    },
    laptops: result.laptops,
    startedAt,
  });
  return { reportDir: o.reportDir, files: [...files, join(reportDir, 'results.json')], figures, thresholdsPassed: evaluated.passed, thresholds };
}

function transportFor(s: Scenario, reportDir: string): RunTransportSpec {
  switch (s.transport) {
    case 'null':
      return { kind: 'null' };
    case 'corpus':
      return { kind: 'corpus', dir: join(reportDir, 'corpus') };
    case 'http':
      throw new UsageError(`${s.source || s.name}: transport http needs the ingestion service, which this version of fleetsim run does not start yet; use transport: null or corpus`);
  }
}
