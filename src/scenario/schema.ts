/**
 * The scenario file schema (zod 4). Every section mirrors a library parameter
 * object and defaults field by field from its DEFAULT_* constant, so a file
 * states only what it changes (deep merge). Merge rules (also in the JSON
 * Schema's top-level description, which editors show):
 *
 * - Mappings of named settings (fleet.typing, policy, agent.upload, …) merge:
 *   fields the file leaves out keep their defaults.
 * - Mixes of weights (fleet.departmentMix, fleet.officeMix, each department
 *   in fleet.roleMix, fleet.pause.reactionWeights) replace: a mix in the file
 *   is the whole mix, keys it leaves out weigh 0, so weights mean what the
 *   file says. fleet.roleMix merges by department (a department the file does
 *   not name keeps its default role mix).
 * - Lists (offices, workdays, hourlyActivity, cueWords, faults, thresholds, …)
 *   replace.
 * - Alternatives (agent.coalesce, ingest, policy.captureHours) replace: give
 *   the whole alternative, starting with its `mode`/`kind`.
 * - agent.codec and agent.compressionLevel go together: a file that sets the
 *   codec but not the level gets that codec's own default level (CODEC_LEVELS).
 */
import { protocolSpec } from '../targets/protocols/index.js';
import { z } from 'zod';
import {
  AGENT_LIMITS,
  AGENT_VERSION_LENGTH,
  COALESCE_LIMITS,
  CONTENT_FILTER_LIMITS,
  DEFAULT_AGENT_CONFIG,
  DEFAULT_CONTENT_FILTER_RULES,
  DEFAULT_UPLOAD_CONFIG,
  UPLOAD_LIMITS,
  UPLOAD_ORDERED,
  X11_CAPTURE_METHODS,
  type ContentFilterRules,
  type UploadConfig,
} from '../agent/index.js';
import {
  DEFAULT_COMPOSITION_PARAMS,
  DEFAULT_MOUSE_MODEL_PARAMS,
  DEFAULT_SCHEDULE_PARAMS,
  DEFAULT_TYPING_MODEL_PARAMS,
} from '../behaviour/index.js';
import type { CompositionParams, ScheduleParams } from '../behaviour/index.js';
import { DEFAULT_ENERGY_MODEL, type EnergyModel } from '../metrics/energy.js';
import {
  DEFAULT_MOUSE_TRAIT_PARAMS,
  DEFAULT_PAUSE_TRAIT_PARAMS,
  DEFAULT_POPULATION_PARAMS,
  DEFAULT_TYPING_TRAIT_PARAMS,
  DEPARTMENT_NAMES,
  ROLE_NAMES,
  type MouseTraitParams,
  type PauseTraitParams,
  type TypingTraitParams,
} from '../population/index.js';
import { isCalendarDate, isKnownTimezone } from '../time/index.js';
import { SEED_LIMITS } from '../random/index.js';
import { describeRange, describeTextLength } from '../ranges.js';
import { CAPTURE_HOURS_LIMITS, DEFAULT_POLICY_RULES, POLICY_LIMITS, captureHoursProblem, type PolicyRules } from '../policy/index.js';
import { ANY_COMPRESSION_LEVEL, CODEC_LEVELS, availableCodecs } from '../wire/index.js';
import {
  UNKNOWN_KEYS_MARK,
  bool,
  field,
  group,
  int,
  list,
  listIn,
  logSigma,
  num,
  oneOf,
  ranged,
  share,
  strict,
  text,
  textIn,
  weight,
  type FieldSpecs,
} from './fields.js';
import { MOUSE_MODEL_FIELDS, TYPING_MODEL_FIELDS } from './model-fields.js';
import { METRIC_PATHS, parseThreshold } from './thresholds.js';
import { DEFAULTS } from './defaults.js';
import { INPUT_KINDS } from '../input/types.js';
import { PLACEHOLDER_NAMES } from './placeholders.js';

// ── weights ──────────────────────────────────────────────────────────────────

/** A mix of weights over known names: replaces the default mix; names left out weigh 0. */
function mix<const K extends readonly [string, ...string[]]>(keys: K, what: string) {
  return z
    .partialRecord(z.enum(keys), weight(), {
      error: (iss) =>
        (iss.code as string) === 'unrecognized_keys' ? UNKNOWN_KEYS_MARK + JSON.stringify(keys) : `must be a mapping of ${what} to weights`,
    })
    .superRefine((v, ctx) => positiveTotal(v, ctx));
}

function positiveTotal(v: Record<string, number | undefined>, ctx: z.core.$RefinementCtx): void {
  const total = Object.values(v).reduce<number>((a, b) => a + (b ?? 0), 0);
  if (!(total > 0))
    ctx.addIssue({
      code: 'custom',
      input: v,
      message: 'must give at least one positive weight',
      params: { kind: 'range', allowed: 'at least one weight above 0' },
    });
}

const CAP_REACTIONS = ['re-pause', 'give-up', 'ask-exemption'] as const;

// ── fleet: PopulationParams ──────────────────────────────────────────────────

export const TYPING_TRAIT_FIELDS: FieldSpecs<TypingTraitParams> = {
  wpmMean: [num(5, 200), 'Mean typing speed across the fleet, words per minute (Dhakal et al. CHI 2018: 51.56).'],
  wpmSd: [num(0, 100, { above: true }), 'SD of typing speed across typists, WPM (Dhakal 2018: 20.2); speeds are gamma-distributed.'],
  wpmMin: [num(1, 300), 'Slowest typist, WPM (draws are clipped).'],
  wpmMax: [num(1, 300), 'Fastest typist, WPM (draws are clipped).'],
  correctionBetaA: [
    num(0, 1_000, { above: true }),
    'Beta(a, b) of the Backspace share of keystrokes: a (mean a/(a+b) = 6.3 %, Dhakal 2018).',
  ],
  correctionBetaB: [num(0, 1_000, { above: true }), 'Beta(a, b) of the Backspace share of keystrokes: b.'],
  correctionWpmCorrelation: [num(-1, 1), 'Correlation of correction share with WPM (fast typists correct less), Gaussian copula.'],
  holdLogMuMean: [num(2, 8), 'Mean over typists of the log-median key hold time (ln ms).'],
  holdLogMuSd: [num(0, 2), 'SD over typists of the log-median key hold time.'],
  holdLogSigmaMean: [num(0, 2), 'Mean within-typist log-spread of key hold time.'],
  holdLogSigmaSd: [num(0, 1), 'SD over typists of the within-typist hold log-spread.'],
  holdScaleLogSigma: [logSigma(), 'Extra per-typist hold-time scale LogNormal(0, this); 0 by default.'],
  hesitationShareMean: [
    num(0, 0.9, { above: true, noun: 'a share' }),
    'Mean share of inter-key intervals that are hesitations at the mean WPM (calibrated 0.07; BEHAVIOUR.md 0.10 counts correction pauses too).',
  ],
  hesitationShareSd: [num(0, 0.5), 'SD of the hesitation share across typists at the mean WPM (assumption).'],
  hesitationWpmExponent: [
    num(0, 3),
    'Hesitation share mean and SD scale as (wpmMean / WPM)^this: slow typists pause more (calibrated 0.5).',
  ],
  hesitationShareMax: [share(), 'Cap on a typist’s hesitation share (assumption).'],
};

