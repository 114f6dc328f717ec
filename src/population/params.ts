import type { Office } from './offices.js';
import { DEFAULT_OFFICES } from './offices.js';
import type { DepartmentName, RoleName } from './roles.js';
import { DEFAULT_MOUSE_TRAIT_PARAMS, type MouseTraitParams } from './mouse-traits.js';
import { DEFAULT_TYPING_TRAIT_PARAMS, type TypingTraitParams } from './typing-traits.js';

/**
 * Everything that shapes a synthetic fleet. Defaults are documented here and
 * in the README; values marked "assumption" have no published source and are
 * meant to be varied by scenarios and sweeps.
 */
export interface PopulationParams {
  /** Relative weights of departments (assumption: a mid-size software company). */
  readonly departmentMix: Readonly<Partial<Record<DepartmentName, number>>>;
  /** Relative weights of roles within each department (assumption). */
  readonly roleMix: Readonly<Partial<Record<DepartmentName, Readonly<Partial<Record<RoleName, number>>>>>>;
  readonly offices: readonly Office[];
  /** Relative weights of offices, by office name; missing offices weigh 1. */
  readonly officeMix: Readonly<Record<string, number>>;
  /** Habitual local start of work, minutes after midnight: N(mean, sd) clipped (assumption). */
  readonly workStartMeanMinutes: number;
  readonly workStartSdMinutes: number;
  readonly workStartMinMinutes: number;
  readonly workStartMaxMinutes: number;
  /** Habitual length of the working day in minutes, N(mean, sd) clipped to [6 h, 11 h] (assumption). */
  readonly workLengthMeanMinutes: number;
  readonly workLengthSdMinutes: number;
  /**
   * Active (input) minutes per workday: LogNormal(ln 135, 0.45) over employee-days
   * (Wellnomics 2007; RescueTime 2019). Split into a per-employee level and a
   * per-day factor whose log-variances add up to 0.45².
   */
  readonly activeMinutesLogMu: number;
  readonly activeMinutesLogSigma: number;
  readonly activeMinutesBetweenEmployeeShare: number;
  /** Share of active time at the keyboard, by role (assumption, 30–50 %). */
  readonly keyboardShareByRole: Readonly<Record<RoleName, number>>;
  /** Meeting hours per day per employee, LogNormal(ln median, sigma) clipped to [0, 3] (WTI 2023: heavy quartile ≈ 1.5 h). */
  readonly meetingHoursLogMu: number;
  readonly meetingHoursLogSigma: number;
  readonly typing: TypingTraitParams;
  readonly mouse: MouseTraitParams;
  readonly pause: PauseTraitParams;
  /** Share of employees who request an exemption (assumption; approval is a policy rule). */
  readonly exemptionRequestShare: number;
}

/**
 * Pause habits under an "up to 30 minutes" rule. No published base rate exists:
 * every value is an assumption for sweeps (BEHAVIOUR.md, pause habit row).
 */
export interface PauseTraitParams {
  /** Pauses per day ~ Poisson(λ); λ drawn from a mixture: P(λ = 0), else Gamma(shape, scale) by component. */
  readonly neverPauseShare: number;
  readonly occasionalShare: number;
  readonly occasionalGammaShape: number;
  readonly occasionalGammaScale: number;
  readonly frequentGammaShape: number;
  readonly frequentGammaScale: number;
  /** Share of pauses where the employee wants more privacy than a 30-minute cap gives (e.g. a 2-hour personal call). */
  readonly longPrivacyShare: number;
  readonly longPrivacyLogMuMinutes: number;
  readonly longPrivacyLogSigma: number;
  /** Share of pauses left to run until auto-resume rather than resumed by hand. */
  readonly untilAutoResumeShare: number;
  readonly shortPauseMinMinutes: number;
  readonly shortPauseMaxMinutes: number;
  /** How people react when the cap cuts a pause short: weights of re-pause, give up, ask for an exemption. */
  readonly reactionWeights: Readonly<Record<CapReaction, number>>;
}

export type CapReaction = 're-pause' | 'give-up' | 'ask-exemption';

export const DEFAULT_PAUSE_TRAIT_PARAMS: PauseTraitParams = {
  neverPauseShare: 0.6,
  occasionalShare: 0.3,
  occasionalGammaShape: 2,
  occasionalGammaScale: 0.5,
  frequentGammaShape: 2,
  frequentGammaScale: 2,
  longPrivacyShare: 0.1,
  longPrivacyLogMuMinutes: Math.log(90),
  longPrivacyLogSigma: 0.5,
  untilAutoResumeShare: 0.3,
  shortPauseMinMinutes: 5,
  shortPauseMaxMinutes: 30,
  reactionWeights: { 're-pause': 0.6, 'give-up': 0.3, 'ask-exemption': 0.1 },
};

export const DEFAULT_POPULATION_PARAMS: PopulationParams = {
  departmentMix: {
    Engineering: 0.35,
    Product: 0.08,
    Sales: 0.15,
    Support: 0.14,
    Finance: 0.08,
    People: 0.06,
    Legal: 0.04,
    Operations: 0.1,
  },
  roleMix: {
    Engineering: { engineer: 0.85, manager: 0.1, designer: 0.05 },
    Product: { designer: 0.4, manager: 0.4, analyst: 0.2 },
    Sales: { sales: 0.85, manager: 0.1, analyst: 0.05 },
    Support: { support: 0.88, manager: 0.08, engineer: 0.04 },
    Finance: { finance: 0.75, analyst: 0.15, manager: 0.1 },
    People: { hr: 0.85, manager: 0.15 },
    Legal: { legal: 0.85, manager: 0.15 },
    Operations: { analyst: 0.5, manager: 0.2, engineer: 0.3 },
  },
  offices: DEFAULT_OFFICES,
  officeMix: {
    'New York': 0.22,
    'San Francisco': 0.18,
    London: 0.16,
    Berlin: 0.1,
    Bangalore: 0.16,
    Singapore: 0.06,
    Sydney: 0.06,
    'São Paulo': 0.06,
  },
  workStartMeanMinutes: 8 * 60 + 45,
  workStartSdMinutes: 45,
  workStartMinMinutes: 6 * 60,
  workStartMaxMinutes: 11 * 60,
  workLengthMeanMinutes: 8.5 * 60,
  workLengthSdMinutes: 40,
  activeMinutesLogMu: Math.log(135),
  activeMinutesLogSigma: 0.45,
  activeMinutesBetweenEmployeeShare: 0.45,
  keyboardShareByRole: {
    engineer: 0.45,
    designer: 0.3,
    manager: 0.4,
    analyst: 0.4,
    sales: 0.4,
    support: 0.5,
    finance: 0.4,
    hr: 0.4,
    legal: 0.5,
  },
  meetingHoursLogMu: Math.log(0.75),
  meetingHoursLogSigma: 0.6,
  typing: DEFAULT_TYPING_TRAIT_PARAMS,
  mouse: DEFAULT_MOUSE_TRAIT_PARAMS,
  pause: DEFAULT_PAUSE_TRAIT_PARAMS,
  exemptionRequestShare: 0.05,
};
