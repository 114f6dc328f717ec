/**
 * Small zod builders that give every field the same shape of error message
 * ("must be a whole number from 1 to 1440") and carry its documentation and
 * default into the JSON Schema. Messages say only what is allowed; load.ts
 * appends what was given and where.
 */
import { z } from 'zod';

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
  const noun = o.noun ?? (o.int ? 'a whole number' : 'a number');
  const message = o.above ? `must be ${noun} above ${min} and at most ${max}` : `must be ${noun} from ${min} to ${max}`;
  const base = o.int ? z.int({ error: message }) : z.number({ error: message });
  return (o.above ? base.gt(min, { error: message }) : base.min(min, { error: message })).max(max, { error: message });
}

export const int = (min: number, max: number): z.ZodNumber => num(min, max, { int: true });
export const share = (): z.ZodNumber => num(0, 1, { noun: 'a share' });
export const weight = (): z.ZodNumber => num(0, 1_000_000, { noun: 'a weight' });
export const logSigma = (): z.ZodNumber => num(0, 3, { noun: 'a log-scale spread' });
export const bool = () => z.boolean({ error: 'must be true or false' });
export const text = (maxLength = 200) =>
  z
    .string({ error: `must be a text of 1 to ${maxLength} characters` })
    .min(1, { error: `must be a text of 1 to ${maxLength} characters` })
    .max(maxLength, { error: `must be a text of 1 to ${maxLength} characters` });

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, hint = '') {
  return z.enum(values, { error: `must be one of ${values.join(', ')}${hint}` });
}

export function list<T extends z.ZodType>(item: T, min: number, max: number, what: string) {
  const message = min === max ? `must be a list of exactly ${min} ${what}` : `must be a list of ${min} to ${max} ${what}`;
  return z.array(item, { error: message }).min(min, { error: message }).max(max, { error: message });
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
