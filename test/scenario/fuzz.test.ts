import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, resolveScenario, type Scenario } from '../../src/scenario/index.js';
import { arbitraryScenarioText, arbitraryScenarioValue, judgeValidation, mutatedScenario } from '../../src/verify/scenario-fuzz.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const TEXTS = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

/** The contract (src/verify/scenario-fuzz.ts, shared with npm run verify): a Scenario, or a ScenarioError whose every issue names a line or a field. */
function holds(run: () => Scenario, file: string, needLine: boolean): void {
  const o = judgeValidation(run, file, needLine);
  if (o.kind === 'crash') throw new Error(`not a ScenarioError: ${String(o.error)}\n${(o.error as Error).stack}`);
  expect(o.kind === 'unlocated' ? o.issue : null).toBeNull();
}

describe('the validator never throws anything but a ScenarioError, and names the line or field', () => {
  it('on random YAML-ish mutations of the shipped scenarios', () => {
    fc.assert(
      fc.property(mutatedScenario(TEXTS), ({ file, text }) => holds(() => parseScenario(text, file), file, true)),
      { numRuns: 1000, seed: 20261123 },
    );
  });

  it('on arbitrary values', () => {
    fc.assert(
      fc.property(arbitraryScenarioValue, (v) => holds(() => resolveScenario(v, 'v'), 'v', false)),
      { numRuns: 600, seed: 7 },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(arbitraryScenarioText, (t) => holds(() => parseScenario(t, 't.yaml'), 't.yaml', true)),
      { numRuns: 600, seed: 11 },
    );
  });
});