export const MOUSE_TRAIT_FIELDS: FieldSpecs<MouseTraitParams> = {
  throughputMean: [num(0.5, 20), 'Mean Fitts throughput, bits/s (Soukoreff & MacKenzie 2004: 3.7–4.9).'],
  throughputSd: [num(0, 10), 'SD of Fitts throughput across employees, bits/s.'],
  throughputMin: [num(0.1, 30), 'Lowest throughput, bits/s (draws are clipped).'],
  throughputMax: [num(0.1, 30), 'Highest throughput, bits/s.'],
  fittsAMean_ms: [num(0, 2_000), 'Mean Fitts intercept a, ms (MacKenzie, Sellen & Buxton 1991).'],
  fittsASd_ms: [num(0, 1_000), 'SD of the Fitts intercept, ms.'],
  fittsAMax_ms: [num(0, 5_000), 'Largest Fitts intercept, ms.'],
  highRateShare: [share(), 'Share of 500/1000 Hz mice among non-touchpad users (assumption).'],
  touchpadShare: [share(), 'Share of touchpad users (assumption; large effect on scroll event counts).'],
  clicksLogMu: [num(0, 10), 'Clicks per active hour ~ LogNormal(this, clicksLogSigma): ln 320 (Balabit 478/h, esure 214/h).'],
  clicksLogSigma: [logSigma(), 'Log-spread of clicks per active hour across employees.'],
  scrollBurstsLogMu: [num(-5, 10), 'Scroll bursts per active hour ~ LogNormal(this, sigma): ln 40 (Balabit).'],
  scrollBurstsLogSigma: [logSigma(), 'Log-spread of scroll bursts per active hour.'],
  leftHandedShare: [share(), 'Share of left-handed mouse users.'],
};

export const PAUSE_TRAIT_FIELDS: FieldSpecs<PauseTraitParams> = {
  neverPauseShare: [share(), 'Share of employees who never pause (assumption; sweep it: pause propensity).'],
  occasionalShare: [
    share(),
    'Share of occasional pausers (λ ~ Gamma(occasional…)); the rest pause frequently. neverPauseShare + occasionalShare ≤ 1.',
  ],
  occasionalGammaShape: [num(0, 100, { above: true }), 'Gamma shape of pauses per day for occasional pausers.'],
  occasionalGammaScale: [num(0, 100, { above: true }), 'Gamma scale of pauses per day for occasional pausers.'],
  frequentGammaShape: [num(0, 100, { above: true }), 'Gamma shape of pauses per day for frequent pausers.'],
  frequentGammaScale: [num(0, 100, { above: true }), 'Gamma scale of pauses per day for frequent pausers.'],
  longPrivacyShare: [share(), 'Share of pauses where the employee wants longer than the cap (a personal call).'],
  longPrivacyLogMuMinutes: [num(0, 8), 'Wanted length of such long pauses ~ LogNormal(this, sigma) minutes: ln 90.'],
  longPrivacyLogSigma: [logSigma(), 'Log-spread of long pause lengths.'],
  untilAutoResumeShare: [share(), 'Share of pauses left to run until auto-resume rather than resumed by hand.'],
  shortPauseMinMinutes: [num(0.5, 1_440), 'Shortest ordinary pause, minutes.'],
  shortPauseMaxMinutes: [num(0.5, 1_440), 'Longest ordinary pause, minutes.'],
  reactionWeights: [
    mix(CAP_REACTIONS, 'reactions'),
    'How people react when the cap cuts a pause short: weights of re-pause, give-up, ask-exemption. Replaces the default mix; reactions left out weigh 0.',
  ],
};

const officeSchema = strict({
  name: text(80).meta({ description: 'Office name; officeMix weighs offices by it.' }),
  timezone: text(64)
    .refine((tz) => isKnownTimezone(tz), { error: 'must be an IANA timezone such as Europe/Berlin or America/New_York' })
    .meta({ description: 'IANA timezone of the office: fixes its employees’ local day.' }),
});

const offices = list(officeSchema, 1, 500, 'offices').superRefine((v, ctx) => {
  const seen = new Set<string>();
  v.forEach((o, i) => {
    if (seen.has(o.name))
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        input: o.name,
        message: 'must be unique: another office has this name',
        params: { kind: 'invalid' },
      });
    seen.add(o.name);
  });
});

const roleMix = mix(ROLE_NAMES, 'roles');

