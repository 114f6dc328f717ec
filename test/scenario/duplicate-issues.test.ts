import { describe, expect, it } from 'vitest';
import { parseScenario, parseSetFlag, ScenarioError } from '../../src/scenario/index.js';

const issuesOf = (f: () => unknown): ScenarioError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('accepted');
};

/**
 * A whole number too large to hold exactly breaks two of zod's checks (the
 * safe-integer range and the field's maximum), each with the field's one
 * sentence: the same problem was listed twice, as "(2 problems)".
 */
describe('a problem is reported once', () => {
  it('a whole number beyond 2^53 in a file', () => {
    const e = issuesOf(() => parseScenario('name: big\nfleet:\n  employees: 9007199254740993\n', 'big.yaml'));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ file: 'big.yaml', line: 3, path: 'fleet.employees' });
    expect(e.message).not.toMatch(/problems/);
  });

  it('a whole number beyond 2^53 set by --set', () => {
    const over = parseSetFlag('fleet.employees=99999999999999999999');
    const e = issuesOf(() => parseScenario('name: big\n', 'big.yaml', [over]));
    expect(e.issues).toHaveLength(1);
    expect(e.message).not.toMatch(/problems/);
  });
});
