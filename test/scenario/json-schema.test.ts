import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/index.js';

type Schema = Record<string, unknown>;

/**
 * A small JSON Schema checker for the keywords the scenario schema uses
 * (enough to prove that an editor using the schema accepts the shipped
 * scenarios and flags the mistakes `fleetsim validate` flags).
 */
function check(s: Schema, v: unknown, path = '$'): string[] {
  const out: string[] = [];
  const typeOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : Number.isInteger(x) ? 'integer' : typeof x);
  if (s.anyOf) return (s.anyOf as Schema[]).some((o) => check(o, v, path).length === 0) ? [] : [`${path}: no anyOf option matches`];
  if (s.oneOf)
    return (s.oneOf as Schema[]).filter((o) => check(o, v, path).length === 0).length === 1
      ? []
      : [`${path}: not exactly one oneOf option matches`];
  if (s.type) {
    const t = typeOf(v);
    const ok = s.type === t || (s.type === 'number' && t === 'integer');
    if (!ok) return [`${path}: expected ${String(s.type)}, got ${t}`];
  }
  if ('const' in s && s.const !== v) out.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (s.enum && !(s.enum as unknown[]).includes(v)) out.push(`${path}: not in enum`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) out.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && v > s.maximum) out.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) out.push(`${path}: not above exclusiveMinimum`);
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && v.length < s.minLength) out.push(`${path}: too short`);
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) out.push(`${path}: too long`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) out.push(`${path}: pattern`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) out.push(`${path}: too few items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) out.push(`${path}: too many items`);
    if (s.items) v.forEach((x, i) => out.push(...check(s.items as Schema, x, `${path}[${i}]`)));
  } else if (v !== null && typeof v === 'object') {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in v)) out.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(v)) {
      if (s.propertyNames) out.push(...check(s.propertyNames as Schema, k, `${path}.${k} (name)`));
      if (props[k]) out.push(...check(props[k]!, x, `${path}.${k}`));
      else if (s.additionalProperties === false) out.push(`${path}.${k}: unknown property`);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object')
        out.push(...check(s.additionalProperties as Schema, x, `${path}.${k}`));
    }
  }
  return out;
}

const SCENARIOS = join(import.meta.dirname, '../../scenarios');

describe('JSON Schema for editors', () => {
  const schema = scenarioJsonSchema();

  it('is JSON, draft 2020-12, and covers every top-level key with a description', () => {
    const round = JSON.parse(JSON.stringify(schema)) as Schema;
    expect(round.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(round.additionalProperties).toBe(false);
    expect(round.required).toEqual(['name']);
    const props = round.properties as Record<string, Schema>;
    expect(Object.keys(props).sort()).toEqual(
      [
        'agent',
        'agents',
        'behaviour',
        'compare',
        'description',
        'energy',
        'faults',
        'fleet',
        'ingest',
        'name',
        'outputs',
        'policy',
        'seed',
        'simulation',
        'sweep',
        'thresholds',
        'transport',
      ].sort(),
    );
    for (const [k, p] of Object.entries(props)) expect(p.description, k).toEqual(expect.any(String));
  });

  it('shows the documentation and the default of each field', () => {
    const props = schema.properties as Record<string, Schema>;
    const cap = (props.policy!.properties as Record<string, Schema>).pauseCapMinutes!;
    expect(cap).toMatchObject({
      type: 'number',
      minimum: 1,
      maximum: 1440,
      default: 30,
      description: expect.stringContaining('Longest single pause'),
    });
    const batch = (props.agent!.properties as Record<string, Schema>).batchMaxAgeMs!;
    expect(batch).toMatchObject({ type: 'integer', minimum: 1000, maximum: 3_600_000, default: 900_000 });
    expect(props.transport).toMatchObject({ default: 'http', enum: ['http', 'corpus', 'null', null] });
    expect(JSON.stringify(schema)).not.toContain('$ref');
  });

  it('documents every field', () => {
    const undocumented: string[] = [];
    const walk = (s: Schema, path: string): void => {
      for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        if (typeof p.description !== 'string' && !path.includes('Mix') && !path.includes('reactionWeights'))
          undocumented.push(`${path}.${k}`);
        walk(p, `${path}.${k}`);
      }
      for (const o of [...((s.anyOf ?? []) as Schema[]), ...((s.oneOf ?? []) as Schema[])]) walk(o, path);
      if (s.items) walk(s.items as Schema, `${path}[]`);
    };
    walk(schema, '$');
    // Discriminators (kind, mode) say what they are by their value.
    expect(undocumented.filter((p) => !/\.(kind|mode)$/.test(p))).toEqual([]);
  });

  it('accepts every shipped scenario and flags unknown fields and bad values', () => {
    for (const f of readdirSync(SCENARIOS).filter((n) => n.endsWith('.yaml'))) {
      expect(check(schema, parse(readFileSync(join(SCENARIOS, f), 'utf8'))), f).toEqual([]);
    }
    expect(check(schema, { name: 'x', policy: { pauseCap: 3 } })).toEqual(['$.policy.pauseCap: unknown property']);
    expect(check(schema, { name: 'x', policy: { pauseCapMinutes: -5 } })).toEqual(['$.policy.pauseCapMinutes: below minimum']);
    expect(check(schema, { name: 'x', transport: null })).toEqual([]);
    expect(check(schema, { name: 'x', thresholds: ['ingest.p99_ms < 200', ' ledger.lost==0 '] })).toEqual([]);
    expect(check(schema, { name: 'x', thresholds: ['ingest.p99 < 200'] })).toEqual(['$.thresholds[0]: pattern']);
    expect(check(schema, { name: 'x', thresholds: ['ledger.lost = 0'] })).toEqual(['$.thresholds[0]: pattern']);
  });
});
