/**
 * Small zod builders that give every field the same shape of error message
 * ("must be a whole number from 1 to 1440") and carry its documentation and
 * default into the JSON Schema. Messages say only what is allowed; load.ts
 * appends what was given and where.
 */
import { z } from 'zod';
import { SHARE, describeListLength, describeRange, describeTextLength, type LengthRange, type NumberRange } from '../ranges.js';

/** Prefix of the message a strict object gives for unknown keys; load.ts decodes the allowed names. */
export const UNKNOWN_KEYS_MARK = '\u0000allowed:';

export function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? UNKNOWN_KEYS_MARK + JSON.stringify(keys) : `must be a mapping of fields (${preview(keys)})`,
  });
}

function preview(keys: readonly string[]): string {
  return keys.length <= 6 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')}, …`;
}

export interface NumOptions {
  readonly int?: boolean;
  /** The minimum itself is not allowed (a scale, a rate). */
  readonly above?: boolean;
  /** What the number is, for the message ("a share", "a weight"). */
  readonly noun?: string;
}

/** A finite number in [min, max] (or (min, max] with `above`). */
export function num(min: number, max: number, o: NumOptions = {}): z.ZodNumber {
  return ranged({ min, max, whole: o.int, above: o.above, noun: o.noun });
}

/** A number in a range given as data (src/ranges.ts), with the range's own wording. */
export function ranged(r: NumberRange): z.ZodNumber {
  const message = `must be ${describeRange(r)}`;
  const base = r.whole === true ? z.int({ error: message }) : z.number({ error: message });
  return (r.above === true ? base.gt(r.min, { error: message }) : base.min(r.min, { error: message })).max(r.max, { error: message });
}

export const int = (min: number, max: number): z.ZodNumber => num(min, max, { int: true });
export const share = (): z.ZodNumber => ranged(SHARE);
export const weight = (): z.ZodNumber => num(0, 1_000_000, { noun: 'a weight' });
export const logSigma = (): z.ZodNumber => num(0, 3, { noun: 'a log-scale spread' });
export const bool = () => z.boolean({ error: 'must be true or false' });
export const text = (maxLength = 200) => textIn({ min: 1, max: maxLength });
/** A text whose length is given as data (src/ranges.ts). */
export function textIn(r: LengthRange) {
  const message = `must be ${describeTextLength(r)}`;
  return z.string({ error: message }).min(r.min, { error: message }).max(r.max, { error: message });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, hint = '') {
  return z.enum(values, { error: `must be one of ${values.join(', ')}${hint}` });
}

export function list<T extends z.ZodType>(item: T, min: number, max: number, what: string) {
  const message = `must be ${describeListLength({ min, max }, what)}`;
  return z.array(item, { error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A list whose length and items are given as data (src/agent/limits.ts's ListLimits). */
export function listIn<T extends z.ZodType>(item: T, limits: { readonly length: LengthRange; readonly what: string }) {
  return list(item, limits.length.min, limits.length.max, limits.what);
}

/** A field spec: its schema (without default) and its documentation. */
export type FieldSpec = readonly [schema: z.ZodType, doc: string];
export type FieldSpecs<T> = { readonly [K in keyof T]-?: FieldSpec };

/** Pairs of fields where the first must not exceed the second. */
export type Ordered<T> = readonly (readonly [keyof T & string, keyof T & string])[];

/**
 * A section of the scenario that mirrors a library parameter object: every
 * field optional in the file, defaulted from the library's DEFAULT_* constant,
 * documented; the section itself defaults to {} so it deep-merges.
 */
export function group<T extends object>(
  defaults: T,
  specs: FieldSpecs<T>,
  doc: string,
  ordered: Ordered<T> = [],
): z.ZodPrefault<z.ZodType<T, { [K in keyof T]?: unknown }>> {
  const shape: Record<string, z.ZodType> = {};
  for (const key of Object.keys(specs) as (keyof T & string)[]) {
    const [schema, fieldDoc] = specs[key];
    shape[key] = schema.default(defaults[key] as never).meta({ description: fieldDoc });
  }
  const obj = strict(shape).superRefine((v, ctx) => {
    const rec = v as Record<string, number>;
    for (const [lo, hi] of ordered) {
      if ((rec[lo] as number) > (rec[hi] as number)) {
        ctx.addIssue({
          code: 'custom',
          path: [lo],
          input: rec[lo],
          message: `must be at most ${hi} (${rec[hi]})`,
          params: { kind: 'range', allowed: `at most ${hi}` },
        });
      }
    }
  });
  return obj.prefault({}).meta({ description: doc }) as unknown as z.ZodPrefault<z.ZodType<T, { [K in keyof T]?: unknown }>>;
}

/** A field with its library default and its documentation. */
export function field<T extends z.ZodType>(schema: T, defaultValue: z.output<T>, doc: string) {
  return schema.default(defaultValue as never).meta({ description: doc });
}
