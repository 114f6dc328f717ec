/**
 * What the opt-out rules allow, as plain data: the scenario schema and the
 * agent's settings file are both built from these (src/ranges.ts says why).
 */
import { SHARE, type NumberRange } from '../ranges.js';
import type { PolicyRules } from './rules.js';

type CaptureHours = NonNullable<PolicyRules['captureHours']>;

export const POLICY_LIMITS = {
  pauseCapMinutes: { min: 1, max: 1_440 },
  maxPausesPerDay: { min: 0, max: 1_000, whole: true },
  cooldownMinutes: { min: 0, max: 1_440 },
  exemptionApprovalRate: SHARE,
  exemptionReviewDays: { min: 1, max: 365, whole: true },
} as const satisfies Record<Exclude<keyof PolicyRules, 'captureHours'>, NumberRange>;

export const CAPTURE_HOURS_LIMITS = {
  startHour: { min: 0, max: 24 },
  endHour: { min: 0, max: 24 },
} as const satisfies Record<keyof CaptureHours, NumberRange>;

/**
 * The capture-hours rule across its two fields: the same start and end hour
 * would mean either no hour or every hour, so it is refused; null is every hour.
 */
export function captureHoursProblem(h: CaptureHours): { readonly field: keyof CaptureHours; readonly message: string } | null {
  return h.startHour === h.endHour
    ? { field: 'endHour', message: 'must differ from startHour (use captureHours: null for any hour)' }
    : null;
}
