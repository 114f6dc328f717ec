/**
 * Exemptions over a run, as pure functions: an employee is exempt from
 * enrolment (requested then, approved at the policy's rate), or becomes
 * exempt during the run by asking.
 *
 * The modelling decision for asks (steering left it to us): when the
 * pause cap cuts a pause short and the employee reacts by asking for an
 * exemption, that ask is an exemption request. It is approved with the
 * policy's `exemptionApprovalRate`, decided by a seeded draw per ask (the
 * caller supplies the draws; they come from a stream of their own, so every
 * cell of a sweep decides the k-th ask of a day with the same number: common
 * random numbers). An approved ask takes effect at the start of the
 * employee's local day `exemptionReviewDays` after the ask (HR reviews it
 * first), and from then on the employee is exempt for the rest of the run.
 * Asks while already exempt or already approved change nothing.
 */
import { isExempt, type PolicyRules } from './rules.js';

export type ExemptionStatus =
  | { readonly kind: 'none' }
  /** Requested at enrolment and approved: exempt for the whole run. */
  | { readonly kind: 'enrolled' }
  /** An ask was approved: exempt from the start of run day `fromDay` (it may not have come yet). */
  | { readonly kind: 'approved'; readonly fromDay: number };

/** What the exemption means on one day. */
export type DayExemption =
  | { readonly kind: 'none' }
  /** Exempt all day, and the ingest service already knows (or never needs to learn: nothing is sent). */
  | { readonly kind: 'exempt' }
  /** Exempt from this day's start, newly: the agent tells the ingest service, which refuses the device's later events. */
  | { readonly kind: 'starts' };

export const NOT_EXEMPT: ExemptionStatus = { kind: 'none' };

/** The status at enrolment (before day 0). */
export function enrolmentExemption(requested: boolean, approvalDraw: number, rules: PolicyRules): ExemptionStatus {
  return isExempt(requested, approvalDraw, rules) ? { kind: 'enrolled' } : NOT_EXEMPT;
}

export function exemptionOnDay(status: ExemptionStatus, day: number): DayExemption {
  if (status.kind === 'enrolled') return { kind: 'exempt' };
  if (status.kind === 'approved' && day >= status.fromDay) return { kind: day === status.fromDay ? 'starts' : 'exempt' };
  return { kind: 'none' };
}

/** Whether the employee is exempt at the end of a run of `days` days (the sweep's exempt share). */
export function exemptAtEnd(status: ExemptionStatus, days: number): boolean {
  return status.kind === 'enrolled' || (status.kind === 'approved' && status.fromDay < days);
}

/**
 * The status after `day`, given the approval draws (uniform [0, 1)) of the
 * asks the employee made that day, in order: the first approved ask sets the
 * day the exemption starts.
 */
export function afterExemptionAsks(
  status: ExemptionStatus,
  day: number,
  approvalDraws: readonly number[],
  rules: PolicyRules,
): ExemptionStatus {
  if (status.kind !== 'none') return status;
  for (const draw of approvalDraws) {
    if (draw < rules.exemptionApprovalRate) return { kind: 'approved', fromDay: day + rules.exemptionReviewDays };
  }
  return status;
}
