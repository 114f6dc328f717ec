/**
 * Defaults of the scenario's own settings. Everything else defaults to the
 * library's DEFAULT_* constants (DEFAULT_POPULATION_PARAMS,
 * DEFAULT_BEHAVIOUR_PARAMS, DEFAULT_POLICY_RULES, DEFAULT_AGENT_CONFIG,
 * DEFAULT_ENERGY_MODEL), field by field.
 */
import type { IngestTarget, OutputSettings, SimulationSettings, TransportKind } from './types.js';

export const DEFAULTS = {
  /** Same default as `fleetsim generate --seed`. */
  seed: '1',
  /** Same default as `fleetsim generate --employees`. */
  employees: 100,
  ingest: { kind: 'embedded', store: 'sqlite' } as IngestTarget,
  transport: 'http' as TransportKind,
  simulation: {
    days: 1,
    // A Monday, so a one-day scenario is a working day.
    startDate: '2026-03-02',
    speed: 'max',
    window: null,
  } as SimulationSettings,
  outputs: { dir: 'reports', csv: true, html: true } as OutputSettings,
  sweepReplicas: 3,
} as const;
