/**
 * Allowed ranges as plain data. A setting's range is written once, beside the
 * parameter type it limits (policy/limits.ts, agent/limits.ts), and read by
 * both the scenario schema (which builds zod from it) and the agent's settings
 * file check (which must not load zod): one copy, so the two cannot drift. The
 * wording of a range is made here too, so both say it the same way.
 */
import { UsageError } from './errors.js';

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

/**
 * A whole number as a flag or an environment variable gives it, NaN if it is
 * not one. Text must be decimal digits, optionally after a minus sign:
 * Number() also reads 0x10 as 16, 1e3 as 1000 and +7 as 7, so a pasted hex
 * value or a typo would run a fleet of a size nobody asked for. A number (a
 * flag's default) must be a safe integer.
 */
export function wholeNumberText(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** A flag's value as a message shows it: a number as written, any other text quoted. */
export function shownFlagValue(value: unknown): string {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? value : JSON.stringify(value);
}

/** What to add to a refusal when text reads as a whole number to Number() but is not written in decimal digits. */
export function wholeNumberFormHint(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' && Number.isInteger(Number(value)) && !/^-?\d+$/.test(value)
    ? ' (decimal digits only, e.g. 250: no 0x, exponent, plus sign, spaces or separators)'
    : '';
}

/**
 * A number as a flag gives it, NaN if it is not one. Text must be plain
 * decimal notation (digits, an optional fraction, an optional leading minus),
 * the rule wholeNumberText applies to whole numbers: Number() reads "" as 0,
 * 0x10 as 16 and 1e3 as 1000, so an empty SLO became 0 and a pasted hex value
 * set a rate nobody asked for. Exponents are refused too, as for whole
 * numbers: a flag's values are never too long to write out.
 */
export function decimalText(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : Number.NaN;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** What to add to a refusal when text looks like a number but is not written in plain decimal notation. */
export function decimalFormHint(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' && !DECIMAL.test(value) && (!Number.isNaN(Number(value)) || /\d/.test(value))
    ? ' (decimal notation only, e.g. 2.5: no 0x, exponent, plus sign, spaces or separators)'
    : '';
}

/**
 * A number flag in a range: the one check every command's decimal flags go
 * through. `above` ranges read "more than 0 and at most 100", others "from 0 to 1".
 */
export function decimalFlag(flag: string, value: unknown, r: NumberRange): number {
  const n = decimalText(value);
  if (inRange(n, r)) return n;
  const allowed = r.above === true ? `a number more than ${r.min} and at most ${r.max}` : describeRange(r);
  throw new UsageError(`--${flag} must be ${allowed}, got ${shownFlagValue(value)}${decimalFormHint(value)}`);
}

/** A whole-number flag (or environment variable) from `min` to `max`: the one check every command's integer flags go through. */
export function wholeNumberFlag(flag: string, value: unknown, min: number, max: number): number {
  const n = wholeNumberText(value);
  if (n >= min && n <= max) return n;
  throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${shownFlagValue(value)}${wholeNumberFormHint(value)}`);
}
