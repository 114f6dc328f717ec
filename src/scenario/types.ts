import type { AgentConfig } from '../agent/index.js';
import type { BehaviourParams } from '../behaviour/index.js';
import type { EnergyModel } from '../metrics/energy.js';
import type { PopulationParams } from '../population/index.js';
import type { PolicyRules } from '../policy/index.js';

/** Where the fleet uploads: the ingest service started on loopback for the run, or a running one. */
export type IngestTarget =
  | { readonly kind: 'embedded'; readonly store: 'sqlite' }
  | {
      readonly kind: 'url';
      readonly url: string;
      /** A URL that is not on loopback is refused unless this is true: a scenario must not load-test someone else's service by accident. */
      readonly allowRemote: boolean;
      /** What the service speaks (src/targets/protocols); the other fields are that protocol's settings, as written. */
      readonly protocol: 'fleetsim' | 'http' | 'otlp-http' | 'adapter';
      /** Relative to the scenario file. */
      readonly adapter?: string;
      /** "Name: value", values may hold ${ENV_NAME}. */
      readonly headers: string[];
      readonly body?: 'wire' | 'ndjson';
      readonly compression?: 'agent' | 'none' | 'gzip';
      readonly encoding?: 'protobuf' | 'json';
      readonly method?: 'POST' | 'PUT';
    }
  /** Process agents that do not speak fleetsim's protocol: a loopback server that accepts any upload, answers `status` after `delayMs`, and counts requests and bytes. */
  | { readonly kind: 'blackhole'; readonly status: number; readonly delayMs: number };

/**
 * The agent under test. `reference`: the capture agent inside the simulator
 * (virtual or paced time). `process`: an agent as its own OS process on the
 * real clock, fed through a real input path; `command` null means the
 * reference agent as a process (`fleetsim agent`). Command and env are as
 * written, placeholders unfilled (src/scenario/placeholders.ts).
 */
export type AgentUnderTest =
  | { readonly kind: 'reference' }
  | {
      readonly kind: 'process';
      readonly command: readonly string[] | null;
      readonly env: Readonly<Record<string, string>>;
      readonly input: 'tap' | 'x11';
      /** Unobserved seconds each agent runs before the window opens (its start-up is paid once per boot, not per hour). */
      readonly settleSeconds: number;
    };

export type TransportKind = 'http' | 'corpus' | 'null';

export interface SimulationSettings {
  readonly days: number;
  /** Local date of the first simulated day, YYYY-MM-DD. */
  readonly startDate: string;
  /** 'max': as fast as the CPU allows; a number: virtual seconds per wall second (1 = real time). */
  readonly speed: 'max' | number;
  /** Paced runs: the slice of simulated time to run, resolved to ms after the start date's 00:00 UTC; null: all of it. */
  readonly window: SimulationWindow | null;
}

export interface SimulationWindow {
  /** Simulated day (1 = the start date) and UTC time of day at which laptops switch on. */
  readonly day: number;
  readonly at: string;
  readonly durationMinutes: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** A window of simulated time, as the file gives it and resolved to ms after the start date's 00:00 UTC. */
interface FaultWindow {
  /** Simulated day (1 = the start date). */
  readonly day: number;
  /** UTC time of day, "HH:MM". */
  readonly at: string;
  readonly durationMinutes: number;
  readonly startMs: number;
  readonly endMs: number;
}

interface FaultInstant {
  readonly day: number;
  readonly at: string;
  readonly atMs: number;
}

/** Faults the run injects. Times are UTC: a fleet spans timezones, an outage does not. */
export type Fault =
  | ({ readonly kind: 'ingest-outage' } & FaultWindow)
  | ({
      readonly kind: 'http-errors';
      readonly status: 429 | 500 | 502 | 503 | 504;
      readonly share: number;
      readonly retryAfterSeconds: number | null;
    } & FaultWindow)
  | ({ readonly kind: 'slow-responses'; readonly delayMs: number; readonly share: number } & FaultWindow)
  | ({ readonly kind: 'connection-resets'; readonly share: number } & FaultWindow)
  | ({ readonly kind: 'ingest-restart'; readonly downSeconds: number } & FaultInstant)
  | ({ readonly kind: 'laptops-offline'; readonly share: number } & FaultWindow)
  | { readonly kind: 'clock-skew'; readonly share: number; readonly maxSkewMinutes: number }
  | { readonly kind: 'duplicate-delivery'; readonly share: number };

export type FaultKind = Fault['kind'];

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A parsed threshold: `ingest.p99_ms < 200`. */
export interface Threshold {
  readonly metric: string;
  readonly op: Comparator;
  readonly value: number;
  /** As written in the file. */
  readonly source: string;
}

export interface OutputSettings {
  /** Reports go to <dir>/<scenario>-<timestamp>/; summary.json is always written. */
  readonly dir: string;
  readonly csv: boolean;
  readonly html: boolean;
}

/** One axis of a sweep grid: a scenario field and the values it takes. */
export interface SweepAxis {
  /** Dotted scenario path, e.g. "policy.pauseCapMinutes", "fleet.pause.reactionWeights", or "agent" (whole AgentConfig values). */
  readonly path: string;
  readonly values: readonly unknown[];
  /** Names of the values, when the file gives them (agent configurations). */
  readonly labels?: readonly string[];
}

export interface SweepSpec {
  /** Runs per grid point, each with a seed derived from the scenario seed and the replica number. */
  readonly replicas: number;
  /** Axes in file order; the grid is their Cartesian product. */
  readonly axes: readonly SweepAxis[];
  /** Number of grid points (product of the axes' lengths; 1 with no axes). */
  readonly points: number;
}

/** One named agent configuration of a side-by-side run. */
export interface AgentConfiguration {
  readonly name: string;
  readonly agent: AgentConfig;
}

/** A validated scenario with every default filled in: what the library runs. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: string;
  readonly fleet: { readonly employees: number };
  readonly population: PopulationParams;
  readonly behaviour: BehaviourParams;
  readonly rules: PolicyRules;
  readonly agent: AgentConfig;
  /** Which agent runs: the in-simulator reference agent (default) or an agent process. */
  readonly agentUnderTest: AgentUnderTest;
  readonly energy: EnergyModel;
  readonly ingest: IngestTarget;
  readonly transport: TransportKind;
  readonly simulation: SimulationSettings;
  readonly faults: readonly Fault[];
  readonly thresholds: readonly Threshold[];
  readonly outputs: OutputSettings;
  readonly sweep?: SweepSpec;
  /** Agent configurations `fleetsim run` measures side by side, each merged over the library defaults. */
  readonly agents?: readonly AgentConfiguration[];
  /** Both sides of a one-command comparison, each the whole scenario with its overrides merged in. */
  readonly compare?: { readonly replicas: number; readonly baseline: Scenario; readonly candidate: Scenario };
  /** The file it came from ('' when resolved from a value). */
  readonly source: string;
}
