import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, parseScenario } from '../../src/scenario/index.js';
import { SCENARIO_FUZZ_CLASSES, judgeValidation, runScenarioFuzz } from '../../src/verify/scenario-fuzz.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const SHIPPED = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

describe('scenario-file fuzz for npm run verify', () => {
  it('runs the asked number of cases over three classes: no crash, every refusal located', () => {
    const r = runScenarioFuzz({ cases: 450, seed: 42, scenarios: SHIPPED });
    expect(r.cases).toBe(450);
    for (const c of SCENARIO_FUZZ_CLASSES) expect(r.byClass[c].tried).toBe(150);
    expect(r.surprises).toEqual([]);
    expect(r.crashes).toBe(0);
    expect(r.unlocated).toBe(0);
    // The mutations bite: most mutated files are refused, and some survive as valid scenarios.
    const m = r.byClass['mutated-file'];
    expect(m.refusedLocated).toBeGreaterThan(m.tried / 3);
    expect(m.accepted).toBeGreaterThan(0);
    expect(m.accepted + m.refusedLocated).toBe(m.tried);
  });

  it('gives the same counts for the same seed', () => {
    const a = runScenarioFuzz({ cases: 60, seed: 7, scenarios: SHIPPED });
    const b = runScenarioFuzz({ cases: 60, seed: 7, scenarios: SHIPPED });
    expect(b).toEqual(a);
  });

  it('counts anything but a ScenarioError as a crash, and an issue without a line as unlocated', () => {
    expect(
      judgeValidation(
        () => {
          throw new TypeError('Cannot read properties of undefined');
        },
        'f.yaml',
        true,
      ).kind,
    ).toBe('crash');
    const noLine = new ScenarioError([
      { kind: 'range', file: 'f.yaml', line: 0, column: 0, path: 'fleet.employees', message: 'must be ≥ 1' },
    ]);
    expect(
      judgeValidation(
        () => {
          throw noLine;
        },
        'f.yaml',
        true,
      ).kind,
    ).toBe('unlocated');
    // For values (no text, no lines) the field path is the location.
    expect(
      judgeValidation(
        () => {
          throw noLine;
        },
        'f.yaml',
        false,
      ).kind,
    ).toBe('refused');
    const wrongFile = new ScenarioError([
      { kind: 'range', file: 'other.yaml', line: 3, column: 1, path: 'fleet.employees', message: 'must be ≥ 1' },
    ]);
    expect(
      judgeValidation(
        () => {
          throw wrongFile;
        },
        'f.yaml',
        true,
      ).kind,
    ).toBe('unlocated');
    expect(judgeValidation(() => parseScenario('name: x\nfleet: { employees: -3 }\n', 'f.yaml'), 'f.yaml', true).kind).toBe('refused');
    expect(judgeValidation(() => parseScenario('name: x\n', 'f.yaml'), 'f.yaml', true).kind).toBe('accepted');
  });

  it('refuses to run without scenarios to mutate', () => {
    expect(() => runScenarioFuzz({ cases: 3, seed: 1, scenarios: [] })).toThrow(/at least one scenario/);
  });
});
