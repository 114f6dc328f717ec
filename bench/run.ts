/**
 * npm run bench:run [-- --json] [--employees N]
 *
 * Simulation speed of `fleetsim run` at full event fidelity (every input event
 * through the real agent): employee-days per wall-minute for the 10,000-employee
 * rollout scenario with transport null (pure modelling) and transport http (real
 * uploads to the embedded ingest service on loopback), same employees, same
 * run. By default a 400-employee slice of that fleet; --employees 10000 runs it
 * all (about 20 minutes on 2 cores).
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, runScenario, type Scenario } from '../src/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

const employees = intFlag('employees', 400);
const base = loadScenarioFile(join(import.meta.dirname, '../../scenarios/rollout-10k.yaml'));
const workers = availableParallelism();

async function speed(transport: Scenario['transport']): Promise<{ perMin: number; eventsPerS: number; wallS: number }> {
  const s: Scenario = { ...base, fleet: { employees }, transport, thresholds: [] };
  const r = await runScenario(s, { reportDir: mkdtempSync(join(tmpdir(), `fleetsim-bench-run-${transport}-`)), workers });
  return { perMin: r.figures.simulation.employee_days_per_min, eventsPerS: r.figures.simulation.events_per_s, wallS: r.figures.simulation.wall_seconds };
}

const nul = await speed('null');
const http = await speed('http');
const figures = {
  employees,
  workers,
  employee_days_per_min_null: nul.perMin,
  employee_days_per_min_http: http.perMin,
  http_over_null: Number((http.perMin / nul.perMin).toFixed(2)),
  events_per_s_null: nul.eventsPerS,
  events_per_s_http: http.eventsPerS,
  // Real-time mode (speed: 1) is not built yet: nothing measured, nothing claimed.
  realtime_laptops: null,
};
if (wantsJson()) process.stdout.write(`${JSON.stringify(figures)}\n`);
else {
  printTable(`fleetsim run, rollout-10k settings, ${employees} employees × 1 day on ${workers} workers (full event fidelity)`, ['transport', 'employee-days / min', 'input events / s', 'wall s'], [
    ['null (modelling only)', nul.perMin, nul.eventsPerS, nul.wallS],
    ['http (embedded ingest, SQLite)', http.perMin, http.eventsPerS, http.wallS],
  ]);
  process.stdout.write('\nreal-time laptops: not measured (speed: 1 is not built yet)\n');
}
