import type { Employee, PauseTraitParams } from '../population/index.js';
import { decidePause, type PauseWindow, type PolicyRules } from '../policy/index.js';
import { bernoulli, deriveStream, lognormal, poisson, uniform, type RandomStream } from '../random/index.js';

/** What an employee did about privacy on one day, after the policy had its say. */
export interface PauseDay {
  /** Granted windows, sorted and non-overlapping. */
  readonly windows: readonly PauseWindow[];
  /** Requests made (including re-pauses and refused ones). */
  readonly requests: number;
  readonly refused: number;
  /** Pauses the cap cut short. */
  readonly cutByCap: number;
  /** Times the employee reacted to the cap by asking for an exemption. */
  readonly exemptionAsks: number;
  /**
   * One uniform [0, 1) draw per ask, in order: the policy approves the ask when it
   * is below the approval rate (afterExemptionAsks). From a stream of its own, so
   * the k-th ask of a day gets the same draw whatever the rules (common random numbers).
   */
  readonly exemptionAskDraws: readonly number[];
  /** Minutes of privacy wanted, and granted, this day. */
  readonly wantedMinutes: number;
  readonly grantedMinutes: number;
}

const MINUTE_MS = 60_000;

/**
 * Pause intents for one workday: how many (Poisson around the employee's
 * habit), when (uniform over working hours), how long wanted (short, until
 * auto-resume, or longer than any cap), and how the employee reacts when the
 * cap ends a pause early. The policy decides every request.
 */
export function planPauses(
  employee: Employee,
  work: { readonly arriveMs: number; readonly leaveMs: number; readonly dayStartMs: number },
  s: RandomStream,
  rules: PolicyRules,
  p: PauseTraitParams,
): PauseDay {
  // Nobody pauses capture on a day off (no work, no input to hide; it would also let asks happen then).
  const n = work.leaveMs > work.arriveMs ? poisson(s, employee.pause.pausesPerDay) : 0;
  const intents: { atMs: number; wantedMs: number }[] = [];
  const capMs = rules.pauseCapMinutes * MINUTE_MS;
  for (let i = 0; i < n; i++) {
    const atMs = Math.round(uniform(s, work.arriveMs, Math.max(work.arriveMs, work.leaveMs - 5 * MINUTE_MS)));
    let wantedMs: number;
    if (bernoulli(s, p.longPrivacyShare)) wantedMs = lognormal(s, p.longPrivacyLogMuMinutes, p.longPrivacyLogSigma) * MINUTE_MS;
    else if (bernoulli(s, p.untilAutoResumeShare)) wantedMs = capMs;
    else wantedMs = uniform(s, p.shortPauseMinMinutes, p.shortPauseMaxMinutes) * MINUTE_MS;
    intents.push({ atMs, wantedMs: Math.round(wantedMs) });
  }
  intents.sort((a, b) => a.atMs - b.atMs);

  const windows: PauseWindow[] = [];
  let requests = 0;
  let refused = 0;
  let cutByCap = 0;
  let exemptionAsks = 0;
  const exemptionAskDraws: number[] = [];
  // Derived, not drawn from s: asking must not shift the pause draws that follow.
  let askStream: RandomStream | null = null;
  let wantedMs = 0;
  for (const intent of intents) {
    const last = windows[windows.length - 1];
    // Someone already paused does not ask again; that intent is already private.
    if (last && intent.atMs < last.endMs) continue;
    wantedMs += intent.wantedMs;
    let remaining = intent.wantedMs;
    let at = intent.atMs;
    while (remaining > 0) {
      requests++;
      const d = decidePause(windows, { atMs: at, wantedMs: remaining, dayStartMs: work.dayStartMs }, rules);
      if (d.kind === 'refused') {
        refused++;
        break;
      }
      windows.push(d.window);
      remaining -= d.window.endMs - d.window.startMs;
      if (remaining <= 0 || d.window.endedBy !== 'auto-resume' || intent.wantedMs === capMs) break;
      cutByCap++;
      const reaction = employee.pause.capReaction;
      if (reaction === 'ask-exemption') {
        exemptionAsks++;
        askStream ??= deriveStream(s, 'exemption-asks');
        exemptionAskDraws.push(askStream.next());
      }
      if (reaction !== 're-pause') break;
      at = d.window.endMs + rules.cooldownMinutes * MINUTE_MS;
    }
  }
  let grantedMs = 0;
  for (const w of windows) grantedMs += w.endMs - w.startMs;
  return {
    windows,
    requests,
    refused,
    cutByCap,
    exemptionAsks,
    exemptionAskDraws,
    wantedMinutes: wantedMs / MINUTE_MS,
    grantedMinutes: grantedMs / MINUTE_MS,
  };
}
