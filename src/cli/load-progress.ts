/**
 * The progress line of `fleetsim load`: what the run is doing (sending, at
 * which ramp step; waiting for answers and spools after the schedule) and
 * what remains of it, from the run's own clock and plan, so the time left
 * counts the grace period and never reads "done" while answers may come.
 */
import type { RampStep, SenderProgress } from '../load/index.js';
import { formatSeconds } from './progress.js';

/**
 * What the run planned: when its schedule ends (a ramp: its last whole step), and when it stops at the latest
 * (--duration, then --grace for answers and spools).
 */
export interface LoadProgressPlan {
  readonly durationMs: number;
  readonly plannedEndMs: number;
  readonly graceMs: number;
  /** A ramp's steps; null for other profiles. */
  readonly steps: readonly RampStep[] | null;
}

/** What the sender reports as it goes (elapsed, sent, answered, in flight, spooled). */
export type LoadProgressNow = SenderProgress;

/** Whole seconds of the schedule done and planned, the time left, and what was sent and answered. */
export function loadProgressLine(
  p: LoadProgressNow,
  plan: LoadProgressPlan,
): { done: number; total: number; left: string; detail: string } {
  const total = Math.max(1, Math.ceil(plan.plannedEndMs / 1000));
  const done = Math.min(total, Math.floor(p.elapsedMs / 1000));
  const counts = `sent ${p.sent}, accepted ${p.accepted}, failed ${p.failed}, in flight ${p.inFlight}${p.spooled === undefined ? '' : `, spooled ${p.spooled}`}`;
  const stopMs = plan.durationMs + plan.graceMs;
  const grace =
    stopMs > plan.plannedEndMs ? `, then up to ${formatSeconds((stopMs - plan.plannedEndMs) / 1000)} for answers in flight` : '';
  if (p.elapsedMs < plan.plannedEndMs) {
    const k = plan.steps?.findIndex((st) => p.elapsedMs >= st.startMs && p.elapsedMs < st.endMs) ?? -1;
    // Numbered from 0, as the report numbers them.
    const step = k >= 0 ? `step ${k} of 0–${plan.steps!.length - 1} at ${Math.round(plan.steps![k]!.ratePerS * 10) / 10}/s; ` : '';
    const sooner = plan.steps ? ' (sooner if a step breaks the SLO)' : '';
    // Rounded up: "about 0 s left" would read as finished.
    const left = `about ${formatSeconds(Math.ceil((plan.plannedEndMs - p.elapsedMs) / 1000))} left${sooner}${grace}`;
    return { done, total, left, detail: `${step}${counts}` };
  }
  const waitS = Math.max(0, Math.ceil((stopMs - p.elapsedMs) / 1000));
  const waitingFor = [
    ...(p.inFlight > 0 || !p.spooled ? [`${p.inFlight} answer${p.inFlight === 1 ? '' : 's'} in flight`] : []),
    ...(p.spooled ? [`${p.spooled} spooled batch${p.spooled === 1 ? '' : 'es'} to drain`] : []),
  ].join(' and ');
  const upTo = stopMs > plan.plannedEndMs ? ` up to ${formatSeconds(waitS)}` : '';
  return { done, total, left: `schedule done; waiting${upTo} for ${waitingFor}`, detail: counts };
}