export const fleetSchema = strict({
  employees: field(int(1, 10_000_000), DEFAULTS.employees, 'Employees (laptops) in the fleet.'),
  departmentMix: mix(DEPARTMENT_NAMES, 'departments')
    .optional()
    .meta({
      description: `Relative weights of departments (${DEPARTMENT_NAMES.join(', ')}). Replaces the default mix: departments left out weigh 0.`,
      default: DEFAULT_POPULATION_PARAMS.departmentMix,
    }),
  roleMix: z
    .partialRecord(z.enum(DEPARTMENT_NAMES), roleMix, {
      error: (iss) =>
        (iss.code as string) === 'unrecognized_keys'
          ? UNKNOWN_KEYS_MARK + JSON.stringify(DEPARTMENT_NAMES)
          : 'must be a mapping of departments to role mixes',
    })
    .optional()
    .meta({
      description: `Role weights per department (roles: ${ROLE_NAMES.join(', ')}). Merges by department; each department given replaces that department’s mix.`,
      default: DEFAULT_POPULATION_PARAMS.roleMix,
    }),
  offices: offices.optional().meta({
    description: 'Offices and their IANA timezones (the fleet’s timezones). Replaces the default list.',
    default: DEFAULT_POPULATION_PARAMS.offices,
  }),
  officeMix: z.record(z.string(), weight(), { error: 'must be a mapping of office names to weights' }).optional().meta({
    description:
      'Relative weights of offices by name. Replaces the default mix: offices left out weigh 0 (with no officeMix, offices of a new list weigh 1 each).',
    default: DEFAULT_POPULATION_PARAMS.officeMix,
  }),
  workStartMeanMinutes: field(
    num(0, 1_440),
    DEFAULT_POPULATION_PARAMS.workStartMeanMinutes,
    'Mean habitual local start of work, minutes after midnight (assumption: 08:45).',
  ),
  workStartSdMinutes: field(num(0, 720), DEFAULT_POPULATION_PARAMS.workStartSdMinutes, 'SD of habitual start of work, minutes.'),
  workStartMinMinutes: field(
    num(0, 1_440),
    DEFAULT_POPULATION_PARAMS.workStartMinMinutes,
    'Earliest habitual start, minutes after midnight.',
  ),
  workStartMaxMinutes: field(
    num(0, 1_440),
    DEFAULT_POPULATION_PARAMS.workStartMaxMinutes,
    'Latest habitual start, minutes after midnight.',
  ),
  workLengthMeanMinutes: field(
    num(60, 1_440),
    DEFAULT_POPULATION_PARAMS.workLengthMeanMinutes,
    'Mean length of the working day, minutes (assumption: 8.5 h).',
  ),
  workLengthSdMinutes: field(num(0, 720), DEFAULT_POPULATION_PARAMS.workLengthSdMinutes, 'SD of the working day length, minutes.'),
  activeMinutesLogMu: field(
    num(0, 7.3),
    DEFAULT_POPULATION_PARAMS.activeMinutesLogMu,
    'Active input minutes per workday ~ LogNormal(this, sigma): ln 135 (Wellnomics 2007; RescueTime 2019).',
  ),
  activeMinutesLogSigma: field(
    logSigma(),
    DEFAULT_POPULATION_PARAMS.activeMinutesLogSigma,
    'Log-spread of active minutes over employee-days (0.45).',
  ),
  activeMinutesBetweenEmployeeShare: field(
    share(),
    DEFAULT_POPULATION_PARAMS.activeMinutesBetweenEmployeeShare,
    'Share of that log-variance that is between employees (the rest is day to day).',
  ),
  keyboardShareByRole: group(
    DEFAULT_POPULATION_PARAMS.keyboardShareByRole,
    Object.fromEntries(
      ROLE_NAMES.map((r) => [r, [share(), `Share of a ${r}’s active time at the keyboard (assumption).`]]),
    ) as unknown as FieldSpecs<Record<(typeof ROLE_NAMES)[number], number>>,
    'Share of active time at the keyboard, by role (merges: roles left out keep their defaults).',
  ),
  meetingHoursLogMu: field(
    num(-10, 3),
    DEFAULT_POPULATION_PARAMS.meetingHoursLogMu,
    'Meeting hours per day ~ LogNormal(this, sigma): ln 0.75 (WTI 2023).',
  ),
  meetingHoursLogSigma: field(logSigma(), DEFAULT_POPULATION_PARAMS.meetingHoursLogSigma, 'Log-spread of meeting hours per day.'),
  typing: group(DEFAULT_TYPING_TRAIT_PARAMS, TYPING_TRAIT_FIELDS, 'Per-employee typing traits (TypingTraitParams).', [
    ['wpmMin', 'wpmMax'],
  ]),
  mouse: group(DEFAULT_MOUSE_TRAIT_PARAMS, MOUSE_TRAIT_FIELDS, 'Per-employee pointing traits (MouseTraitParams).', [
    ['throughputMin', 'throughputMax'],
  ]),
  pause: group(
    DEFAULT_PAUSE_TRAIT_PARAMS,
    PAUSE_TRAIT_FIELDS,
    'Pause habits under the pause cap (PauseTraitParams; every value an assumption for sweeps).',
    [['shortPauseMinMinutes', 'shortPauseMaxMinutes']],
  ),
  exemptionRequestShare: field(
    share(),
    DEFAULT_POPULATION_PARAMS.exemptionRequestShare,
    'Share of employees who request an exemption (approval is policy.exemptionApprovalRate).',
  ),
})
  .superRefine((v, ctx) => {
    if (v.workStartMinMinutes > v.workStartMaxMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['workStartMinMinutes'],
        input: v.workStartMinMinutes,
        message: `must be at most workStartMaxMinutes (${v.workStartMaxMinutes})`,
        params: { kind: 'range' },
      });
    const t = v.typing;
    if (t.hesitationShareSd ** 2 >= t.hesitationShareMean * (1 - t.hesitationShareMean)) {
      // A beta distribution with this mean cannot have this spread.
      const most = Math.sqrt(t.hesitationShareMean * (1 - t.hesitationShareMean));
      ctx.addIssue({
        code: 'custom',
        path: ['typing', 'hesitationShareSd'],
        input: t.hesitationShareSd,
        message: `must be below √(mean·(1 − mean)) = ${most.toFixed(4)} for hesitationShareMean ${t.hesitationShareMean}`,
        params: { kind: 'range' },
      });
    }
    if (v.pause.neverPauseShare + v.pause.occasionalShare > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['pause', 'occasionalShare'],
        input: v.pause.occasionalShare,
        message: `must be at most 1 − neverPauseShare (${1 - v.pause.neverPauseShare})`,
        params: { kind: 'range' },
      });
  })
  .prefault({})
  .meta({ description: 'The workforce: how many employees, their departments, roles, offices (timezones) and traits (PopulationParams).' });

// ── behaviour: BehaviourParams ───────────────────────────────────────────────

export const SCHEDULE_FIELDS: FieldSpecs<ScheduleParams> = {
  workdays: [
    list(int(0, 6), 0, 7, 'weekdays (0 Sunday … 6 Saturday)').refine((d) => new Set(d).size === d.length, {
      error: 'must list each weekday at most once',
    }),
    'Local weekdays worked, 0 Sunday … 6 Saturday.',
  ],
  arrivalJitterSdMinutes: [num(0, 240), 'Day-to-day SD of arrival around the habitual start, minutes.'],
  lengthJitterSdMinutes: [num(0, 240), 'Day-to-day SD of the working day length, minutes.'],
  lunchStartMeanMinutes: [num(0, 1_440), 'Mean local lunch start, minutes after midnight (12:15).'],
  lunchStartSdMinutes: [num(0, 240), 'SD of lunch start, minutes.'],
  lunchMinMinutes: [num(0, 240), 'Shortest lunch, minutes.'],
  lunchMaxMinutes: [num(0, 240), 'Longest lunch, minutes.'],
  sessionMedianMinutes: [num(0, 480, { above: true }), 'Median activity session, minutes (LogNormal).'],
  sessionLogSigma: [logSigma(), 'Log-spread of session length.'],
  sessionMaxMinutes: [num(1, 720), 'Longest activity session, minutes.'],
  hourlyActivity: [
    list(num(0, 100), 24, 24, 'relative activity levels, one per local hour 0–23'),
    'Relative activity by local hour 0–23 (morning and afternoon peaks).',
  ],
  meetingActivity: [share(), 'Activity inside meetings relative to desk time (WTI: 20–40 %).'],
  fridayFactor: [num(0, 2), 'Friday active time relative to other days (assumption: 0.9).'],
  meetingMinutesChoices: [
    list(int(5, 480), 1, 20, 'meeting lengths in minutes'),
    'Meeting lengths drawn from (repeat a value to weigh it).',
  ],
};

