import { InputContext, type EventOutput } from '../events/index.js';
import { DEFAULT_POPULATION_PARAMS, employeeStream, type Employee, type PauseTraitParams } from '../population/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../policy/index.js';
import { deriveStream, lognormal, type StreamPathPart } from '../random/index.js';
import { createPointer, mouseEpisode } from './mouse/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS, type BehaviourParams } from './params.js';
import { planPauses, type PauseDay } from './pause.js';
import { planWorkday, type WorkdayPlan } from './schedule/index.js';
import { createCalendar, type SimulationCalendar } from '../time/index.js';
import { createTextSource, createTypist, typeEpisode } from './typing/index.js';

/** Everything a day of behaviour depends on besides the employee. */
export interface DayEnvironment {
  readonly seed: StreamPathPart;
  readonly calendar: SimulationCalendar;
  readonly behaviour: BehaviourParams;
  readonly pauseTraits: PauseTraitParams;
  readonly rules: PolicyRules;
}

/** A shard task's day environment: its seed, calendar, behaviour, the population's pause traits and the rules. */
export function dayEnvironment(t: {
  readonly seed: StreamPathPart;
  readonly calendar: SimulationCalendar;
  readonly behaviour: BehaviourParams;
  readonly population: { readonly pause: PauseTraitParams };
  readonly rules: PolicyRules;
}): DayEnvironment {
  return { seed: t.seed, calendar: t.calendar, behaviour: t.behaviour, pauseTraits: t.population.pause, rules: t.rules };
}

/**
 * The built-in models' day environment, for benches and tests that run
 * default employees without a scenario: default behaviour, pause traits and
 * rules, over a calendar of the default offices from `startDate` (a Tuesday,
 * the date bench:agent's and the floor guard's figures are measured on).
 */
export function defaultDayEnvironment(seed: StreamPathPart, startDate = '2026-03-03'): DayEnvironment {
  const P = DEFAULT_POPULATION_PARAMS;
  return {
    seed,
    calendar: createCalendar(
      startDate,
      P.offices.map((o) => o.timezone),
    ),
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    pauseTraits: P.pause,
    rules: DEFAULT_POLICY_RULES,
  };
}

export interface EmployeeDay {
  readonly plan: WorkdayPlan;
  readonly pauses: PauseDay;
  /** Synthetic secrets typed today (the leak scan searches the store for them). */
  readonly canaries: readonly string[];
}

/** What a day's harness learns before any input: the plan, the pauses, and the secrets typed so far (a live list). */
export interface DayPlanned {
  readonly plan: WorkdayPlan;
  readonly pauses: PauseDay;
  readonly canaries: readonly string[];
}

/**
 * One employee's day: plan it, then fill each activity session with
 * alternating stretches of typing and pointing, writing events in time order.
 * The employee keeps working while capture is paused: the pause windows are
 * returned for the agent and the ingest service to act on, not applied here.
 */
