/**
 * The agent's settings file and the scenario must refuse the same values:
 * a settings file is a scenario's agent: and policy: sections written out, and
 * its check (without zod) is built from the same range data as the schema.
 * This property test spoils fields of a valid file with generated values and
 * asks both: the settings check, and the scenario loader given those sections.
 * The values come from boundaries read off the scenario's JSON Schema (not
 * from the shared range data), so a range the schema stops taking from that
 * data, a new rule across fields, or a new field fails here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentSettingsJson, agentSettingsProblem } from '../../src/agent-process/index.js';
import { ScenarioError, resolveScenario, scenarioJsonSchema } from '../../src/scenario/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Data = { [k: string]: Json };

const BASE = JSON.parse(agentSettingsJson(resolveScenario({ name: 'agrees' }))) as Data;

const SCHEMA = scenarioJsonSchema();

/** Every number a piece of the scenario's JSON Schema states: minimums, maximums, lengths. */
function schemaBounds(node: unknown, out = new Set<number>()): Set<number> {
  if (Array.isArray(node)) for (const n of node) schemaBounds(n, out);
  else if (typeof node === 'object' && node !== null)
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'number' && /^(exclusiveM|m)(in|ax)(imum|Length|Items)$/.test(k)) out.add(v);
      else schemaBounds(v, out);
    }
  return out;
}

/** The JSON Schema of the field at `path` (through anyOf alternatives, such as nullable ones). */
function schemaOf(path: readonly string[]): unknown[] {
  let nodes: unknown[] = [SCHEMA];
  for (const k of path) {
    const expand = (n: unknown): unknown[] => {
      const o = n as { properties?: Record<string, unknown>; anyOf?: unknown[]; oneOf?: unknown[] };
      return [...(o.properties?.[k] !== undefined ? [o.properties[k]] : []), ...[...(o.anyOf ?? []), ...(o.oneOf ?? [])].flatMap(expand)];
    };
    nodes = nodes.flatMap(expand);
  }
  return nodes;
}

/** Numbers at, just inside and just outside each bound, and anywhere. */
function numbers(bounds: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(...bounds).chain((b) => fc.constantFrom(b, b - 1, b + 1, b - 0.5, b + 0.5, b + 1e-6, b - 1e-6, -b)),
    },
    { weight: 1, arbitrary: fc.integer({ min: -10, max: 2_000_000 }) },
    { weight: 1, arbitrary: fc.double({ min: -1e3, max: 1e11, noNaN: true, noDefaultInfinity: true }) },
  );
}

/** Lengths at and either side of each bound that can be a length. */
function lengths(bounds: readonly number[]): fc.Arbitrary<number> {
  const near = bounds.filter((b) => Number.isInteger(b) && b >= 0 && b <= 300).flatMap((b) => [b - 1, b, b + 1]);
  return fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(...near.filter((n) => n >= 0), 0));
}

const NAMES = ['identity', 'gzip', 'br', 'zstd', 'lz4', 'record', 'xi2', 'xinput', 'none', 'rate', 'path', 'fast'];
const wrongType = fc.constantFrom<Json>(null, true, '1', [], {});

/** Values for a field, by what the valid file has there and the bounds its JSON Schema states. */
function valuesLike(path: readonly string[], v: Json): fc.Arbitrary<Json> {
  const bounds = [...schemaBounds(schemaOf(path), new Set([0, 1]))];
  const number = numbers(bounds);
  const text = fc.oneof(
    fc.constantFrom(...NAMES),
    fc.string({ maxLength: 6 }),
    lengths(bounds).map((n) => 'x'.repeat(n)),
  );
  /** A list of one repeated item (so its length is judged, not only its items) or of a few different ones. */
  const list = (item: fc.Arbitrary<Json>) =>
    fc.oneof(
      fc.array(item, { maxLength: 4 }),
      fc.tuple(item, lengths(bounds)).map(([x, n]) => Array.from({ length: n }, () => x)),
    );
  const key = path[path.length - 1];
  if (key === 'coalesce')
    return fc.oneof(
      fc.record({ mode: fc.constantFrom('none', 'rate', 'path', 'fast') }),
      fc.record({ mode: fc.constantFrom('rate', 'path'), maxRateHz: number }),
      fc.record({ mode: fc.constantFrom('rate', 'path'), maxErrorPx: number }),
      wrongType,
    );
  if (typeof v === 'number') return fc.oneof({ weight: 5, arbitrary: number }, { weight: 1, arbitrary: wrongType });
  if (typeof v === 'string') return fc.oneof(text, wrongType);
  if (typeof v === 'boolean') return fc.oneof(fc.boolean(), wrongType);
  if (Array.isArray(v)) return fc.oneof(list(number), list(text), wrongType);
  // null: a nullable number (maxPausesPerDay) or object (captureHours), whose two fields may be equal.
  return fc.oneof(
    fc.constant(null),
    number,
    fc.record({ startHour: number, endHour: number }),
    number.map((h) => ({ startHour: h, endHour: h })),
    wrongType,
  );
}

