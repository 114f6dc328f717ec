/**
 * The agent's settings as a file, for `fleetsim agent --settings`: a
 * scenario's agent: and policy: sections and its seed, as a run validated
 * them (with --set and configurations applied). A run writes one for its
 * agent processes, so each reads a small JSON file instead of loading the
 * scenario loader (zod, yaml and the models' defaults: about 12 MB of heap
 * per laptop). Every field is checked for its type here; ranges were checked
 * when the scenario was.
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '../agent/index.js';
import { UsageError } from '../errors.js';
import { X11_CAPTURE_METHODS } from '../input/x11/index.js';
import type { PolicyRules } from '../policy/index.js';
import { CODEC_LEVELS } from '../wire/index.js';
import { shapeProblem, type Shape } from './shape.js';

/** Names the file's format, so a reader knows what it holds and a later version can be told apart. */
export const AGENT_SETTINGS_FORMAT = 'fleetsim-agent-settings/1';

export interface AgentSettings {
  /** Seeds batch ids and retry jitter (with the device id and start time). */
  readonly seed: string;
  readonly agent: AgentConfig;
  readonly rules: PolicyRules;
}

const AGENT_SHAPE: Shape = {
  fields: {
    agentVersion: 'string',
    batchMaxAgeMs: 'amount',
    batchMaxEvents: 'count',
    coalesce: { tag: 'mode', variants: { none: {}, rate: { maxRateHz: 'amount' }, path: { maxErrorPx: 'amount' } } },
    movementGapMs: 'amount',
    codec: { oneOf: ['identity', ...Object.keys(CODEC_LEVELS)] },
    compressionLevel: { optional: 'count' },
    contentFilter: {
      fields: {
        extraSensitiveContexts: { list: 'count' },
        cardNumbers: 'boolean',
        nationalIds: 'boolean',
        emails: 'boolean',
        secrets: 'boolean',
        secretMinLength: 'count',
        cueWords: { list: 'string' },
      },
    },
    upload: { fields: { retryBaseMs: 'amount', retryMaxMs: 'amount', retryableStatuses: { list: 'count' }, spoolMaxBytes: 'count' } },
    inputReadIntervalMs: 'count',
    x11Capture: { oneOf: X11_CAPTURE_METHODS },
    sourceMoveRateHz: 'amount',
  },
};

const POLICY_SHAPE: Shape = {
  fields: {
    pauseCapMinutes: 'amount',
    maxPausesPerDay: { nullable: 'count' },
    cooldownMinutes: 'amount',
    exemptionApprovalRate: 'amount',
    exemptionReviewDays: 'count',
    captureHours: { nullable: { fields: { startHour: 'amount', endHour: 'amount' } } },
  },
};

const FILE_SHAPE: Shape = {
  fields: { format: { oneOf: [AGENT_SETTINGS_FORMAT] }, seed: 'string', agent: AGENT_SHAPE, policy: POLICY_SHAPE },
};

/** The file's text. */
export function agentSettingsJson(s: AgentSettings): string {
  return `${JSON.stringify({ format: AGENT_SETTINGS_FORMAT, seed: s.seed, agent: s.agent, policy: s.rules }, null, 2)}\n`;
}

/** Reads and checks a settings file; a file that cannot be read or does not fit is a UsageError naming the file and the field. */
export function readAgentSettingsFile(path: string): AgentSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--settings: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `--settings: ${path} is not JSON (${(e as Error).message}); fleetsim run writes it from a scenario's agent: and policy:`,
    );
  }
  const problem = shapeProblem(data, FILE_SHAPE, 'settings');
  if (problem !== null) throw new UsageError(`--settings: ${path}: ${problem}`);
  const d = data as { seed: string; agent: AgentConfig; policy: PolicyRules };
  return { seed: d.seed, agent: d.agent, rules: d.policy };
}