export function simulateEmployeeDay(
  employee: Employee,
  day: number,
  env: DayEnvironment,
  out: EventOutput,
  /** Called with the day's plan and pauses before any event is written (a harness hands the pauses to the agent). */
  onPlanned?: (planned: DayPlanned) => void,
): EmployeeDay {
  const steps = composeEmployeeDay(employee, day, env, out, onPlanned);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same day, one stretch of input at a time, for a harness that paces it
 * against a clock (real-time runs). Each yield is a horizon: every event
 * before it has been written, none after it yet. Driven to the end it writes
 * exactly what `simulateEmployeeDay` writes.
 *
 * With `fromMs` the laptop starts at that instant (ms since the epoch, like
 * event times): sessions that ended before it are skipped without generating
 * their input, and a session in progress starts there. That draws the
 * streams differently from a whole day, so such a day is its own seeded
 * variant, not a slice of the whole one.
 */
export function* composeEmployeeDay(
  employee: Employee,
  day: number,
  env: DayEnvironment,
  out: EventOutput,
  onPlanned?: (planned: DayPlanned) => void,
  fromMs = -Infinity,
): Generator<number, EmployeeDay, void> {
  const dayStream = deriveStream(employeeStream(env.seed, employee.index, 'day'), day);
  const plan = planWorkday(employee, day, env.calendar, deriveStream(dayStream, 'schedule'), env.behaviour.schedule);
  const pauses = planPauses(employee, plan, deriveStream(dayStream, 'pause'), env.rules, env.pauseTraits);
  // The text source exists before the plan is handed out so a harness can see the secrets typed so far.
  const text = plan.working ? createTextSource(employee.role, deriveStream(dayStream, 'text')) : null;
  onPlanned?.({ plan, pauses, canaries: text?.canaries ?? [] });
  if (text === null) return { plan, pauses, canaries: [] };

  const compose = deriveStream(dayStream, 'compose');
  const typingRng = deriveStream(dayStream, 'typing');
  const mouseRng = deriveStream(dayStream, 'mouse');
  const typist = createTypist(employee.typing, env.behaviour.typing);
  const pointer = createPointer(deriveStream(dayStream, 'pointer'));
  const c = env.behaviour.composition;
  const k = employee.keyboardShare;
  // Probability of choosing a typing stretch such that the expected share of time typing is k.
  const typingMeanS = c.typingEpisodeMedianS * Math.exp(c.typingEpisodeLogSigma ** 2 / 2);
  const mouseMeanS = c.mouseEpisodeMedianS * Math.exp(c.mouseEpisodeLogSigma ** 2 / 2);
  const pTyping = (k * mouseMeanS) / (k * mouseMeanS + (1 - k) * typingMeanS);
  // Per-active-hour rates are per minute touched by input, but a session fills only part of its
  // first and last minute, and hands travel between devices: pointing gets that much less time.
  const mouseShare = (1 - k) * sessionFill(plan.sessions) * homingFill(c, typingMeanS, mouseMeanS);

  // Typing stretches finish their burst past their end, so steer by the share realised so far:
  // the mouse then gets its 1 − k of active time and its per-active-hour rates come out right.
  let typedMs = 0;
  let pointedMs = 0;
  for (const session of plan.sessions) {
    if (session.endMs <= fromMs) continue;
    let t = Math.max(session.startMs, fromMs);
    // Nothing of this session is written yet: a paced harness waits for its start before composing
    // it, so a laptop whose work starts later holds no input until then.
    yield t;
    while (t < session.endMs) {
      const realised = typedMs + pointedMs > 0 ? typedMs / (typedMs + pointedMs) : k;
      const typing = compose.next() < Math.min(0.98, Math.max(0.02, pTyping + 2 * (k - realised)));
      const lengthS = typing
        ? lognormal(compose, Math.log(c.typingEpisodeMedianS), c.typingEpisodeLogSigma)
        : lognormal(compose, Math.log(c.mouseEpisodeMedianS), c.mouseEpisodeLogSigma);
      const endMs = Math.min(t + lengthS * 1000, session.endMs);
      const last = typing
        ? typeEpisode({ out, rng: typingRng, startMs: t, endMs }, typist, text)
        : mouseEpisode(
            { out, rng: mouseRng, startMs: t, endMs },
            employee.mouse,
            pointer,
            mouseShare,
            InputContext.none,
            env.behaviour.mouse,
          );
      const spent = Math.max(endMs, last) - t;
      if (typing) typedMs += spent;
      else pointedMs += spent;
      t += spent + lognormal(compose, Math.log(c.homingMedianMs), c.homingLogSigma);
      // The episode's events all lie before t (its last event is at `last` ≤ t − homing).
      yield t;
    }
  }
  return { plan, pauses, canaries: text.canaries };
}

/** Share of the minutes touched by sessions that the sessions actually fill. */
function sessionFill(sessions: WorkdayPlan['sessions']): number {
  let filled = 0;
  let touched = 0;
  for (const s of sessions) {
    filled += s.endMs - s.startMs;
    touched += Math.ceil((s.endMs - s.startMs) / 60_000) * 60_000;
  }
  return touched > 0 ? filled / touched : 1;
}

/** Share of session time left after moving hands between keyboard and mouse once per stretch. */
function homingFill(c: BehaviourParams['composition'], typingMeanS: number, mouseMeanS: number): number {
  const homingMeanS = (c.homingMedianMs / 1000) * Math.exp(c.homingLogSigma ** 2 / 2);
  const stretchMeanS = (typingMeanS + mouseMeanS) / 2;
  return stretchMeanS / (stretchMeanS + homingMeanS);
}
