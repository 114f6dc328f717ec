import {
  bernoulli,
  clamp,
  createStream,
  deriveStream,
  gamma,
  lognormal,
  normal,
  seedInt,
  uniform,
  weightedIndex,
  weightedKey,
  type RandomStream,
  type StreamPathPart,
} from '../random/index.js';
import { drawName } from './identity.js';
import { drawMouseTraits, type MouseTraits } from './mouse-traits.js';
import type { Office } from './offices.js';
import type { CapReaction, PauseTraitParams, PopulationParams } from './params.js';
import type { DepartmentName, RoleName } from './roles.js';
import { drawTypingTraits, type TypingTraits } from './typing-traits.js';

/** A synthetic employee: identity, place, habits and traits. Plain data, safe to send between threads. */
export interface Employee {
  /** Position in the fleet, 0-based: the key of every random stream of this employee. */
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly department: DepartmentName;
  readonly role: RoleName;
  readonly office: string;
  readonly timezone: string;
  /** Habitual local start of work, minutes after midnight. */
  readonly workStartMinutes: number;
  readonly workLengthMinutes: number;
  /** This employee's median active minutes per workday (log scale). */
  readonly activeMinutesLogMu: number;
  /** Day-to-day spread of active minutes (log scale). */
  readonly activeMinutesDayLogSigma: number;
  /** Share of active time at the keyboard. */
  readonly keyboardShare: number;
  readonly meetingHoursPerDay: number;
  readonly typing: TypingTraits;
  readonly mouse: MouseTraits;
  readonly pause: PauseTraits;
  readonly exemptionRequested: boolean;
  /**
   * Uniform draw in [0, 1): the request is approved when the draw is below the
   * policy's approval rate. Drawing it here (not in the policy) keeps the same
   * employees exempt as a sweep raises the approval rate.
   */
  readonly exemptionDraw: number;
}

export interface PauseTraits {
  /** Mean pauses requested per workday (λ of a Poisson). */
  readonly pausesPerDay: number;
  readonly capReaction: CapReaction;
}

/** The stream for one purpose of one employee: the determinism contract of DESIGN.md. */
export function employeeStream(seed: StreamPathPart, index: number, purpose: string): RandomStream {
  return createStream(seed, 'employee', index, purpose);
}

export function employeeId(index: number): string {
  return `E${String(index).padStart(6, '0')}`;
}

/** Where an employee sits in the company: the first draws of the employee's 'traits' stream. */
interface Placement {
  readonly department: DepartmentName;
  readonly role: RoleName;
  readonly office: Office;
}

/**
 * The office weights of a population, in the order of its offices: the same for every employee, so computed once
 * per list of offices and mix. Keyed by the two objects, not by the params, which sweeps copy per variant.
 */
const officeWeightsOf = new WeakMap<
  readonly Office[],
  { readonly mix: PopulationParams['officeMix']; readonly weights: readonly number[] }
>();

function officeWeights(p: PopulationParams): readonly number[] {
  const cached = officeWeightsOf.get(p.offices);
  if (cached?.mix === p.officeMix) return cached.weights;
  const weights = p.offices.map((o) => p.officeMix[o.name] ?? 1);
  officeWeightsOf.set(p.offices, { mix: p.officeMix, weights });
  return weights;
}

function drawPlacement(s: RandomStream, p: PopulationParams): Placement {
  const department = weightedKey(s, p.departmentMix as Record<DepartmentName, number>);
  const roleWeights = p.roleMix[department] ?? {};
  const role = Object.keys(roleWeights).length > 0 ? weightedKey(s, roleWeights as Record<RoleName, number>) : 'analyst';
  const office = p.offices[weightedIndex(s, officeWeights(p))]!;
  return { department, role, office };
}

/**
 * The office of employee `index` (its timezone: what enrolling a laptop needs): createEmployee's office without
 * the rest of the employee, about 8 times cheaper.
 */
export function employeeOffice(seed: StreamPathPart, index: number, p: PopulationParams): Office {
  return drawPlacement(employeeStream(seed, index, 'traits'), p).office;
}

/** Employee `index` of the fleet seeded by `seed`: depends on nothing else, so any shard can build it. */
export function createEmployee(seed: StreamPathPart, index: number, p: PopulationParams): Employee {
  const s = employeeStream(seed, index, 'traits');
  const { department, role, office } = drawPlacement(s, p);
  const { first, last } = drawName(seedInt(seed, 'employee', index, 'identity'));

  const levelSigma = p.activeMinutesLogSigma * Math.sqrt(p.activeMinutesBetweenEmployeeShare);
  const daySigma = p.activeMinutesLogSigma * Math.sqrt(1 - p.activeMinutesBetweenEmployeeShare);
  const baseKeyboard = p.keyboardShareByRole[role];

  return {
    index,
    id: employeeId(index),
    name: `${first} ${last}`,
    email: `${asciiSlug(first)}.${asciiSlug(last)}.${index}@example.com`,
    department,
    role,
    office: office.name,
    timezone: office.timezone,
    workStartMinutes: Math.round(
      clamp(normal(s, p.workStartMeanMinutes, p.workStartSdMinutes), p.workStartMinMinutes, p.workStartMaxMinutes),
    ),
    workLengthMinutes: Math.round(clamp(normal(s, p.workLengthMeanMinutes, p.workLengthSdMinutes), 6 * 60, 11 * 60)),
    activeMinutesLogMu: normal(s, p.activeMinutesLogMu, levelSigma),
    activeMinutesDayLogSigma: daySigma,
    keyboardShare: clamp(baseKeyboard * lognormal(s, 0, 0.15), 0.15, 0.75),
    meetingHoursPerDay: clamp(lognormal(s, p.meetingHoursLogMu, p.meetingHoursLogSigma), 0, 3),
    typing: drawTypingTraits(deriveStream(s, 'typing'), p.typing),
    mouse: drawMouseTraits(deriveStream(s, 'mouse'), p.mouse),
    pause: drawPauseTraits(deriveStream(s, 'pause'), p.pause),
    exemptionRequested: bernoulli(s, p.exemptionRequestShare),
    exemptionDraw: uniform(s, 0, 1),
  };
}

function drawPauseTraits(s: RandomStream, p: PauseTraitParams): PauseTraits {
  const u = s.next();
  let pausesPerDay = 0;
  if (u >= p.neverPauseShare) {
    const occasional = u < p.neverPauseShare + p.occasionalShare;
    pausesPerDay = occasional
      ? gamma(s, p.occasionalGammaShape, p.occasionalGammaScale)
      : gamma(s, p.frequentGammaShape, p.frequentGammaScale);
  }
  return { pausesPerDay, capReaction: weightedKey(s, p.reactionWeights) };
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** Employees [from, to) of the fleet. */
export function createEmployees(seed: StreamPathPart, from: number, to: number, p: PopulationParams): Employee[] {
  const out: Employee[] = [];
  for (let i = from; i < to; i++) out.push(createEmployee(seed, i, p));
  return out;
}
