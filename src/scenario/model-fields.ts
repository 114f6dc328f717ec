/**
 * Field specs for the behaviour models' internal constants (TypingModelParams,
 * MouseModelParams): dozens of calibrated numbers whose sources are documented
 * on the interfaces themselves. Scenarios may override them (for sensitivity
 * studies), so each gets a range from its unit; the description points to the
 * interface that documents its source.
 */
import type { MouseModelParams, TypingModelParams } from '../behaviour/index.js';
import { DEFAULT_MOUSE_MODEL_PARAMS, DEFAULT_TYPING_MODEL_PARAMS } from '../behaviour/index.js';
import { num, share, logSigma, type FieldSpec, type FieldSpecs } from './fields.js';

/** The range a model constant may take, from the unit or kind its name carries. */
function specFor(name: string, where: string): FieldSpec {
  const doc = `See ${where}.${name} for the source of the default (a model constant; change it for sensitivity studies).`;
  // A median is the scale of a lognormal: it must be above 0 (its log is taken).
  const above = /Median/.test(name);
  if (/LogSigma$/.test(name)) return [logSigma(), doc];
  if (/_ms$/.test(name)) return [num(0, 3_600_000, { above }), `${doc} Milliseconds.`];
  if (/_px$/.test(name)) return [num(0, 100_000, { above }), `${doc} Pixels.`];
  if (/_keys$/.test(name)) return [num(0, 1e9, { above }), `${doc} Keystrokes.`];
  if (
    /(Share|Probability|ShareOfPresses|ShareOfActiveTime|ShareOfEpisodeMax|ShareOfMt|MinP|MaxP|GeometricP|Base|CorrectionShare)$/.test(name)
  )
    return [share(), doc];
  if (/Weight$/.test(name)) return [num(0, 1_000, { noun: 'a weight' }), doc];
  if (
    /(Factor|Fraction|FactorMin|FactorMax|OfDistance|PerWidth|Mean|Sd|Min|Max|Residual\w*|PerBit|Offset|PerChar|PxPerNotch|PxPerMs|Median)$/.test(
      name,
    )
  )
    return [num(0, 1_000, { above }), doc];
  return [num(0, 1_000_000, { above }), doc];
}

function specsFor<T extends object>(defaults: T, where: string): FieldSpecs<T> {
  const out: Record<string, FieldSpec> = {};
  for (const key of Object.keys(defaults)) out[key] = specFor(key, where);
  return out as FieldSpecs<T>;
}

export const TYPING_MODEL_FIELDS: FieldSpecs<TypingModelParams> = specsFor(
  DEFAULT_TYPING_MODEL_PARAMS,
  'TypingModelParams (src/behaviour/typing/params.ts)',
);
export const MOUSE_MODEL_FIELDS: FieldSpecs<MouseModelParams> = specsFor(
  DEFAULT_MOUSE_MODEL_PARAMS,
  'MouseModelParams (src/behaviour/mouse/params.ts)',
);