export const COMPOSITION_FIELDS: FieldSpecs<CompositionParams> = {
  typingEpisodeMedianS: [num(0, 3_600, { above: true }), 'Median stretch of typing, seconds (assumption).'],
  typingEpisodeLogSigma: [logSigma(), 'Log-spread of typing stretches.'],
  mouseEpisodeMedianS: [num(0, 3_600, { above: true }), 'Median stretch of pointing, seconds (assumption).'],
  mouseEpisodeLogSigma: [logSigma(), 'Log-spread of pointing stretches.'],
  homingMedianMs: [
    num(0, 5_000, { above: true }),
    'Moving the hand between keyboard and mouse, median ms (KLM H = 400 ms, Card, Moran & Newell 1980).',
  ],
  homingLogSigma: [logSigma(), 'Log-spread of homing time.'],
};

export const behaviourSchema = strict({
  schedule: group(DEFAULT_SCHEDULE_PARAMS, SCHEDULE_FIELDS, 'Shape of a working day (ScheduleParams).', [
    ['lunchMinMinutes', 'lunchMaxMinutes'],
  ]),
  composition: group(
    DEFAULT_COMPOSITION_PARAMS,
    COMPOSITION_FIELDS,
    'How a session alternates between keyboard and mouse (CompositionParams).',
  ),
  typing: group(
    DEFAULT_TYPING_MODEL_PARAMS,
    TYPING_MODEL_FIELDS,
    'Keystroke model constants (TypingModelParams; sources on the interface).',
    [
      ['ikiMin_ms', 'ikiMax_ms'],
      ['holdMin_ms', 'holdMax_ms'],
      ['interBurstPauseMin_ms', 'interBurstPauseMax_ms'],
      ['sentenceEndPauseFactorMin', 'sentenceEndPauseFactorMax'],
    ],
  ),
  mouse: group(DEFAULT_MOUSE_MODEL_PARAMS, MOUSE_MODEL_FIELDS, 'Pointing model constants (MouseModelParams; sources on the interface).', [
    ['speedSkewMin', 'speedSkewMax'],
    ['correctionMinP', 'correctionMaxP'],
    ['correctionMin_ms', 'correctionMax_ms'],
    ['clickDwellMin_ms', 'clickDwellMax_ms'],
    ['clickHoldMin_ms', 'clickHoldMax_ms'],
    ['targetWidthMin_px', 'targetWidthMax_px'],
  ]),
})
  .prefault({})
  .meta({ description: 'Behaviour model parameters (BehaviourParams): work-day schedule, composition, typing and mouse models.' });

// ── policy: PolicyRules ──────────────────────────────────────────────────────

const captureHours = strict({
  startHour: ranged(CAPTURE_HOURS_LIMITS.startHour).meta({
    description: 'Local hour capture starts (inclusive), 0–24, fractional allowed.',
  }),
  endHour: ranged(CAPTURE_HOURS_LIMITS.endHour).meta({
    description: 'Local hour capture ends (exclusive); before startHour wraps past midnight.',
  }),
}).superRefine((v, ctx) => {
  const problem = captureHoursProblem(v);
  if (problem !== null)
    ctx.addIssue({ code: 'custom', path: [problem.field], input: v[problem.field], message: problem.message, params: { kind: 'range' } });
});

export const POLICY_FIELDS: FieldSpecs<PolicyRules> = {
  pauseCapMinutes: [
    ranged(POLICY_LIMITS.pauseCapMinutes),
    'Longest single pause, minutes; capture resumes by itself when it ends (the "up to 30 minutes" rule).',
  ],
  maxPausesPerDay: [ranged(POLICY_LIMITS.maxPausesPerDay).nullable(), 'Pauses an employee may start per local day; null for no limit.'],
  cooldownMinutes: [ranged(POLICY_LIMITS.cooldownMinutes), 'Minimum minutes between the end of one pause and the start of the next.'],
  exemptionApprovalRate: [
    ranged(POLICY_LIMITS.exemptionApprovalRate),
    'Share of exemption requests that are approved: at enrolment, and asks made when the pause cap cuts a pause short (reaction ask-exemption).',
  ],
  exemptionReviewDays: [
    ranged(POLICY_LIMITS.exemptionReviewDays),
    'An approved ask takes effect at the start of the employee’s local day this many days after the ask (HR review); exempt for the rest of the run from then.',
  ],
  captureHours: [captureHours.nullable(), 'Local hours in which capture is allowed, {startHour, endHour}; null for any hour.'],
};

export const policySchema = group(
  DEFAULT_POLICY_RULES,
  POLICY_FIELDS,
  'The opt-out rules (PolicyRules), enforced by both the agent and the ingest service.',
);

// ── agent: AgentConfig ───────────────────────────────────────────────────────

const coalesce = z
  .discriminatedUnion(
    'mode',
    [
      strict({ mode: z.literal('none') }),
      strict({
        mode: z.literal('rate'),
        maxRateHz: ranged(COALESCE_LIMITS.maxRateHz).meta({ description: 'Keep at most this many moves per second of movement.' }),
      }),
      strict({
        mode: z.literal('path'),
        maxErrorPx: ranged(COALESCE_LIMITS.maxErrorPx).meta({
          description: 'Drop moves within this many pixels of the simplified path (Ramer–Douglas–Peucker).',
        }),
      }),
    ],
    { error: 'must be {mode: none}, {mode: rate, maxRateHz} or {mode: path, maxErrorPx}' },
  )
  .default(DEFAULT_AGENT_CONFIG.coalesce)
  .meta({ description: 'Mouse-move reduction: none, rate (maxRateHz) or path (maxErrorPx). Replaces the default as a whole: give mode.' });

