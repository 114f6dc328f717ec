/**
 * The one-command form: a scenario's compare section run as baseline and
 * candidate replicas, interleaved (B, C, B, C, …) so that drift of a noisy
 * machine hits both sides alike. Returns the report folders of each side.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { runScenario, type ScenarioRunResult } from '../run/index.js';
import type { Scenario } from '../scenario/index.js';

export interface PairRunOptions {
  readonly reportDir: string;
  readonly workers: number;
  /** Replicas per side; the scenario's compare.replicas when not given. */
  readonly replicas?: number;
  readonly onRun?: (side: 'baseline' | 'candidate', replica: number, of: number) => void;
  /**
   * Writes a replica's report folder (the CLI passes report/'s writer): the
   * comparison reads the folders, as it reads those of runs made earlier.
   */
  readonly writeReport: (dir: string, result: ScenarioRunResult) => Promise<unknown>;
}

export async function runComparePair(scenario: Scenario, o: PairRunOptions): Promise<{ baseline: string[]; candidate: string[] }> {
  const c = scenario.compare;
  if (!c)
    throw new UsageError(
      `${scenario.source || scenario.name} has no compare section: add compare: { baseline: {…}, candidate: {…} } (see \`fleetsim schema\`), or compare report folders`,
    );
  const n = o.replicas ?? c.replicas;
  const out = { baseline: [] as string[], candidate: [] as string[] };
  for (let i = 0; i < n; i++) {
    for (const side of ['baseline', 'candidate'] as const) {
      o.onRun?.(side, i, n);
      const dir = join(o.reportDir, `${side}-${i + 1}`);
      // A replica's report is written as the scenario's outputs say: the comparison reads its results.json, always written.
      await o.writeReport(dir, await runScenario(c[side], { reportDir: dir, workers: o.workers }));
      out[side].push(dir);
    }
  }
  return out;
}
