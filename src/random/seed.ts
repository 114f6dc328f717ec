/**
 * What a seed may be, as plain data (src/ranges.ts says why): the scenario's
 * seed: takes a text or a whole number and resolves either to text, so the
 * agent's settings file, which holds the resolved seed, takes the text range.
 */
import type { LengthRange, NumberRange } from '../ranges.js';

export const SEED_LIMITS = {
  text: { min: 1, max: 200 },
  whole: { min: 0, max: Number.MAX_SAFE_INTEGER, whole: true },
} as const satisfies { readonly text: LengthRange; readonly whole: NumberRange };