export const CONTENT_FILTER_FIELDS: FieldSpecs<ContentFilterRules> = {
  extraSensitiveContexts: [
    listIn(ranged(CONTENT_FILTER_LIMITS.extraSensitiveContexts.item), CONTENT_FILTER_LIMITS.extraSensitiveContexts),
    'Extra context codes treated as sensitive (configured apps); built-in sensitive contexts always are.',
  ],
  cardNumbers: [bool(), 'Redact Luhn-valid card numbers.'],
  nationalIds: [bool(), 'Redact US SSN-shaped numbers.'],
  emails: [bool(), 'Redact e-mail addresses.'],
  secrets: [bool(), 'Redact password-like tokens (secretMinLength characters, a digit, three character classes).'],
  secretMinLength: [ranged(CONTENT_FILTER_LIMITS.secretMinLength), 'Shortest password-like token redacted.'],
  cueWords: [
    listIn(textIn(CONTENT_FILTER_LIMITS.cueWords.item), CONTENT_FILTER_LIMITS.cueWords),
    'Words after which the next token is redacted ("my password is …").',
  ],
};

export const UPLOAD_FIELDS: FieldSpecs<UploadConfig> = {
  retryBaseMs: [ranged(UPLOAD_LIMITS.retryBaseMs), 'First retry waits up to this long, ms (full jitter).'],
  retryMaxMs: [ranged(UPLOAD_LIMITS.retryMaxMs), 'Backoff ceiling, ms.'],
  retryableStatuses: [
    listIn(ranged(UPLOAD_LIMITS.retryableStatuses.item), UPLOAD_LIMITS.retryableStatuses),
    'HTTP statuses worth retrying; any other 4xx/5xx is final.',
  ],
  spoolMaxBytes: [
    ranged(UPLOAD_LIMITS.spoolMaxBytes),
    'Spool bound on the laptop, bytes; when full, the oldest batches are dropped (counted as lost).',
  ],
};

const codecs = availableCodecs() as unknown as readonly [string, ...string[]];
const AGENT_KINDS = ['reference', 'process'] as const;

export const agentSchema = strict({
  agentVersion: field(textIn(AGENT_VERSION_LENGTH), DEFAULT_AGENT_CONFIG.agentVersion, 'Version string the agent sends.'),
  batchMaxAgeMs: field(
    ranged(AGENT_LIMITS.batchMaxAgeMs),
    DEFAULT_AGENT_CONFIG.batchMaxAgeMs,
    'A batch is sealed this long after its first event (one wake-up), or earlier when full, ms.',
  ),
  batchMaxEvents: field(
    ranged(AGENT_LIMITS.batchMaxEvents),
    DEFAULT_AGENT_CONFIG.batchMaxEvents,
    'Events per batch before it is sealed early.',
  ),
  coalesce,
  movementGapMs: field(
    ranged(AGENT_LIMITS.movementGapMs),
    DEFAULT_AGENT_CONFIG.movementGapMs,
    'A pause between two moves longer than this ends a movement (for path simplification), ms.',
  ),
  codec: oneOf(codecs, codecs.includes('zstd') ? '' : ' (zstd needs Node 22.15 or later)')
    .optional()
    .meta({ description: 'Body compression (HTTP Content-Encoding).', default: DEFAULT_AGENT_CONFIG.codec }),
  compressionLevel: ranged(ANY_COMPRESSION_LEVEL)
    .optional()
    .meta({
      description: `Codec level (${Object.entries(CODEC_LEVELS)
        .map(([codec, r]) => `${codec} ${r.min}–${r.max}`)
        .join(', ')}). When the file sets codec but not the level, the codec’s own default level.`,
      default: DEFAULT_AGENT_CONFIG.compressionLevel,
    }),
  contentFilter: group(DEFAULT_CONTENT_FILTER_RULES, CONTENT_FILTER_FIELDS, 'Sensitive-content rules: what never leaves the laptop.'),
  upload: group(DEFAULT_UPLOAD_CONFIG, UPLOAD_FIELDS, 'Upload retry and spool settings.', UPLOAD_ORDERED),
  inputReadIntervalMs: field(
    ranged(AGENT_LIMITS.inputReadIntervalMs),
    DEFAULT_AGENT_CONFIG.inputReadIntervalMs,
    'Process agents reading an OS input path: 0 reads each delivery as it comes (a wake-up per event); N reads in batches, at most one wake-up per N ms while input flows (events wait in the OS queue up to N ms), ms.',
  ),
  sourceMoveRateHz: field(
    ranged(AGENT_LIMITS.sourceMoveRateHz),
    DEFAULT_AGENT_CONFIG.sourceMoveRateHz,
    'A lower mouse-move rate at the source: the laptop’s OS or pointer driver reports motion at most N times a second (of the moves of each 1000/N ms interval only the last is delivered; keys, clicks and wheel events never wait); 0 delivers every move. Process runs cap the replay at the input path; virtual-time runs count only the surviving moves in the energy model’s delivery term, Hz.',
  ),
  x11Capture: oneOf(X11_CAPTURE_METHODS)
    .default(DEFAULT_AGENT_CONFIG.x11Capture)
    .meta({ description: 'Process agents on an X11 display: capture with RECORD or with XInput2 raw events.' }),
  kind: oneOf(AGENT_KINDS).optional().meta({
    description:
      'Which agent is under test: reference (the capture agent inside the simulator, default) or process (an agent as its own OS process on the real clock, fed through a real input path; needs simulation.speed 1 and a window).',
    default: 'reference',
  }),
  command: list(
    z.string({ error: 'must be a text' }).max(4_000, { error: 'must be a text of at most 4000 characters' }),
    1,
    200,
    'arguments',
  )
    .optional()
    .meta({
      description: `Process agents: the command line of the agent under test, program first; placeholders ${PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', ')} are filled per laptop ({{ and }} give literal braces). Left out: the reference agent (fleetsim agent).`,
    }),
  env: z
    .record(z.string(), z.string({ error: 'must be a text' }), { error: 'must be a mapping of variable names to texts' })
    .optional()
    .meta({ description: 'Process agents: extra environment variables of the agent command (placeholders allowed in values).' }),
  settleSeconds: int(0, 600).optional().meta({
    description:
      'Process agents: seconds each agent runs before the window opens, unobserved. A fresh process does one-off work in its first seconds (loading, compiling, its first collections) that a laptop pays once per boot, not per hour: a short window measured after it leaves that out of the per-hour figures (a Node agent’s one heap compaction by V8’s memory reducer comes when V8 chooses, and may still fall inside).',
    default: 0,
  }),
  input: oneOf(INPUT_KINDS as unknown as readonly ['tap', 'x11'])
    .optional()
    .meta({
      description:
        'Process agents: how input reaches the agent: tap (one event per message on a unix socket, docs/tap-protocol.md) or x11 (XTEST into its own Xvfb display, read with RECORD).',
      default: 'tap',
    }),
})
  .prefault({})
  .meta({
    description:
      'The capture agent’s configuration (AgentConfig): what a fleet operator would set; and, for process agents, which agent runs and how input reaches it.',
  });

