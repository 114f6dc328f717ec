/**
 * npm run bench:run [-- --json] [--employees N]
 *
 * Simulation speed of `fleetsim run` at full event fidelity (every input event
 * through the real agent): employee-days per wall-minute for the 10,000-employee
 * rollout scenario with transport null (pure modelling) and transport http (real
 * uploads to the embedded ingest service on loopback), same employees, same
 * run. By default a 400-employee slice of that fleet; --employees 10000 runs it
 * all (about 20 minutes on 2 cores). The same runs with a cheaper candidate
 * agent (brotli-5, 900 s batches) follow, side by side.
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, runScenario, type Scenario } from '../src/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

const employees = intFlag('employees', 400);
const base = loadScenarioFile(join(import.meta.dirname, '../../scenarios/rollout-10k.yaml'));
const workers = availableParallelism();

/**
 * The agent's compression is most of a simulated laptop-day's CPU (brotli-10 ≈ 100 ms of
 * ~160), so the same run is also timed with a cheaper candidate agent side by side:
 * brotli-5 over 900 s batches, which bench:agent measures within 1.3x of the floor too.
 */
const CANDIDATE_AGENT = { ...base.agent, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 900_000 } as const satisfies Scenario['agent'];

async function speed(transport: Scenario['transport'], agent: Scenario['agent'] = base.agent): Promise<{ perMin: number; eventsPerS: number; wallS: number }> {
  const s: Scenario = { ...base, fleet: { employees }, transport, agent, thresholds: [] };
  const r = await runScenario(s, { reportDir: mkdtempSync(join(tmpdir(), `fleetsim-bench-run-${transport}-`)), workers });
  return { perMin: r.figures.simulation.employee_days_per_min, eventsPerS: r.figures.simulation.events_per_s, wallS: r.figures.simulation.wall_seconds };
}

// Each pair back to back, so a neighbour's load on a shared machine hits both alike.
const nul = await speed('null');
const nulCandidate = await speed('null', CANDIDATE_AGENT);
const http = await speed('http');
const httpCandidate = await speed('http', CANDIDATE_AGENT);
const figures = {
  employees,
  workers,
  employee_days_per_min_null: nul.perMin,
  employee_days_per_min_http: http.perMin,
  http_over_null: Number((http.perMin / nul.perMin).toFixed(2)),
  events_per_s_null: nul.eventsPerS,
  events_per_s_http: http.eventsPerS,
  employee_days_per_min_null_br5_900s: nulCandidate.perMin,
  employee_days_per_min_http_br5_900s: httpCandidate.perMin,
  br5_900s_over_default_null: Number((nulCandidate.perMin / nul.perMin).toFixed(2)),
  br5_900s_over_default_http: Number((httpCandidate.perMin / http.perMin).toFixed(2)),
  // Real-time mode (speed: 1) is not built yet: nothing measured, nothing claimed.
  realtime_laptops: null,
};
if (wantsJson()) process.stdout.write(`${JSON.stringify(figures)}\n`);
else {
  printTable(`fleetsim run, rollout-10k settings, ${employees} employees × 1 day on ${workers} workers (full event fidelity)`, ['transport', 'employee-days / min', 'input events / s', 'wall s'], [
    ['null (modelling only)', nul.perMin, nul.eventsPerS, nul.wallS],
    ['http (embedded ingest, SQLite)', http.perMin, http.eventsPerS, http.wallS],
    ['null, agent br-5 900 s (candidate)', nulCandidate.perMin, nulCandidate.eventsPerS, nulCandidate.wallS],
    ['http, agent br-5 900 s (candidate)', httpCandidate.perMin, httpCandidate.eventsPerS, httpCandidate.wallS],
  ]);
  process.stdout.write(`\ncandidate agent over default: ${figures.br5_900s_over_default_null}x (null), ${figures.br5_900s_over_default_http}x (http)\n`);
  process.stdout.write('real-time laptops: not measured (speed: 1 is not built yet)\n');
}