/** Paths of the fields of agent: and policy:, down to numbers, texts, lists and null; coalesce whole; and the seed. */
function fieldPaths(v: Json, path: string[]): string[][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || path.at(-1) === 'coalesce') return [path];
  return Object.entries(v).flatMap(([k, child]) => fieldPaths(child, [...path, k]));
}
// The seed gets texts and the wrong types, not numbers: the file holds the seed as the scenario resolved it (seed: 42 is
// the text "42" there), so a number in the file is refused where the scenario would take it (settings.test.ts).
const PATHS = [['seed'], ...fieldPaths(BASE.agent!, ['agent']), ...fieldPaths(BASE.policy!, ['policy'])];

const at = (data: Json, path: readonly string[]): Json => path.reduce<Json>((o, k) => (o as Data)[k]!, data);

/** One change: a field and its new value; compressionLevel may also be left out (the codec's default). */
const change = fc.constantFrom(...PATHS).chain((path) => {
  const values = valuesLike(path, at(BASE, path));
  return fc.tuple(fc.constant(path), path.join('.') === 'agent.compressionLevel' ? fc.option(values, { nil: undefined }) : values);
});

function withChanges(changes: readonly (readonly [string[], Json | undefined])[]): Data {
  const data = structuredClone(BASE);
  for (const [path, value] of changes) {
    const parent = at(data, path.slice(0, -1)) as Data;
    const key = path[path.length - 1]!;
    if (value === undefined) delete parent[key];
    else parent[key] = value;
  }
  // As the file would carry it: JSON has no -0 and no undefined.
  return JSON.parse(JSON.stringify(data)) as Data;
}

function scenarioVerdict(data: Data): string | null {
  try {
    const s = resolveScenario({ name: 'agrees', seed: data.seed, agent: data.agent, policy: data.policy });
    // What it accepts, it reads as the file says.
    expect(JSON.parse(agentSettingsJson(s))).toEqual(data);
    return null;
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw e;
  }
}

describe('the settings file and the scenario agree', () => {
  it('lists every field of agent: and policy: among those it spoils', () => {
    expect(PATHS.map((p) => p.join('.'))).toEqual(
      expect.arrayContaining([
        'agent.compressionLevel',
        'agent.coalesce',
        'agent.upload.retryBaseMs',
        'agent.contentFilter.cueWords',
        'policy.captureHours',
        'policy.maxPausesPerDay',
        'seed',
      ]),
    );
    expect([...schemaBounds(schemaOf(['seed']))]).toEqual([1, 200, 0, Number.MAX_SAFE_INTEGER]);
    expect([...schemaBounds(schemaOf(['policy', 'pauseCapMinutes']))]).toEqual([1, 1_440]);
    expect([...schemaBounds(schemaOf(['agent', 'contentFilter', 'extraSensitiveContexts']))]).toEqual([0, 256, 255]);
  });

  it('on every value, inside and outside each range, and across fields (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
        const data = withChanges(changes);
        const settings = agentSettingsProblem(data);
        const scenario = scenarioVerdict(data);
        expect({ settingsRefuses: settings !== null, scenarioRefuses: scenario !== null, settings, scenario }).toMatchObject({
          settingsRefuses: scenario !== null,
        });
      }),
      { numRuns: 3_000 },
    );
  });
});