// ── energy: EnergyModel ──────────────────────────────────────────────────────

export const ENERGY_FIELDS: FieldSpecs<EnergyModel> = {
  joulesPerCpuSecond: [num(0, 1_000), 'J per CPU-second of agent work (a 15 W-class mobile CPU over 4 cores ≈ 3.5 W per busy core).'],
  joulesPerWakeup: [num(0, 10), 'J per wake-up from idle (Microsoft, "Timers, Timer Resolution…", 2010: ≈ 2.5 mJ).'],
  joulesPerRadioByte: [num(0, 0.001), 'J per byte sent over Wi-Fi (Balasubramanian et al., IMC 2009: 0.007 J/KB).'],
  joulesPerTransmission: [num(0, 100), 'J per transmission for the radio leaving power save and its tail (assumption: 0.1 J).'],
  batteryWh: [num(0, 1_000, { above: true }), 'Battery capacity, Wh (typical business laptop: 50–56 Wh).'],
  deliveryCpuUsPerRead: [
    num(0, 1_000_000),
    'Input delivery: CPU µs per read a batched agent (agent.inputReadIntervalMs > 0) makes of its input (a wake-up of its process after the interval), on top of the per-event figures; it reads an event that finds it idle at once, then what queued once per interval while input flows (default: measured by npm run bench:delivery on the default reader).',
  ],
  deliveryWakeupsPerRead: [num(0, 100), 'Input delivery: wake-ups per read (the read itself, and the batched reader’s timer).'],
  deliveryCpuUsPerUnbatchedRead: [
    num(0, 1_000_000),
    'Input delivery: CPU µs per read for an agent that reads each event as it arrives (agent.inputReadIntervalMs 0): a read per event, of a process kept warm by the input (default: measured by npm run bench:delivery).',
  ],
  deliveryWakeupsPerUnbatchedRead: [num(0, 100), 'Input delivery: wake-ups per read for an agent that reads each event as it arrives.'],
  deliveryCpuUsPerKeyEvent: [
    num(0, 100_000),
    'Input delivery: CPU µs per key press or release read, on top of the per-read figure (default: measured by npm run bench:delivery).',
  ],
  deliveryCpuUsPerClickEvent: [num(0, 100_000), 'Input delivery: CPU µs per button press or release.'],
  deliveryCpuUsPerMoveEvent: [num(0, 100_000), 'Input delivery: CPU µs per mouse move report.'],
  deliveryCpuUsPerWheelEvent: [num(0, 100_000), 'Input delivery: CPU µs per wheel event.'],
  deliveryWakeupsPerEvent: [
    num(0, 10),
    'Input delivery: wake-ups per event on top of those per read (0 unless the OS wakes something per event besides the agent’s reads; a reader woken per event already pays a read per event).',
  ],
  deliverySource: [text(500), 'Where the delivery coefficients come from (recorded in summary.json); set it when you change them.'],
};

export const energySchema = group(DEFAULT_ENERGY_MODEL, ENERGY_FIELDS, 'Battery proxy coefficients (EnergyModel), each with its source.');

// ── ingest, transport, simulation ────────────────────────────────────────────

export const ingestSchema = z
  .discriminatedUnion(
    'kind',
    [
      strict({
        kind: z.literal('embedded'),
        store: oneOf(['sqlite'])
          .default('sqlite')
          .meta({ description: 'Store of the embedded ingest service (a SQLite file under the run’s folder).' }),
      }),
      strict({
        kind: z.literal('url'),
        url: z
          .string({ error: 'must be an http:// or https:// URL' })
          .refine((s) => isHttpUrl(s), { error: 'must be an http:// or https:// URL' })
          .meta({ description: 'Base URL of a running ingest service.' }),
        allowRemote: bool().default(false).meta({
          description:
            'Allow a URL that is not on loopback (refused by default, so a scenario cannot load-test someone else’s service by accident).',
        }),
        protocol: oneOf(['fleetsim', 'http', 'otlp-http', 'adapter']).default('fleetsim').meta({
          description:
            'What the service speaks: fleetsim (enrollment, signed batches; the default), http (plain requests), otlp-http (OpenTelemetry logs), adapter (your module, ingest.adapter). Stored events, canaries and store scans are measured only on fleetsim’s own service.',
        }),
        adapter: text(1000).optional().meta({
          description:
            'protocol adapter: path of an ES module exporting { name, request(batch), classify(answer) }, relative to the scenario file (docs/targets.md).',
        }),
        headers: list(text(2000), 0, 50, 'headers').default([]).meta({
          description:
            'http, otlp-http: static request headers, "Name: value"; ${ENV_NAME} in a value is read from the environment and never written anywhere.',
        }),
        body: oneOf(['wire', 'ndjson'])
          .optional()
          .meta({ description: 'http: the agent’s batch as it sends it (wire, the default) or one JSON object per event (ndjson).' }),
        compression: oneOf(['agent', 'none', 'gzip'])
          .optional()
          .meta({ description: 'http: agent (the agent’s codec, default) or none; otlp-http: gzip (default) or none.' }),
        encoding: oneOf(['protobuf', 'json']).optional().meta({ description: 'otlp-http: protobuf (default) or json.' }),
        method: oneOf(['POST', 'PUT']).optional().meta({ description: 'http: POST (default) or PUT.' }),
      }).superRefine((v, ctx) => {
        // The same rules as the CLI's flags: a setting of another protocol is an error, not ignored.
        try {
          protocolSpec({ ...v, headers: v.headers }, (k) => `ingest.${k}`);
        } catch (err) {
          const m = /^ingest\.(\w+)/.exec((err as Error).message);
          const field = m?.[1] === 'protocol' ? 'protocol' : (m?.[1] ?? 'protocol');
          const path = field === 'headers' && v.headers.length > 0 ? ['headers', 0] : [field];
          ctx.addIssue({
            code: 'custom',
            path,
            input: (v as Record<string, unknown>)[field],
            message: (err as Error).message.replace(/^ingest\.\w+ /, ''),
            params: { kind: 'invalid' },
          });
        }
      }),
      strict({
        kind: z.literal('blackhole'),
        status: int(200, 599)
          .refine((n) => n < 300 || n >= 400, {
            error: 'must be a whole number from 200 to 299 or 400 to 599 (a redirect has nowhere to send the agent)',
          })
          .default(204)
          .meta({ description: 'HTTP status every upload is answered with: 2xx, or 4xx/5xx to see how the agent retries.' }),
        delayMs: int(0, 600_000).default(0).meta({ description: 'Delay before each answer, ms.' }),
      }),
    ],
    { error: 'must be {kind: embedded}, {kind: url, url: http://…, protocol: …} or {kind: blackhole}' },
  )
  .default(DEFAULTS.ingest)
  .meta({
    description:
      'Ingest target: the embedded service on loopback with SQLite (default), a URL, or (process agents that do not speak fleetsim’s protocol) a blackhole on loopback that accepts any upload and counts requests and bytes.',
  });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const transportSchema = z
  .preprocess((v) => (v === null ? 'null' : v), oneOf(['http', 'corpus', 'null']))
  .default(DEFAULTS.transport)
  .meta({ description: 'Where uploads go: http (real HTTP to the ingest target), corpus (batch files), null (nowhere: pure modelling).' });

