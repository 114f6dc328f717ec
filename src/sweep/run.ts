/**
 * `fleetsim sweep`: every cell of the grid × every replica, through the fast
 * counter (default) or the full path (agent + embedded ingest over HTTP).
 */
import { join } from 'node:path';
import { createCalendar } from '../time/index.js';
import { UsageError } from '../errors.js';
import { planShards, runTasks } from '../pool/index.js';
import { runScenario } from '../run/index.js';
import type { Scenario } from '../scenario/index.js';
import { runFastTask, type FastTask, type FastTaskResult } from './fast.js';
import { FULL_PATH_COALESCE, fullPathTally } from './full.js';
import { expandGrid, replicaSeed, valueLabel } from './grid.js';
import {
  cellResult,
  replicaFromTally,
  sweepThresholds,
  type ReplicaFigures,
  type ReplicaThresholdOutcome,
  type SweepMode,
  type SweepResult,
} from './results.js';
import { emptyTally, mergeTally, type CellTally } from './tally.js';

export interface SweepOptions {
  readonly mode: SweepMode;
  /** Worker threads; 0 runs in the calling thread. */
  readonly workers: number;
  /** Overrides of the scenario (smaller sweeps for tests and quick looks). */
  readonly replicas?: number;
  readonly employees?: number;
  readonly days?: number;
  /** Employees per fast-mode task. */
  readonly shardSize?: number;
  /** Where full-path runs write their reports and ingest databases. */
  readonly reportDir?: string;
  readonly onProgress?: (p: SweepProgress) => void;
}

export interface SweepProgress {
  /** Employee-replicas (fast) or cell-replica runs (full path) done, of total. */
  readonly done: number;
  readonly total: number;
  readonly events: number;
}

/** Runs a sweep scenario. The same scenario and seed give the same figures whatever the worker count. */
export async function runSweep(base: Scenario, o: SweepOptions): Promise<SweepResult> {
  const s: Scenario = {
    ...base,
    fleet: { employees: o.employees ?? base.fleet.employees },
    simulation: { ...base.simulation, days: o.days ?? base.simulation.days },
  };
  const replicas = o.replicas ?? s.sweep?.replicas ?? 1;
  const cells = expandGrid(s);
  const started = performance.now();
  let perCell: ReplicaFigures[][];
  // Fast mode has no run figures to judge thresholds on: it leaves these empty (sweepThresholds says why).
  const judged: ReplicaThresholdOutcome[][] = cells.map(() => []);
  let events = 0;
  if (o.mode === 'fast') {
    const r = await runFast(
      s,
      cells.map((c) => c.scenario),
      replicas,
      o,
    );
    perCell = r.perCell;
    events = r.events;
  } else {
    if (!o.reportDir) throw new UsageError('the full path needs a report folder for its runs');
    perCell = cells.map(() => []);
    const total = cells.length * replicas;
    let done = 0;
    for (let r = 0; r < replicas; r++) {
      for (const cell of cells) {
        const seed = replicaSeed(s.seed, r);
        const reportDir = join(o.reportDir, 'full-path', `cell-${cell.index}-replica-${r}`);
        const run = await runScenario(
          {
            ...cell.scenario,
            seed,
            transport: 'http',
            outputs: { ...cell.scenario.outputs, csv: false, html: false },
            agent: { ...cell.scenario.agent, coalesce: FULL_PATH_COALESCE },
          },
          { reportDir, workers: o.workers },
        );
        events += run.figures.ledger.produced;
        judged[cell.index]!.push(...run.thresholds.map((t) => ({ replica: r, ...t })));
        perCell[cell.index]!.push(replicaFromTally(r, seed, await fullPathTally(cell.scenario, seed, run)));
        o.onProgress?.({ done: ++done, total, events });
      }
    }
  }
  const results = cells.map((c) => cellResult(c.index, c.values, c.labels, perCell[c.index]!, judged[c.index]!));
  const axes = (s.sweep?.axes ?? []).map((a) => ({ path: a.path, labels: a.values.map((_, i) => valueLabel(a, i)) }));
  return {
    name: s.name,
    mode: o.mode,
    seed: s.seed,
    employees: s.fleet.employees,
    days: s.simulation.days,
    replicas,
    axes,
    cells: results,
    thresholds: sweepThresholds(
      o.mode,
      s.thresholds.map((t) => t.source),
      results,
    ),
    employeeDays: s.fleet.employees * s.simulation.days * replicas * (o.mode === 'fast' ? 1 : cells.length),
    events,
    wallMs: performance.now() - started,
    workers: o.workers,
  };
}

async function runFast(
  s: Scenario,
  cellScenarios: readonly Scenario[],
  replicas: number,
  o: SweepOptions,
): Promise<{ perCell: ReplicaFigures[][]; events: number }> {
  const calendar = createCalendar(
    s.simulation.startDate,
    s.population.offices.map((x) => x.timezone),
  );
  const cells = cellScenarios.map((c) => ({
    rules: c.rules,
    pause: c.population.pause,
    exemptionRequestShare: c.population.exemptionRequestShare,
  }));
  const shards = planShards(s.fleet.employees, Math.max(1, o.workers), o.shardSize ?? 25);
  const tasks: (FastTask & { replica: number })[] = [];
  for (let r = 0; r < replicas; r++) {
    for (const sh of shards) {
      tasks.push({
        replica: r,
        seed: replicaSeed(s.seed, r),
        from: sh.from,
        to: sh.to,
        days: s.simulation.days,
        calendar,
        population: s.population,
        behaviour: s.behaviour,
        cells,
      });
    }
  }
  const tallies: CellTally[][] = Array.from({ length: replicas }, () => cells.map(() => emptyTally()));
  const total = s.fleet.employees * replicas;
  let done = 0;
  let events = 0;
  const finish = (replica: number, r: FastTaskResult) => {
    r.tallies.forEach((t, k) => mergeTally(tallies[replica]![k]!, t));
    done += r.to - r.from;
    events += r.events;
    o.onProgress?.({ done, total, events });
  };
  // Workers get the task without its replica number; the result is matched back by index.
  const sent = tasks.map(({ replica: _replica, ...t }) => t);
  await runTasks({ worker: 'sweep', what: 'a sweep worker', workers: o.workers, inline: runFastTask }, sent, (i, r: FastTaskResult) =>
    finish(tasks[i]!.replica, r),
  );
  const perCell = cells.map((_, k) => tallies.map((byCell, r) => replicaFromTally(r, replicaSeed(s.seed, r), byCell[k]!)));
  return { perCell, events };
}
