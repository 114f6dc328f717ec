/**
 * npm run bench:sweep [-- --json] [--employees N] [--replicas N] [--days N]
 *
 * Issue 7's benchmark: a 5 × 4 grid (pause cap 10/15/30/45/60 min × exemption
 * approval 20/40/60/80 %) × 10 replicas × 1,000 employees × 1 day through the
 * fast mode (behaviour model + the real policy code, no agent), on every core.
 * The baseline in the same run is the cost of generating the same
 * employee-days' events with nothing counted, so the ratio shows what the sweep
 * adds on top of the behaviour model; the agent path (`fleetsim run`, ~0.1–0.2
 * CPU-s per employee-day) is extrapolated from bench:run's figure, not run.
 */
import './lib/flag-errors.js';
import { availableParallelism } from 'node:os';
import { simulateEmployeeDay } from '../src/behaviour/index.js';
import { DEFAULT_POLICY_RULES } from '../src/policy/index.js';
import { createEmployee } from '../src/population/index.js';
import { resolveScenario } from '../src/scenario/index.js';
import { createCalendar } from '../src/time/index.js';
import { runSweep } from '../src/sweep/index.js';
import { cpuSeconds, intFlag, printTable, wantsJson } from './lib/output.js';

const employees = intFlag('employees', 1000);
const replicas = intFlag('replicas', 10);
const days = intFlag('days', 1);
const workers = availableParallelism();

const scenario = resolveScenario({
  name: 'bench-sweep',
  seed: 'bench-sweep',
  fleet: { employees },
  simulation: { days, startDate: '2026-03-02' },
  transport: 'null',
  sweep: { replicas, policy: { pauseCapMinutes: [10, 15, 30, 45, 60], exemptionApprovalRate: [0.2, 0.4, 0.6, 0.8] } },
});

// Baseline: the same employee-days' events generated and dropped, on one thread, for a slice; scaled.
const sliceEmployees = Math.min(employees, 100);
const calendar = createCalendar(
  scenario.simulation.startDate,
  scenario.population.offices.map((o) => o.timezone),
);
const sink = {
  n: 0,
  push() {
    this.n++;
  },
};
const c0 = cpuSeconds();
for (let i = 0; i < sliceEmployees; i++) {
  const e = createEmployee('bench-sweep/replica-0', i, scenario.population);
  for (let d = 0; d < days; d++)
    simulateEmployeeDay(
      e,
      d,
      {
        seed: 'bench-sweep/replica-0',
        calendar,
        behaviour: scenario.behaviour,
        pauseTraits: scenario.population.pause,
        rules: DEFAULT_POLICY_RULES,
      },
      sink,
    );
}
const baselineCpuPerEmployeeDay = (cpuSeconds() - c0) / (sliceEmployees * days);

const t0 = performance.now();
const r = await runSweep(scenario, { mode: 'fast', workers });
const wallS = (performance.now() - t0) / 1000;
const generated = employees * days * replicas;
const cellEmployeeDays = generated * r.cells.length;
const baselineWallS = (baselineCpuPerEmployeeDay * generated) / workers;
const figures = {
  cells: r.cells.length,
  replicas,
  employees,
  days,
  workers,
  wall_s: Number(wallS.toFixed(1)),
  cell_employee_days: cellEmployeeDays,
  cell_employee_days_per_min: Math.round(cellEmployeeDays / (wallS / 60)),
  events_generated: r.events,
  events_per_s: Math.round(r.events / wallS),
  generation_only_wall_s_estimate: Number(baselineWallS.toFixed(1)),
  sweep_over_generation: Number((wallS / baselineWallS).toFixed(2)),
  agent_path_wall_s_estimate_at_0_1_cpu_s: Math.round((cellEmployeeDays * 0.1) / workers),
  yield_range: [Math.min(...r.cells.map((c) => c.yield.mean)), Math.max(...r.cells.map((c) => c.yield.mean))].map((x) =>
    Number(x.toFixed(4)),
  ),
};
if (wantsJson()) process.stdout.write(`${JSON.stringify(figures)}\n`);
else {
  printTable(
    `fleetsim sweep, ${r.cells.length} cells × ${replicas} replicas × ${employees} employees × ${days} day on ${workers} workers (fast mode)`,
    ['what', 'wall s', 'cell employee-days / min', 'events / s'],
    [
      ['sweep (all cells share each employee-day)', wallS, figures.cell_employee_days_per_min, figures.events_per_s],
      [
        'baseline: generating the events only (estimate from a slice)',
        baselineWallS,
        Math.round(cellEmployeeDays / (baselineWallS / 60)),
        Math.round(r.events / baselineWallS),
      ],
      [
        'agent path at 0.1 CPU-s per employee-day (estimate)',
        figures.agent_path_wall_s_estimate_at_0_1_cpu_s,
        Math.round(cellEmployeeDays / (figures.agent_path_wall_s_estimate_at_0_1_cpu_s / 60)),
        0,
      ],
    ],
  );
  process.stdout.write(
    `\nsweep ÷ generation only: ${figures.sweep_over_generation}x; yield across cells ${figures.yield_range.join(' – ')}\n`,
  );
}
