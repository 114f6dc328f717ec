/**
 * A small checker of plain JSON data against a declared shape: the types,
 * fields and ranges a file must have. It names the first field that is wrong,
 * with what is allowed and what was given, so a person can fix the file. The
 * ranges are the same data the scenario schema is built from (src/ranges.ts);
 * this checker exists so the agent process can read a file without loading
 * zod and the scenario loader.
 */
import { describeListLength, describeRange, describeTextLength, inRange, type LengthRange, type NumberRange } from '../ranges.js';

/** A rule across the fields of one object: the field it faults and "must …", or null when the object keeps it. */
export type FieldsRule = (value: Readonly<Record<string, unknown>>) => { readonly field: string; readonly message: string } | null;

export type Shape =
  | 'string'
  | 'boolean'
  | { readonly number: NumberRange }
  | { readonly text: LengthRange }
  | { readonly oneOf: readonly string[] }
  | { readonly nullable: Shape }
  /** A list of `length` items, each of shape `list`; `what` names the items in messages. */
  | { readonly list: Shape; readonly length: LengthRange; readonly what: string }
  /**
   * An object with exactly these fields (a field whose shape is { optional } may be missing); `ordered`
   * pairs where the first must not exceed the second; `rule` for anything else across fields.
   */
  | {
      readonly fields: Readonly<Record<string, Shape | { readonly optional: Shape }>>;
      readonly ordered?: readonly (readonly [string, string])[];
      readonly rule?: FieldsRule;
    }
  /** An object whose `tag` field picks which fields it has. */
  | { readonly tag: string; readonly variants: Readonly<Record<string, Readonly<Record<string, Shape>>>> };

type FieldsShape = Extract<Shape, { readonly fields: unknown }>;

/** The first problem of `value` against `shape`, as "path what-is-wrong", or null when it fits. */
export function shapeProblem(value: unknown, shape: Shape, path: string): string | null {
  if (shape === 'string') return typeof value === 'string' ? null : `${path} must be a text, got ${given(value)}`;
  if (shape === 'boolean') return typeof value === 'boolean' ? null : `${path} must be true or false, got ${given(value)}`;
  if ('number' in shape) return inRange(value, shape.number) ? null : `${path} must be ${describeRange(shape.number)}, got ${given(value)}`;
  if ('text' in shape)
    return typeof value === 'string' && value.length >= shape.text.min && value.length <= shape.text.max
      ? null
      : `${path} must be ${describeTextLength(shape.text)}, got ${given(value)}`;
  if ('oneOf' in shape)
    return typeof value === 'string' && shape.oneOf.includes(value)
      ? null
      : `${path} must be one of ${shape.oneOf.join(', ')}, got ${given(value)}`;
  if ('nullable' in shape) return value === null ? null : shapeProblem(value, shape.nullable, path);
  if ('list' in shape) {
    const allowed = describeListLength(shape.length, shape.what);
    if (!Array.isArray(value)) return `${path} must be ${allowed}, got ${given(value)}`;
    if (value.length < shape.length.min || value.length > shape.length.max)
      return `${path} must be ${allowed}, got a list of ${value.length}`;
    for (let i = 0; i < value.length; i++) {
      const p = shapeProblem(value[i], shape.list, `${path}[${i}]`);
      if (p !== null) return p;
    }
    return null;
  }
  if (!isPlainObject(value)) return `${path} must be an object, got ${given(value)}`;
  if ('fields' in shape) return fieldsProblem(value, shape, path);
  const tag = value[shape.tag];
  const fields = typeof tag === 'string' && Object.hasOwn(shape.variants, tag) ? shape.variants[tag] : undefined;
  if (fields === undefined) return `${path}.${shape.tag} must be one of ${Object.keys(shape.variants).join(', ')}, got ${given(tag)}`;
  return fieldsProblem(value, { fields: { ...fields, [shape.tag]: 'string' } }, path);
}

function fieldsProblem(value: Record<string, unknown>, shape: FieldsShape, path: string): string | null {
  for (const key of Object.keys(value))
    if (!Object.hasOwn(shape.fields, key))
      return `${path} has an unknown field ${JSON.stringify(key)} (known: ${Object.keys(shape.fields).join(', ')})`;
  for (const [key, f] of Object.entries(shape.fields)) {
    const optional = typeof f === 'object' && 'optional' in f;
    if (!Object.hasOwn(value, key)) {
      if (optional) continue;
      return `${path}.${key} is missing`;
    }
    const p = shapeProblem(value[key], optional ? f.optional : f, `${path}.${key}`);
    if (p !== null) return p;
  }
  for (const [lo, hi] of shape.ordered ?? [])
    if ((value[lo] as number) > (value[hi] as number))
      return `${path}.${lo} must be at most ${hi} (${given(value[hi])}), got ${given(value[lo])}`;
  const broken = shape.rule?.(value) ?? null;
  return broken === null ? null : `${path}.${broken.field} ${broken.message}, got ${given(value[broken.field])}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function given(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
