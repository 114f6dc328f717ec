/**
 * The flags of `fleetsim agent`, checked and resolved into what the process
 * runs with. Every bad value is a UsageError naming the flag and what is
 * allowed; the scenario's own errors come from the scenario loader, which is
 * imported only for --scenario (a run hands its agents --settings instead).
 */
import { AGENT_LIMITS, DEFAULT_AGENT_CONFIG, type AgentConfig } from '../agent/index.js';
import { UsageError } from '../errors.js';
import { wholeNumberFlag } from '../ranges.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../policy/index.js';
import type { InputSpec } from './input.js';
import { readAgentSettingsFile, type AgentSettings } from './settings.js';

export interface AgentProcessOptions {
  /** The ingest service's base URL (http://host:port); uploads go to /v1/batches. */
  readonly url: string;
  readonly fleetSecret: string;
  readonly deviceId: string;
  /** IANA timezone for the capture-hours rule; absent: UTC. */
  readonly timezone?: string;
  /** The agent's clock = wall clock + this. */
  readonly timeOffsetMs: number;
  readonly input: InputSpec;
  readonly controlPath?: string;
  readonly statsFile?: string;
  readonly agentConfig: AgentConfig;
  readonly rules: PolicyRules;
  /** Seeds batch ids and retry jitter (with the device id and start time). */
  readonly seed: string;
  /** On SIGTERM, how long uploads may take before they are cut. */
  readonly drainTimeoutMs: number;
  /** The first batch sequence number (a restarted agent continues its laptop's numbering). */
  readonly firstSequence: number;
}

export interface AgentFlags {
  readonly url?: string;
  readonly fleetSecret?: string;
  readonly deviceId?: string;
  readonly timezone?: string;
  readonly timeOffsetMs?: unknown;
  readonly input?: string;
  readonly tapSocket?: string;
  readonly display?: string;
  readonly control?: string;
  readonly statsFile?: string;
  readonly scenario?: string;
  /** A settings file a run wrote (settings.ts); instead of --scenario. */
  readonly settings?: string;
  readonly drainTimeoutMs?: unknown;
  readonly firstSequence?: unknown;
  /** Overrides the scenario's agent.inputReadIntervalMs. */
  readonly readIntervalMs?: unknown;
}

/** --read-interval-ms overrides agent.inputReadIntervalMs, so it takes what that field takes. */
const READ_INTERVAL = AGENT_LIMITS.inputReadIntervalMs;
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A year either way: a larger offset is a unit mistake (seconds for ms, or µs). */
const MAX_OFFSET_MS = 366 * 86_400_000;

export async function resolveAgentOptions(f: AgentFlags, env: NodeJS.ProcessEnv = process.env): Promise<AgentProcessOptions> {
  const url = required('url', f.url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be the ingest service's base URL like http://127.0.0.1:8080, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:')
    throw new UsageError(`--url must be an http:// URL (the agent's transport speaks plain HTTP), got ${JSON.stringify(url)}`);
  const fleetSecret = f.fleetSecret ?? env.FLEETSIM_FLEET_SECRET;
  if (!fleetSecret || fleetSecret.length < 16)
    throw new UsageError('--fleet-secret (or $FLEETSIM_FLEET_SECRET) must be given, at least 16 characters: the agent enrolls with it');
  const deviceId = required('device-id', f.deviceId);
  if (!DEVICE_ID.test(deviceId))
    throw new UsageError(
      `--device-id must be 1–128 characters of letters, digits and . _ : - (starting with a letter or digit), got ${JSON.stringify(deviceId)}`,
    );
  if (f.timezone !== undefined) checkTimezone(f.timezone);
  const input = inputSpec(f);
  const timeOffsetMs = wholeNumberFlag('time-offset-ms', f.timeOffsetMs ?? 0, -MAX_OFFSET_MS, MAX_OFFSET_MS);
  const drainTimeoutMs = wholeNumberFlag('drain-timeout-ms', f.drainTimeoutMs ?? 10_000, 0, 600_000);
  const firstSequence = wholeNumberFlag('first-sequence', f.firstSequence ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const settings = await agentSettings(f);
  let agentConfig = settings.agent;
  const { rules, seed } = settings;
  if (f.readIntervalMs !== undefined)
    agentConfig = {
      ...agentConfig,
      inputReadIntervalMs: wholeNumberFlag('read-interval-ms', f.readIntervalMs, READ_INTERVAL.min, READ_INTERVAL.max),
    };
  return {
    url,
    fleetSecret,
    deviceId,
    ...(f.timezone !== undefined ? { timezone: f.timezone } : {}),
    timeOffsetMs,
    input,
    ...(f.control !== undefined ? { controlPath: required('control', f.control) } : {}),
    ...(f.statsFile !== undefined ? { statsFile: required('stats-file', f.statsFile) } : {}),
    agentConfig,
    rules,
    seed,
    drainTimeoutMs,
    firstSequence,
  };
}

/** The agent: and policy: settings and seed: from --settings, from --scenario, or the built-in defaults. */
async function agentSettings(f: AgentFlags): Promise<AgentSettings> {
  if (f.settings !== undefined && f.scenario !== undefined)
    throw new UsageError('--settings and --scenario both give the agent its settings: name one of them');
  if (f.settings !== undefined) return readAgentSettingsFile(required('settings', f.settings));
  if (f.scenario !== undefined) {
    // The same agent: and policy: sections a simulation of this scenario runs with.
    const { loadScenarioFile } = await import('../scenario/index.js');
    const s = loadScenarioFile(required('scenario', f.scenario));
    return { agent: s.agent, rules: s.rules, seed: s.seed };
  }
  return { agent: DEFAULT_AGENT_CONFIG, rules: DEFAULT_POLICY_RULES, seed: 'fleetsim-agent' };
}

function inputSpec(f: AgentFlags): InputSpec {
  const kind = required('input', f.input);
  if (kind === 'tap') {
    if (f.display !== undefined) throw new UsageError('--display is for --input x11; --input tap reads --tap-socket');
    return { kind: 'tap', socketPath: required('tap-socket', f.tapSocket) };
  }
  if (kind === 'x11') {
    if (f.tapSocket !== undefined) throw new UsageError('--tap-socket is for --input tap; --input x11 reads --display');
    const display = required('display', f.display);
    if (!/^:\d+$/.test(display)) throw new UsageError(`--display must be an X display like :99, got ${JSON.stringify(display)}`);
    return { kind: 'x11', display };
  }
  throw new UsageError(`--input must be tap or x11, got ${JSON.stringify(kind)}`);
}

function required(flag: string, v: string | undefined): string {
  if (v === undefined || v.trim() === '') throw new UsageError(`--${flag} is required and must not be empty`);
  return v;
}

function checkTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new UsageError(`--timezone must be an IANA timezone like Europe/Berlin, got ${JSON.stringify(tz)}`);
  }
}
