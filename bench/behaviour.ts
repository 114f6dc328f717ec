/**
 * npm run bench:behaviour [-- --json] [--employees N] [--fleet N]
 *
 * Raw input events generated per second of CPU on one core, by the real
 * generator writing columnar blocks, side by side with a naive baseline in
 * the same run: the same models and the same seeded employees, but every
 * event an object kept in an array until the day is done (what a generator
 * without columnar blocks does). Then employee-days per wall-minute of the
 * whole fleet generator on every core (piscina pool).
 */
import './lib/flag-errors.js';
import { availableParallelism } from 'node:os';
import { DEFAULT_BEHAVIOUR_PARAMS, simulateEmployeeDay, type DayEnvironment } from '../src/behaviour/index.js';
import { EventType, EventWriter, type EventOutput } from '../src/events/index.js';
import { generateFleet } from '../src/generate/index.js';
import { ActivityCounter } from '../src/metrics/activity.js';
import { DEFAULT_POLICY_RULES } from '../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../src/population/index.js';
import { createCalendar } from '../src/time/index.js';
import { cpuSeconds, intFlag, median, printTable, wantsJson } from './lib/output.js';

interface InputEventObject {
  t_ms: number;
  type: number;
  key: number;
  x: number;
  y: number;
  button: number;
  context: number;
  flags: number;
}

class ObjectListOutput implements EventOutput {
  events: InputEventObject[] = [];
  push(t_ms: number, type: number, key: number, x: number, y: number, button: number, context: number, flags: number): void {
    this.events.push({ t_ms, type, key, x, y, button, context, flags });
  }
}

const SEED = 'bench-behaviour';
const employees = intFlag('employees', 40);
const fleetEmployees = intFlag('fleet', 400);
const population = DEFAULT_POPULATION_PARAMS;
const env: DayEnvironment = {
  seed: SEED,
  calendar: createCalendar(
    '2026-03-02',
    population.offices.map((o) => o.timezone),
  ),
  behaviour: DEFAULT_BEHAVIOUR_PARAMS,
  pauseTraits: population.pause,
  rules: DEFAULT_POLICY_RULES,
};
const staff = Array.from({ length: employees }, (_, i) => createEmployee(SEED, i, population));

function columnar(): { events: number; cpuS: number } {
  const counter = new ActivityCounter();
  const writer = new EventWriter((b) => counter.add(b));
  const t0 = cpuSeconds();
  for (const e of staff) {
    simulateEmployeeDay(e, 0, env, writer);
    writer.flush();
    counter.reset();
  }
  return { events: writer.total, cpuS: cpuSeconds() - t0 };
}

function naive(): { events: number; cpuS: number } {
  let events = 0;
  let moves = 0;
  const t0 = cpuSeconds();
  for (const e of staff) {
    const out = new ObjectListOutput();
    simulateEmployeeDay(e, 0, env, out);
    for (const ev of out.events) if (ev.type === EventType.mousemove) moves++;
    events += out.events.length;
  }
  if (moves < 0) throw new Error('unreachable: keeps the count alive');
  return { events, cpuS: cpuSeconds() - t0 };
}

// Warm up both paths (JIT), then alternate measured runs so drift hits both alike.
columnar();
naive();
const runs = { columnar: [] as number[], naive: [] as number[] };
let eventsPerDay = 0;
for (let r = 0; r < 3; r++) {
  const c = columnar();
  const n = naive();
  if (c.events !== n.events) throw new Error(`baseline produced ${n.events} events, columnar ${c.events}: not the same work`);
  runs.columnar.push(c.events / c.cpuS);
  runs.naive.push(n.events / n.cpuS);
  eventsPerDay = c.events / employees;
}
const eventsPerSecPerCore = median(runs.columnar);
const baselinePerSecPerCore = median(runs.naive);

const workers = availableParallelism();
const fleet = await generateFleet({ employees: fleetEmployees, days: 1, seed: SEED, startDate: '2026-03-02', workers });
const employeeDaysPerMin = fleetEmployees / (fleet.wallMs / 60_000);

const figures = {
  events_per_sec_per_core: Math.round(eventsPerSecPerCore),
  baseline_events_per_sec_per_core: Math.round(baselinePerSecPerCore),
  ratio_to_baseline: Number((eventsPerSecPerCore / baselinePerSecPerCore).toFixed(2)),
  employee_days_per_min: Math.round(employeeDaysPerMin),
  events_per_employee_day: Math.round(eventsPerDay),
  fleet_employees: fleetEmployees,
  fleet_workers: workers,
  fleet_events_per_sec: Math.round(fleet.events / (fleet.wallMs / 1000)),
};

if (wantsJson()) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  printTable(
    `Behaviour generator, one core, ${employees} employee-days (median of 3 alternating runs, CPU time)`,
    ['generator', 'raw events/s per core', 'ratio'],
    [
      ['fleetsim (columnar blocks)', figures.events_per_sec_per_core, figures.ratio_to_baseline],
      ['naive (one object per event)', figures.baseline_events_per_sec_per_core, 1],
    ],
  );
  printTable(
    `Whole fleet generator, ${fleetEmployees} employees × 1 day on ${workers} worker(s)`,
    ['figure', 'value'],
    [
      ['employee-days per wall-minute', figures.employee_days_per_min],
      ['raw events per wall-second', figures.fleet_events_per_sec],
      ['raw events per employee-day', figures.events_per_employee_day],
    ],
  );
}
