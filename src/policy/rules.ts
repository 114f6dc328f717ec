/**
 * The opt-out rules, as pure functions. The agent (which must not capture)
 * and the ingest service (which must refuse what should not have been
 * captured) both call these, so the two ends can never disagree on the rules.
 */

export interface PolicyRules {
  /** Longest single pause; capture resumes by itself when it ends (the "up to 30 minutes" rule). */
  readonly pauseCapMinutes: number;
  /** Pauses an employee may start per local day; null for no limit. */
  readonly maxPausesPerDay: number | null;
  /** Minimum minutes between the end of one pause and the start of the next. */
  readonly cooldownMinutes: number;
  /** Share of exemption requests that are approved (at enrolment, and asks when the cap cuts a pause short). */
  readonly exemptionApprovalRate: number;
  /**
   * Days an approved ask waits for HR review: it takes effect at the start of the
   * employee's local day this many days after the ask (integer >= 1). See exemption.ts.
   */
  readonly exemptionReviewDays: number;
  /** Local hours in which capture is allowed, [startHour, endHour); null for any hour. */
  readonly captureHours: { readonly startHour: number; readonly endHour: number } | null;
}

export const DEFAULT_POLICY_RULES: PolicyRules = {
  pauseCapMinutes: 30,
  maxPausesPerDay: null,
  cooldownMinutes: 0,
  exemptionApprovalRate: 0.5,
  exemptionReviewDays: 1,
  captureHours: null,
};

export interface PauseWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** 'auto-resume' when the cap ended the pause, 'resume' when the employee did. */
  readonly endedBy: 'auto-resume' | 'resume';
}

export type PauseRefusal = 'daily_limit' | 'cooldown' | 'already_paused';

export type PauseDecision =
  { readonly kind: 'granted'; readonly window: PauseWindow } | { readonly kind: 'refused'; readonly reason: PauseRefusal };

export interface PauseRequest {
  readonly atMs: number;
  /** How long the employee wants to pause. */
  readonly wantedMs: number;
  /** Start of the employee's local day containing atMs (for the per-day limit). */
  readonly dayStartMs: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Decides a pause request given the windows already granted (sorted by start). */
export function decidePause(granted: readonly PauseWindow[], req: PauseRequest, rules: PolicyRules): PauseDecision {
  const last = granted[granted.length - 1];
  if (last && req.atMs < last.endMs) return { kind: 'refused', reason: 'already_paused' };
  if (last && req.atMs < last.endMs + rules.cooldownMinutes * MINUTE_MS) return { kind: 'refused', reason: 'cooldown' };
  if (rules.maxPausesPerDay !== null) {
    const dayEnd = req.dayStartMs + DAY_MS;
    let today = 0;
    for (const w of granted) if (w.startMs >= req.dayStartMs && w.startMs < dayEnd) today++;
    if (today >= rules.maxPausesPerDay) return { kind: 'refused', reason: 'daily_limit' };
  }
  const capMs = rules.pauseCapMinutes * MINUTE_MS;
  const capped = req.wantedMs >= capMs;
  return {
    kind: 'granted',
    window: { startMs: req.atMs, endMs: req.atMs + (capped ? capMs : req.wantedMs), endedBy: capped ? 'auto-resume' : 'resume' },
  };
}

/** Whether an employee who did (or did not) request an exemption is exempt under these rules. */
export function isExempt(requested: boolean, approvalDraw: number, rules: PolicyRules): boolean {
  return requested && approvalDraw < rules.exemptionApprovalRate;
}

/** Index of the window containing t (windows sorted, non-overlapping), or -1. */
export function pauseWindowAt(windows: readonly PauseWindow[], t: number): number {
  let lo = 0;
  let hi = windows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = windows[mid]!;
    if (t < w.startMs) hi = mid - 1;
    else if (t >= w.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Whether capture is allowed at a local hour of day (0–24, fractional) under the capture-hours rule. */
export function withinCaptureHours(localHour: number, rules: PolicyRules): boolean {
  const h = rules.captureHours;
  if (h === null) return true;
  return h.startHour <= h.endHour ? localHour >= h.startHour && localHour < h.endHour : localHour >= h.startHour || localHour < h.endHour;
}

/** Total minutes covered by pause windows. */
export function pausedMinutes(windows: readonly PauseWindow[]): number {
  let ms = 0;
  for (const w of windows) ms += w.endMs - w.startMs;
  return ms / MINUTE_MS;
}
