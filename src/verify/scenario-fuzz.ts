import fc from 'fast-check';
import { ScenarioError, parseScenario, resolveScenario, type Scenario, type ScenarioIssue } from '../scenario/index.js';

/**
 * Hostile scenario files: the validator must never throw anything
 * but a ScenarioError, and every issue it reports must say where: a line for
 * text, a field path (or the whole value's type) for values. Cases come from
 * fast-check with a fixed seed, so a run is repeatable and a failure can be
 * replayed.
 */
export const SCENARIO_FUZZ_CLASSES = ['mutated-file', 'arbitrary-value', 'arbitrary-text'] as const;
export type ScenarioFuzzClass = (typeof SCENARIO_FUZZ_CLASSES)[number];

export interface ScenarioFuzzClassResult {
  tried: number;
  /** Valid after all: a Scenario came back. */
  accepted: number;
  /** Refused with a ScenarioError whose every issue is located. */
  refusedLocated: number;
}

export interface ScenarioFuzzResult {
  readonly cases: number;
  readonly byClass: Readonly<Record<ScenarioFuzzClass, ScenarioFuzzClassResult>>;
  /** Cases where the validator threw something other than a ScenarioError. */
  readonly crashes: number;
  /** ScenarioErrors with an issue that says neither where nor which field. */
  readonly unlocated: number;
  /** The first few crashes and unlocated issues, enough to reproduce. */
  readonly surprises: readonly string[];
}

export interface ScenarioText {
  readonly file: string;
  readonly text: string;
}

const SCALARS = [
  '-1',
  '0',
  '1e400',
  '-.inf',
  '.nan',
  '""',
  'null',
  '~',
  '[]',
  '{}',
  'true',
  'abc',
  '0.5',
  '99999999999999999999',
  '"09:00"',
  '&a x',
  '*a',
  '!!binary aGk=',
  '!!set {a}',
  '|\n  text',
  "'q'",
  '2026-02-30',
  '{ kind: url }',
];
const CHARS = [
  ':',
  '-',
  ' ',
  '  ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '#',
  '&',
  '*',
  '!',
  '\t',
  '\n',
  'x',
  '9',
  ',',
  '?',
  '|',
  '>',
  '%',
  '@',
  '`',
];

type Mutation = (lines: string[]) => string[];

/** Edits a YAML author (or a bad merge) could make: drop, duplicate, insert, delete, replace a value, re-indent. */
export const scenarioMutation: fc.Arbitrary<Mutation> = fc.oneof(
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

/** A shipped scenario with one to six mutations applied. */
export function mutatedScenario(texts: readonly ScenarioText[]): fc.Arbitrary<ScenarioText> {
  return fc.tuple(fc.constantFrom(...texts), fc.array(scenarioMutation, { minLength: 1, maxLength: 6 })).map(([{ file, text }, ms]) => ({
    file,
    text: ms.reduce((ls, m) => (ls.length === 0 ? ls : m(ls)), text.split('\n')).join('\n'),
  }));
}

/** Any value, or a scenario-shaped record whose sections are anything. */
export const arbitraryScenarioValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record(
    { name: fc.string(), policy: fc.anything(), fleet: fc.anything(), agent: fc.anything(), sweep: fc.anything(), faults: fc.anything() },
    { requiredKeys: ['name'] },
  ),
);

/** Text made of YAML punctuation and scenario words. */
export const arbitraryScenarioText: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...CHARS, 'name', 'policy', 'fleet', 'faults', 'a', '1', '0.5'),
});

export type FuzzOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'unlocated'; readonly issue: ScenarioIssue }
  | { readonly kind: 'crash'; readonly error: unknown };

/**
 * The contract for one input: a Scenario, or a ScenarioError with at least one
 * issue, each in the right file with a message, and located: by line for
 * text (`needLine`), by field path (or as the whole value's type/required) for values.
 */
export function judgeValidation(run: () => Scenario, file: string, needLine: boolean): FuzzOutcome {
  let s: Scenario;
  try {
    s = run();
  } catch (err) {
    if (!(err instanceof ScenarioError) || err.issues.length === 0) return { kind: 'crash', error: err };
    for (const i of err.issues) {
      const located = needLine ? i.line > 0 : i.path !== '' || i.kind === 'type' || i.kind === 'required';
      if (i.file !== file || i.message.length === 0 || !located) return { kind: 'unlocated', issue: i };
    }
    return { kind: 'refused' };
  }
  return typeof s.name === 'string'
    ? { kind: 'accepted' }
    : { kind: 'crash', error: new Error('validator returned a scenario without a name') };
}

/** Runs `cases` fuzz cases, split evenly over the three classes, from `seed`. */
export function runScenarioFuzz(o: {
  readonly cases: number;
  readonly seed: number;
  readonly scenarios: readonly ScenarioText[];
}): ScenarioFuzzResult {
  if (o.scenarios.length === 0) throw new Error('runScenarioFuzz needs at least one scenario text to mutate');
  const per = Math.max(1, Math.floor(o.cases / SCENARIO_FUZZ_CLASSES.length));
  const byClass = Object.fromEntries(SCENARIO_FUZZ_CLASSES.map((c) => [c, { tried: 0, accepted: 0, refusedLocated: 0 }])) as Record<
    ScenarioFuzzClass,
    ScenarioFuzzClassResult
  >;
  const surprises: string[] = [];
  let crashes = 0;
  let unlocated = 0;
  const record = (cls: ScenarioFuzzClass, input: string, out: FuzzOutcome) => {
    const r = byClass[cls];
    r.tried++;
    if (out.kind === 'accepted') r.accepted++;
    else if (out.kind === 'refused') r.refusedLocated++;
    else {
      if (out.kind === 'crash') crashes++;
      else unlocated++;
      if (surprises.length < 10) {
        const what =
          out.kind === 'crash'
            ? `threw ${out.error instanceof Error ? `${out.error.name}: ${out.error.message}` : String(out.error)}`
            : `issue without a location: ${JSON.stringify(out.issue)}`;
        surprises.push(`${cls}: ${what} on ${input.slice(0, 300)}`);
      }
    }
  };
  for (const t of fc.sample(mutatedScenario(o.scenarios), { numRuns: per, seed: o.seed })) {
    record(
      'mutated-file',
      JSON.stringify(t.text),
      judgeValidation(() => parseScenario(t.text, t.file), t.file, true),
    );
  }
  for (const v of fc.sample(arbitraryScenarioValue, { numRuns: per, seed: o.seed + 1 })) {
    record(
      'arbitrary-value',
      fc.stringify(v),
      judgeValidation(() => resolveScenario(v, 'value'), 'value', false),
    );
  }
  for (const t of fc.sample(arbitraryScenarioText, { numRuns: per, seed: o.seed + 2 })) {
    record(
      'arbitrary-text',
      JSON.stringify(t),
      judgeValidation(() => parseScenario(t, 'text.yaml'), 'text.yaml', true),
    );
  }
  return { cases: per * SCENARIO_FUZZ_CLASSES.length, byClass, crashes, unlocated, surprises };
}
