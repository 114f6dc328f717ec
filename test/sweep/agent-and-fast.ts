import { expect } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import type { PolicyRules } from '../../src/policy/index.js';
import type { PopulationParams } from '../../src/population/index.js';
import { runFleet, type FleetRunOptions, type FleetRunResult } from '../../src/run/index.js';
import { runFastTask, type CellTally } from '../../src/sweep/index.js';
import { createCalendar, type SimulationCalendar } from '../../src/time/index.js';

/** A fleet both paths can run: the rest (behaviour, agent, energy) at the defaults. */
export interface SameFleet {
  readonly seed: string;
  readonly employees: number;
  readonly days: number;
  readonly startDate: string;
  readonly population: PopulationParams;
  readonly rules: PolicyRules;
}

/** The calendar of the fleet's offices from its start date. */
export function fleetCalendar(f: SameFleet): SimulationCalendar {
  return createCalendar(
    f.startDate,
    f.population.offices.map((o) => o.timezone),
  );
}

/** The fleet through the real agent, in this thread; transport null unless given. */
export function runAgentFleet(f: SameFleet, transport: FleetRunOptions['transport'] = { kind: 'null' }): Promise<FleetRunResult> {
  return runFleet({
    ...f,
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    agent: DEFAULT_AGENT_CONFIG,
    energy: DEFAULT_ENERGY_MODEL,
    transport,
    workers: 0,
  });
}

/** The same fleet in fast mode, as the one cell of a sweep: its tally. */
function fastTally(f: SameFleet): CellTally {
  return runFastTask({
    seed: f.seed,
    from: 0,
    to: f.employees,
    days: f.days,
    calendar: fleetCalendar(f),
    population: f.population,
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    cells: [{ rules: f.rules, pause: f.population.pause, exemptionRequestShare: f.population.exemptionRequestShare }],
  }).tallies[0]!;
}

/**
 * Runs the fleet both ways (the agent over transport null) and expects them to
 * agree: the same events produced, the agent's paused, exempt, lost and
 * still-spooled events exactly fast mode's uncaptured ones, the same laptops
 * exempt. Returns both for the test's own checks.
 */
export async function expectAgentDropsWhatFastDrops(f: SameFleet): Promise<{ fleet: FleetRunResult; tally: CellTally }> {
  const fleet = await runAgentFleet(f);
  const t = fastTally(f);
  const l = fleet.ledger;
  expect(t.produced).toBe(l.produced);
  expect(t.produced - t.captured).toBe(l.dropped_paused + l.dropped_exempt + l.lost + l.spooled);
  expect(t.exempt).toBe(fleet.laptops.filter((x) => x.exempt).length);
  return { fleet, tally: t };
}
