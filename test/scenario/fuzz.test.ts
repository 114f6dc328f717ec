import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario, resolveScenario, type Scenario } from '../../src/scenario/index.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const TEXTS = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

const SCALARS = ['-1', '0', '1e400', '-.inf', '.nan', '""', 'null', '~', '[]', '{}', 'true', 'abc', '0.5', '99999999999999999999', '"09:00"', '&a x', '*a', '!!binary aGk=', '!!set {a}', '|\n  text', "'q'", '2026-02-30', '{ kind: url }'];
const CHARS = [':', '-', ' ', '  ', '[', ']', '{', '}', '"', "'", '#', '&', '*', '!', '\t', '\n', 'x', '9', ',', '?', '|', '>', '%', '@', '`'];

type Mutation = (lines: string[]) => string[];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i) => (ls: string[]) => ls.filter((_, j) => j !== i % ls.length)),
  fc.nat().map((i) => (ls: string[]) => [...ls.slice(0, (i % ls.length) + 1), ...ls.slice(i % ls.length)]),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...CHARS)).map(([i, p, c]) => (ls: string[]) => {
    const k = i % ls.length;
    const l = ls[k]!;
    const at = p % (l.length + 1);
    return ls.map((x, j) => (j === k ? l.slice(0, at) + c + l.slice(at) : x));
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([i, p]) => (ls: string[]) => {
    const k = i % ls.length;
    const l = ls[k]!;
    const at = p % Math.max(1, l.length);
    return ls.map((x, j) => (j === k ? l.slice(0, at) + l.slice(at + 1) : x));
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...SCALARS)).map(([i, v]) => (ls: string[]) => {
    const withValue = ls.map((l, j) => [l, j] as const).filter(([l]) => /:\s+\S/.test(l) && !l.trimStart().startsWith('#'));
    if (withValue.length === 0) return ls;
    const [, k] = withValue[i % withValue.length]!;
    return ls.map((x, j) => (j === k ? x.replace(/:\s+.*$/, `: ${v}`) : x));
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([i, d]) => (ls: string[]) => {
    const k = i % ls.length;
    return ls.map((x, j) => (j === k ? (d >= 0 ? ' '.repeat(d) + x : x.slice(Math.min(-d, x.length - x.trimStart().length))) : x));
  }),
);

/** The contract: a Scenario, or a ScenarioError whose every issue names a line or a field. */
function outcome(run: () => Scenario, file: string, needLine: boolean): void {
  try {
    const s = run();
    expect(typeof s.name).toBe('string');
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${String(err)}\n${(err as Error).stack}`);
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(i.file).toBe(file);
      expect(i.message.length).toBeGreaterThan(0);
      if (needLine) expect(i.line).toBeGreaterThan(0);
      else expect(i.path !== '' || i.kind === 'type' || i.kind === 'required').toBe(true);
    }
  }
}

describe('the validator never throws anything but a ScenarioError', () => {
  it('on random YAML-ish mutations of the shipped scenarios', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEXTS), fc.array(mutation, { minLength: 1, maxLength: 6 }), ({ file, text }, ms) => {
        const mutated = ms.reduce((ls, m) => (ls.length === 0 ? ls : m(ls)), text.split('\n')).join('\n');
        outcome(() => parseScenario(mutated, file), file, true);
      }),
      { numRuns: 1000, seed: 20261123 },
    );
  });

  it('on arbitrary values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ name: fc.string(), policy: fc.anything(), fleet: fc.anything(), agent: fc.anything(), sweep: fc.anything() }, { requiredKeys: ['name'] })), (v) => {
        outcome(() => resolveScenario(v, 'v'), 'v', false);
      }),
      { numRuns: 600, seed: 7 },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...CHARS, 'name', 'policy', 'fleet', 'a', '1', '0.5') }), (t) => {
        outcome(() => parseScenario(t, 't.yaml'), 't.yaml', true);
      }),
      { numRuns: 600, seed: 11 },
    );
  });
});
