/**
 * The options of a small one-day fleet run with every model at its default, in the calling thread, over no network:
 * what most tests of the run layer start from, overriding what they are about.
 */
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import type { FleetRunOptions } from '../../src/run/index.js';

export function fleetOptions(o: Pick<FleetRunOptions, 'seed' | 'employees'> & Partial<FleetRunOptions>): FleetRunOptions {
  return {
    days: 1,
    startDate: '2026-03-03',
    population: DEFAULT_POPULATION_PARAMS,
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    rules: DEFAULT_POLICY_RULES,
    agent: DEFAULT_AGENT_CONFIG,
    energy: DEFAULT_ENERGY_MODEL,
    transport: { kind: 'null' },
    workers: 0,
    ...o,
  };
}