const utcTime = z
  .string({ error: 'must be a UTC time of day like "09:30"' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a UTC time of day like "09:30"' })
  .meta({ description: 'UTC time of day, "HH:MM" (quote it in YAML).' });
const day = int(1, 366).default(1).meta({ description: 'Simulated day, 1 = simulation.startDate.' });
const duration = num(0, 366 * 1_440, { above: true }).meta({ description: 'Length of the window, minutes.' });
export const simulationSchema = strict({
  days: field(int(1, 366), DEFAULTS.simulation.days, 'Simulated days; weekends are days off (behaviour.schedule.workdays).'),
  startDate: field(
    z
      .string({ error: 'must be a calendar date like 2026-03-02' })
      .refine((s) => isCalendarDate(s), { error: 'must be a calendar date like 2026-03-02' }),
    DEFAULTS.simulation.startDate,
    'Local date of the first simulated day, YYYY-MM-DD (2026-03-02 is a Monday).',
  ),
  speed: field(
    z.union([z.literal('max'), num(0, 1_000_000, { above: true })], { error: 'must be max or a number above 0 (1 = real time)' }),
    DEFAULTS.simulation.speed,
    'Virtual-time speed: max (as fast as the CPU allows) or a factor (1 = real time, for load tests).',
  ),
  window: field(
    strict({ day, at: utcTime, durationMinutes: duration })
      .nullable()
      .meta({ description: 'A slice of simulated time: laptops switch on at day/at (UTC) and the run stops durationMinutes later.' }),
    DEFAULTS.simulation.window,
    'Paced runs (speed a number) only: run just this slice of the simulation instead of every day to the end (null: all of it).',
  ),
})
  .prefault({})
  .meta({ description: 'How much simulated time, from when, how fast.' });

// ── faults ─────────────────────────────────────────────────────────

const faultShare = (doc: string) => share().default(1).meta({ description: doc });

export const faultSchema = z.discriminatedUnion(
  'kind',
  [
    strict({ kind: z.literal('ingest-outage'), day, at: utcTime, durationMinutes: duration }).meta({
      description: 'The ingest service refuses connections for a while.',
    }),
    strict({
      kind: z.literal('http-errors'),
      day,
      at: utcTime,
      durationMinutes: duration,
      status: z
        .union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)], {
          error: 'must be one of 429, 500, 502, 503, 504',
        })
        .default(503)
        .meta({ description: 'HTTP status of the error responses.' }),
      share: faultShare('Share of requests answered with the error.'),
      retryAfterSeconds: int(0, 86_400).nullable().default(30).meta({ description: 'Retry-After header, seconds; null for none.' }),
    }).meta({ description: 'A storm of 429/5xx responses, with Retry-After.' }),
    strict({
      kind: z.literal('slow-responses'),
      day,
      at: utcTime,
      durationMinutes: duration,
      delayMs: int(1, 600_000).meta({ description: 'Added response delay, ms.' }),
      share: faultShare('Share of requests delayed.'),
    }).meta({ description: 'Slow ingest responses.' }),
    strict({
      kind: z.literal('connection-resets'),
      day,
      at: utcTime,
      durationMinutes: duration,
      share: faultShare('Share of connections reset mid-request.'),
    }).meta({ description: 'Connections reset mid-request.' }),
    strict({
      kind: z.literal('ingest-restart'),
      day,
      at: utcTime,
      downSeconds: int(0, 3_600).default(10).meta({ description: 'Seconds before it is back.' }),
    }).meta({ description: 'The ingest process is SIGKILLed and restarted.' }),
    strict({
      kind: z.literal('laptops-offline'),
      day,
      at: utcTime,
      durationMinutes: duration,
      share: faultShare('Share of laptops offline.'),
    }).meta({ description: 'Laptops without network for a while (they spool).' }),
    strict({
      kind: z.literal('clock-skew'),
      share: faultShare('Share of laptops with a skewed clock.'),
      maxSkewMinutes: num(0, 1_440).meta({ description: 'Skew drawn uniformly in ±this, minutes.' }),
    }).meta({ description: 'Laptop wall clocks off by up to ±maxSkewMinutes.' }),
    strict({ kind: z.literal('duplicate-delivery'), share: share().meta({ description: 'Share of batches delivered twice.' }) }).meta({
      description: 'Batches delivered more than once (idempotency check).',
    }),
  ],
  {
    error:
      'must be a fault with kind one of ingest-outage, http-errors, slow-responses, connection-resets, ingest-restart, laptops-offline, clock-skew, duplicate-delivery',
  },
);

export const FAULT_KINDS = [
  'ingest-outage',
  'http-errors',
  'slow-responses',
  'connection-resets',
  'ingest-restart',
  'laptops-offline',
  'clock-skew',
  'duplicate-delivery',
] as const;

// ── thresholds, outputs ──────────────────────────────────────────────────────

export const thresholdSchema = z
  .string({ error: 'must be a text like "ingest.p99_ms < 200"' })
  .superRefine((s, ctx) => {
    const r = parseThreshold(s);
    if (!r.ok)
      ctx.addIssue({ code: 'custom', input: s, message: r.message, params: { kind: 'threshold', allowed: r.allowed, complete: true } });
  })
  // The same grammar as a pattern, so editors check thresholds too.
  .meta({
    description: `<metric> <comparator> <number>; metrics: ${METRIC_PATHS.join(', ')}`,
    pattern: `^\\s*(${METRIC_PATHS.map((m) => m.replace(/\./g, '\\.')).join('|')})\\s*(<=|>=|==|!=|<|>)\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?\\s*$`,
    examples: ['ingest.p99_ms < 200', 'ledger.lost == 0', 'bandwidth.mb_per_laptop_day.p95 < 1'],
  });

