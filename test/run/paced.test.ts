import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { computeRunFigures, runFleet, type FleetRunOptions, type LaptopRow } from '../../src/run/index.js';

const HOUR = 3_600_000;

const base: FleetRunOptions = {
  seed: 'paced',
  employees: 4,
  days: 2,
  startDate: '2026-03-03',
  population: DEFAULT_POPULATION_PARAMS,
  behaviour: DEFAULT_BEHAVIOUR_PARAMS,
  // Short caps and asks that are always approved: exemptions start on day 2 for some laptops.
  rules: { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 5, exemptionApprovalRate: 1 },
  agent: DEFAULT_AGENT_CONFIG,
  energy: DEFAULT_ENERGY_MODEL,
  transport: { kind: 'null' },
  workers: 0,
};

/**
 * Everything but what is measured on this machine: CPU time and the battery
 * figure built on it, and freshness (a paced clock acknowledges an upload
 * when the wall clock gets there: at 250,000x a ms of lateness is 4 minutes).
 */
function simulated(rows: readonly LaptopRow[]) {
  return rows.map(
    ({ agent_cpu_seconds: _c, battery_pct_per_day: _b, freshness_p50_s: _f50, freshness_p95_s: _f95, freshness_max_s: _fmax, ...rest }) =>
      rest,
  );
}

describe('paced runs (simulation.speed a number)', () => {
  it('give the agent exactly what a virtual-time run gives it: same ledger, rows and hours, whatever the pace', async () => {
    const virtual = await runFleet(base);
    // Two days and their overnight drain (~60 simulated hours) in about a second.
    const paced = await runFleet({ ...base, pacing: { speed: 250_000 } });
    expect(ledgerImbalance(paced.ledger)).toBe(0);
    expect(paced.ledger).toEqual(virtual.ledger);
    expect(simulated(paced.laptops)).toEqual(simulated(virtual.laptops));
    expect(paced.hours).toEqual(virtual.hours);
    expect(paced.laptops.some((l) => l.exempt)).toBe(true);
    expect(paced.paced?.speed).toBe(250_000);
  });

  it('runs only its window: laptops switch on at its start, nothing is produced after its end, and it cannot finish before the window has passed on the wall clock', async () => {
    const speed = 3_600; // an hour a second
    const fromMs = 9 * HOUR; // day 1 09:00 UTC, office hours in Europe
    const r = await runFleet({
      ...base,
      employees: 12,
      days: 1,
      transport: { kind: 'null' },
      workers: 2,
      pacing: { speed, fromMs, untilMs: fromMs + 2 * HOUR },
    });
    expect(ledgerImbalance(r.ledger)).toBe(0);
    expect(r.ledger.produced).toBeGreaterThan(0);
    const startDateUtcMs = Date.UTC(2026, 2, 3);
    const hourOf = (utcMs: number) => Math.floor((utcMs - r.epochUtcMs) / HOUR);
    const hours = Object.keys(r.hours)
      .map(Number)
      .filter((h) => (r.hours[h]?.produced ?? 0) > 0);
    expect(Math.min(...hours)).toBeGreaterThanOrEqual(hourOf(startDateUtcMs + fromMs));
    expect(Math.max(...hours)).toBeLessThan(hourOf(startDateUtcMs + fromMs + 2 * HOUR));
    // Two simulated hours at 3,600x take at least two wall seconds (a lower bound: a slow machine only adds).
    expect(r.wallMs).toBeGreaterThanOrEqual(2_000 - 20);
    const f = computeRunFigures(r, DEFAULT_ENERGY_MODEL.batteryWh);
    expect(f.paced?.from_utc).toBe(new Date(startDateUtcMs + fromMs).toISOString());
    expect(f.paced?.timers).toBeGreaterThan(0);
  });

  it('lists laptops in employee order whatever --workers, as virtual-time runs do (laptops.csv is the same)', async () => {
    // Ten simulated minutes at 3,600x; 4 one-laptop shards, so 2 workers each run laptops that are not neighbours.
    const pacing = { speed: 3_600, fromMs: 14 * HOUR, untilMs: 14 * HOUR + 10 * 60_000 };
    const one = await runFleet({ ...base, days: 1, workers: 0, shardSize: 1, pacing });
    const two = await runFleet({ ...base, days: 1, workers: 2, shardSize: 1, pacing });
    const ids = ['E000000', 'E000001', 'E000002', 'E000003'];
    expect(one.laptops.map((l) => l.employee_id)).toEqual(ids);
    expect(two.laptops.map((l) => l.employee_id)).toEqual(ids);
    expect(simulated(two.laptops)).toEqual(simulated(one.laptops));
  });
});
