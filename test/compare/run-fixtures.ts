import { type CompareReport } from '../../src/compare/index.js';
import { DEFAULT_ENERGY_MODEL, type EnergyModel } from '../../src/metrics/energy.js';
import { writeScenarioReport } from '../../src/report/run-report.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario, type Scenario } from '../../src/scenario/index.js';

/**
 * The agent's own work alone: every delivery cost of the energy model at zero,
 * since input delivery (the same on both sides of a comparison) would drown
 * the effects compared.
 */
export const NO_DELIVERY: Partial<EnergyModel> = {
  ...Object.fromEntries(
    Object.entries(DEFAULT_ENERGY_MODEL)
      .filter(([k, v]) => k.startsWith('delivery') && typeof v === 'number')
      .map(([k]) => [k, 0]),
  ),
  deliverySource: 'none: the agent alone',
};

/**
 * A small fleet's one day over transport null (every batch acknowledged when
 * sent), without delivery costs, its batches sealed after batchMaxAgeMs: a few
 * seconds a run. Named `<prefix>-<minutes>min`.
 */
export function batchAgeScenario(o: {
  readonly namePrefix: string;
  readonly seed: string;
  readonly employees: number;
  readonly batchMaxAgeMs: number;
  readonly compressionLevel?: number;
  /** outputs.csv of the scenario (default true): false writes no laptops.csv, only summary.json and results.json. */
  readonly csv?: boolean;
}): Scenario {
  return resolveScenario({
    energy: NO_DELIVERY,
    name: `${o.namePrefix}-${o.batchMaxAgeMs / 60_000}min`,
    seed: o.seed,
    fleet: { employees: o.employees },
    simulation: { days: 1, startDate: '2026-03-03' },
    transport: 'null',
    agent: { batchMaxAgeMs: o.batchMaxAgeMs, ...(o.compressionLevel ? { compressionLevel: o.compressionLevel } : {}) },
    ...(o.csv === false ? { outputs: { csv: false, html: false } } : {}),
  });
}

/** Runs the scenario in process and writes its report to dir. */
export async function runToReport(dir: string, s: Scenario): Promise<void> {
  await writeScenarioReport(dir, await runScenario(s, { reportDir: dir, workers: 0 }));
}

/** The verdict of one statistic of one figure in a comparison. */
export function verdict(r: CompareReport, key: string, stat = 'mean'): string {
  return r.result.figures.find((f) => f.figure.key === key)!.statistics.find((s) => s.statistic === stat)!.verdict;
}
