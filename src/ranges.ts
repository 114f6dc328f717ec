/**
 * Allowed ranges as plain data. A setting's range is written once, beside the
 * parameter type it limits (policy/limits.ts, agent/limits.ts), and read by
 * both the scenario schema (which builds zod from it) and the agent's settings
 * file check (which must not load zod): one copy, so the two cannot drift. The
 * wording of a range is made here too, so both say it the same way.
 */

/** A finite number from `min` to `max`. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly whole?: boolean;
  /** The minimum itself is not allowed (a scale, a rate). */
  readonly above?: boolean;
  /** What the number is, for messages ("a share"); "a whole number" or "a number" by default. */
  readonly noun?: string;
}

/** How many characters a text, or how many items a list, may have. */
export interface LengthRange {
  readonly min: number;
  readonly max: number;
}

export const SHARE: NumberRange = { min: 0, max: 1, noun: 'a share' };

export function inRange(value: unknown, r: NumberRange): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (r.whole === true && !Number.isSafeInteger(value)) return false;
  return (r.above === true ? value > r.min : value >= r.min) && value <= r.max;
}

/** "a whole number from 1 to 1440", "a number above 0 and at most 100": what `must be` is followed by. */
export function describeRange(r: NumberRange): string {
  const noun = r.noun ?? (r.whole === true ? 'a whole number' : 'a number');
  return r.above === true ? `${noun} above ${r.min} and at most ${r.max}` : `${noun} from ${r.min} to ${r.max}`;
}

/** "a text of 1 to 100 characters". */
export function describeTextLength(r: LengthRange): string {
  return `a text of ${r.min} to ${r.max} characters`;
}

/** "a list of 0 to 100 HTTP statuses", "a list of exactly 24 levels". */
export function describeListLength(r: LengthRange, what: string): string {
  return r.min === r.max ? `a list of exactly ${r.min} ${what}` : `a list of ${r.min} to ${r.max} ${what}`;
}
