/**
 * A small checker of plain JSON data against a declared shape: the types and
 * fields a file must have, nothing more. It names the first field that is
 * wrong, with what was given, so a person can fix the file. (The scenario
 * loader judges ranges and meaning with zod; this one exists so the agent
 * process can read a file without loading it.)
 */
export type Shape =
  | 'string'
  | 'boolean'
  /** A whole number ≥ 0. */
  | 'count'
  /** A finite number ≥ 0. */
  | 'amount'
  | { readonly oneOf: readonly string[] }
  | { readonly nullable: Shape }
  | { readonly list: Shape }
  /** An object with exactly these fields; a field whose shape is { optional } may be missing. */
  | { readonly fields: Readonly<Record<string, Shape | { readonly optional: Shape }>> }
  /** An object whose `tag` field picks which fields it has. */
  | { readonly tag: string; readonly variants: Readonly<Record<string, Readonly<Record<string, Shape>>>> };

/** The first problem of `value` against `shape`, as "path what-is-wrong", or null when it fits. */
export function shapeProblem(value: unknown, shape: Shape, path: string): string | null {
  if (typeof shape === 'string') return scalarProblem(value, shape, path);
  if ('oneOf' in shape)
    return typeof value === 'string' && shape.oneOf.includes(value)
      ? null
      : `${path} must be one of ${shape.oneOf.join(', ')}, got ${given(value)}`;
  if ('nullable' in shape) return value === null ? null : shapeProblem(value, shape.nullable, path);
  if ('list' in shape) {
    if (!Array.isArray(value)) return `${path} must be a list, got ${given(value)}`;
    for (let i = 0; i < value.length; i++) {
      const p = shapeProblem(value[i], shape.list, `${path}[${i}]`);
      if (p !== null) return p;
    }
    return null;
  }
  if (!isPlainObject(value)) return `${path} must be an object, got ${given(value)}`;
  if ('fields' in shape) return fieldsProblem(value, shape.fields, path);
  const tag = value[shape.tag];
  const fields = typeof tag === 'string' && Object.hasOwn(shape.variants, tag) ? shape.variants[tag] : undefined;
  if (fields === undefined) return `${path}.${shape.tag} must be one of ${Object.keys(shape.variants).join(', ')}, got ${given(tag)}`;
  return fieldsProblem(value, { ...fields, [shape.tag]: 'string' }, path);
}

function fieldsProblem(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, Shape | { readonly optional: Shape }>>,
  path: string,
) {
  for (const key of Object.keys(value))
    if (!Object.hasOwn(fields, key))
      return `${path} has an unknown field ${JSON.stringify(key)} (known: ${Object.keys(fields).join(', ')})`;
  for (const [key, f] of Object.entries(fields)) {
    const optional = typeof f === 'object' && 'optional' in f;
    if (!Object.hasOwn(value, key)) {
      if (optional) continue;
      return `${path}.${key} is missing`;
    }
    const p = shapeProblem(value[key], optional ? f.optional : f, `${path}.${key}`);
    if (p !== null) return p;
  }
  return null;
}

function scalarProblem(value: unknown, shape: 'string' | 'boolean' | 'count' | 'amount', path: string): string | null {
  switch (shape) {
    case 'string':
      return typeof value === 'string' ? null : `${path} must be a string, got ${given(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${path} must be true or false, got ${given(value)}`;
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 0 ? null : `${path} must be a whole number ≥ 0, got ${given(value)}`;
    case 'amount':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : `${path} must be a number ≥ 0, got ${given(value)}`;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function given(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