export const outputsSchema = strict({
  dir: field(
    text(1_000),
    DEFAULTS.outputs.dir,
    'Reports go to <dir>/<scenario>-<timestamp>/ (summary.json and results.json always: what `fleetsim merge` and `fleetsim compare` read).',
  ),
  csv: field(
    bool(),
    DEFAULTS.outputs.csv,
    'Write the CSV files: a run writes laptops.csv (per laptop), laptops-measured.csv (CPU and battery measured per laptop), groups.csv (per department and role) and hours.csv (per UTC hour); a sweep writes cells.csv, by_group.csv and replicas.csv. `fleetsim compare` does not need them: it reads results.json.',
  ),
  html: field(bool(), DEFAULTS.outputs.html, 'Write report.html (self-contained, works offline).'),
})
  .prefault({})
  .meta({ description: 'What the run writes.' });

// ── sweep ──────────────────────────────────────────────────────────

/** Every sweep axis takes a list of values of the field it varies, each validated as that field. */
function axes<T extends object>(specs: FieldSpecs<T>, doc: string) {
  const shape: Record<string, z.ZodType> = {};
  for (const key of Object.keys(specs) as (keyof T & string)[]) {
    const [schema, fieldDoc] = specs[key];
    shape[key] = list(schema, 1, 100, 'values')
      .optional()
      .meta({ description: `Values to sweep. ${fieldDoc}` });
  }
  return strict(shape).optional().meta({ description: doc });
}

export const sweepSchema = strict({
  replicas: field(
    int(1, 1_000),
    DEFAULTS.sweepReplicas,
    'Runs per grid point, each with a seed derived from the scenario seed and the replica number (for confidence intervals).',
  ),
  policy: axes(POLICY_FIELDS, 'Policy rules to vary: pause cap, pauses per day, cooldown, exemption approval rate, capture hours.'),
  fleet: strict({
    pause: axes(
      PAUSE_TRAIT_FIELDS,
      'Pause habits to vary: propensity (neverPauseShare, occasionalShare, gamma scales), cap reaction weights, …',
    ),
    exemptionRequestShare: list(share(), 1, 100, 'values')
      .optional()
      .meta({ description: 'Values to sweep. Share of employees who request an exemption.' }),
  })
    .optional()
    .meta({ description: 'Behaviour assumptions to vary.' }),
  agents: list(
    strict({
      name: text(60).meta({ description: 'Label of this agent configuration in the report.' }),
      agent: agentSchema,
    }),
    1,
    50,
    'agent configurations',
  )
    .optional()
    .meta({
      description:
        'Agent configurations to compare, each {name, agent}; `agent` is written like the top-level agent section and merges over the library defaults (not over the scenario’s agent section).',
    }),
})
  .optional()
  .meta({ description: 'A grid over policy rules and behaviour assumptions (the Cartesian product of the lists given), with replicas.' });

// ── agent configurations side by side ──────────────────────────────────────

export const agentsSchema = list(
  strict({
    name: z
      .string({ error: 'must be a text' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, {
        error:
          'must be 1 to 60 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the configuration in the report and its folder)',
      })
      .meta({ description: 'Name of this agent configuration in the report.' }),
    agent: agentSchema,
  }),
  2,
  20,
  'agent configurations',
)
  .optional()
  .meta({
    description:
      'Agent configurations to measure side by side on the same people and input (same seed): `fleetsim run` runs the fleet once per configuration and reports each one’s bytes, CPU, wake-ups, battery, freshness and yield in one table, with the cheapest that meets the thresholds. Each `agent` is written like the top-level agent section and merges over the library defaults (not over the scenario’s agent section, as in sweep.agents); the reference agent only.',
  });

// ── compare: one command runs both sides ────────────────────────────────────

const overrides = (side: string) =>
  z.record(z.string(), z.unknown(), { error: 'must be a mapping of scenario fields' }).meta({
    description: `Scenario fields the ${side} changes (agent, policy, fleet, behaviour, energy, …), written like the top-level sections and merged over them field by field.`,
  });

export const compareSchema = strict({
  replicas: field(
    int(1, 100),
    3,
    'Runs per side, interleaved baseline, candidate, baseline, … so that drift of a noisy machine hits both alike.',
  ),
  baseline: overrides('baseline').prefault({}),
  candidate: overrides('candidate'),
})
  .optional()
  .meta({
    description:
      'Run this scenario twice over, as a baseline and a candidate that differ by the overrides given, and compare them per laptop (`fleetsim compare --scenario FILE`). Both sides keep the seed, so the same laptops run under each.',
  });

// ── the file ─────────────────────────────────────────────────────────────────

// The name becomes a folder name: no separators, no leading dot.
const NAME_RULE = 'must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the report folder)';

const SEED_RULE = `must be ${describeTextLength(SEED_LIMITS.text)} or ${describeRange(SEED_LIMITS.whole)}`;

export const scenarioSchema = strict({
  name: z
    .string({ error: NAME_RULE })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: NAME_RULE })
    .meta({ description: 'Scenario name: names the report folder (<outputs.dir>/<name>-<timestamp>/). Required.' }),
  description: field(
    z.string({ error: 'must be a text' }).max(10_000, { error: 'must be a text of at most 10000 characters' }),
    '',
    'What the scenario is for (free text, echoed in the report).',
  ),
  seed: field(
    z.union([textIn(SEED_LIMITS.text), ranged(SEED_LIMITS.whole)], { error: SEED_RULE }),
    DEFAULTS.seed,
    'Seed: the same seed gives the same fleet and events, byte for byte, whatever the number of workers or shards.',
  ),
  fleet: fleetSchema,
  behaviour: behaviourSchema,
  policy: policySchema,
  agent: agentSchema,
  energy: energySchema,
  ingest: ingestSchema,
  transport: transportSchema,
  simulation: simulationSchema,
  faults: field(
    list(faultSchema, 0, 1_000, 'faults'),
    [],
    'Faults to inject: outages, error storms, slow responses, resets, restarts, offline laptops, clock skew, duplicates. Times are UTC.',
  ),
  thresholds: field(
    list(thresholdSchema, 0, 200, 'thresholds'),
    [],
    'Pass/fail gates on the summary figures, like "ingest.p99_ms < 200"; the run exits 1 when one fails.',
  ),
  outputs: outputsSchema,
  agents: agentsSchema,
  sweep: sweepSchema,
  compare: compareSchema,
}).meta({
  title: 'fleetsim scenario',
  description:
    'A fleetsim scenario: only `name` is required; every other field has a documented default, and the file states only what it changes. ' +
    'Merge rules: mappings of settings merge field by field over the library defaults; mixes of weights (departmentMix, officeMix, a department in roleMix, reactionWeights) replace, names left out weigh 0; ' +
    'lists replace; alternatives (agent.coalesce, ingest, policy.captureHours) replace as a whole; setting agent.codec without agent.compressionLevel gives that codec’s default level.',
});

export type ScenarioFileOutput = z.output<typeof scenarioSchema>;
