/**
 * The agent's settings as a file, for `fleetsim agent --settings`: a
 * scenario's agent: and policy: sections and its seed, as a run validated
 * them (with --set and configurations applied). A run writes one for its
 * agent processes, so each reads a small JSON file instead of loading the
 * scenario loader (zod, yaml and the models' defaults: about 12 MB of heap
 * per laptop). The file is checked as the scenario's sections are, field by
 * field against the same ranges and rules (src/agent/limits.ts,
 * src/policy/limits.ts, src/random/seed.ts, the codecs' levels), since a
 * person can edit it.
 */
import { readFileSync } from 'node:fs';
import {
  AGENT_LIMITS,
  AGENT_VERSION_LENGTH,
  COALESCE_LIMITS,
  CONTENT_FILTER_LIMITS,
  UPLOAD_LIMITS,
  UPLOAD_ORDERED,
  X11_CAPTURE_METHODS,
  type AgentConfig,
  type ListLimits,
} from '../agent/index.js';
import { UsageError } from '../errors.js';
import { CAPTURE_HOURS_LIMITS, POLICY_LIMITS, captureHoursProblem, type PolicyRules } from '../policy/index.js';
import { SEED_LIMITS } from '../random/index.js';
import type { NumberRange } from '../ranges.js';
import { ANY_COMPRESSION_LEVEL, availableCodecs, compressionLevelProblem, type Codec } from '../wire/index.js';
import { shapeProblem, type Shape } from './shape.js';

/** Names the file's format, so a reader knows what it holds and a later version can be told apart. */
export const AGENT_SETTINGS_FORMAT = 'fleetsim-agent-settings/1';

export interface AgentSettings {
  /** Seeds batch ids and retry jitter (with the device id and start time). */
  readonly seed: string;
  readonly agent: AgentConfig;
  readonly rules: PolicyRules;
}

const num = (r: NumberRange): Shape => ({ number: r });
const listOf = (l: ListLimits<unknown>, item: Shape): Shape => ({ list: item, length: l.length, what: l.what });

const AGENT_SHAPE: Shape = {
  fields: {
    agentVersion: { text: AGENT_VERSION_LENGTH },
    batchMaxAgeMs: num(AGENT_LIMITS.batchMaxAgeMs),
    batchMaxEvents: num(AGENT_LIMITS.batchMaxEvents),
    coalesce: {
      tag: 'mode',
      variants: { none: {}, rate: { maxRateHz: num(COALESCE_LIMITS.maxRateHz) }, path: { maxErrorPx: num(COALESCE_LIMITS.maxErrorPx) } },
    },
    movementGapMs: num(AGENT_LIMITS.movementGapMs),
    codec: { oneOf: availableCodecs() },
    compressionLevel: { optional: num(ANY_COMPRESSION_LEVEL) },
    contentFilter: {
      fields: {
        extraSensitiveContexts: listOf(
          CONTENT_FILTER_LIMITS.extraSensitiveContexts,
          num(CONTENT_FILTER_LIMITS.extraSensitiveContexts.item),
        ),
        cardNumbers: 'boolean',
        nationalIds: 'boolean',
        emails: 'boolean',
        secrets: 'boolean',
        secretMinLength: num(CONTENT_FILTER_LIMITS.secretMinLength),
        cueWords: listOf(CONTENT_FILTER_LIMITS.cueWords, { text: CONTENT_FILTER_LIMITS.cueWords.item }),
      },
    },
    upload: {
      fields: {
        retryBaseMs: num(UPLOAD_LIMITS.retryBaseMs),
        retryMaxMs: num(UPLOAD_LIMITS.retryMaxMs),
        retryableStatuses: listOf(UPLOAD_LIMITS.retryableStatuses, num(UPLOAD_LIMITS.retryableStatuses.item)),
        spoolMaxBytes: num(UPLOAD_LIMITS.spoolMaxBytes),
      },
      ordered: UPLOAD_ORDERED,
    },
    inputReadIntervalMs: num(AGENT_LIMITS.inputReadIntervalMs),
    x11Capture: { oneOf: X11_CAPTURE_METHODS },
    sourceMoveRateHz: num(AGENT_LIMITS.sourceMoveRateHz),
  },
  rule: (a) => {
    const message = compressionLevelProblem(a.codec as Codec, a.compressionLevel as number | undefined);
    return message === null ? null : { field: 'compressionLevel', message };
  },
};

const POLICY_SHAPE: Shape = {
  fields: {
    pauseCapMinutes: num(POLICY_LIMITS.pauseCapMinutes),
    maxPausesPerDay: { nullable: num(POLICY_LIMITS.maxPausesPerDay) },
    cooldownMinutes: num(POLICY_LIMITS.cooldownMinutes),
    exemptionApprovalRate: num(POLICY_LIMITS.exemptionApprovalRate),
    exemptionReviewDays: num(POLICY_LIMITS.exemptionReviewDays),
    captureHours: {
      nullable: {
        fields: { startHour: num(CAPTURE_HOURS_LIMITS.startHour), endHour: num(CAPTURE_HOURS_LIMITS.endHour) },
        rule: (h) => captureHoursProblem(h as NonNullable<PolicyRules['captureHours']>),
      },
    },
  },
};

const FILE_SHAPE: Shape = {
  fields: { format: { oneOf: [AGENT_SETTINGS_FORMAT] }, seed: { text: SEED_LIMITS.text }, agent: AGENT_SHAPE, policy: POLICY_SHAPE },
};

/** The file's text. */
export function agentSettingsJson(s: AgentSettings): string {
  return `${JSON.stringify({ format: AGENT_SETTINGS_FORMAT, seed: s.seed, agent: s.agent, policy: s.rules }, null, 2)}\n`;
}

/** The first thing wrong with a settings file's parsed JSON, as "settings.<field> must …, got …", or null when it fits. */
export function agentSettingsProblem(data: unknown): string | null {
  return shapeProblem(data, FILE_SHAPE, 'settings');
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
  const problem = agentSettingsProblem(data);
  if (problem !== null) throw new UsageError(`--settings: ${path}: ${problem}`);
  const d = data as { seed: string; agent: AgentConfig; policy: PolicyRules };
  return { seed: d.seed, agent: d.agent, rules: d.policy };
}
