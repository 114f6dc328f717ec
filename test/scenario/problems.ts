import { expect } from 'vitest';
import { ScenarioError, formatIssue, parseScenario, type ScenarioIssue } from '../../src/scenario/index.js';

/** The issues a scenario text is refused with (it must be refused: a valid one fails the test). */
export function scenarioIssues(text: string, file = 'x.yaml'): readonly ScenarioIssue[] {
  try {
    parseScenario(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues;
  }
  throw new Error('expected the scenario to be invalid');
}

/** The same issues as a user reads them: `file:line:col path: message`. */
export function scenarioProblems(text: string, file = 'x.yaml'): string[] {
  return scenarioIssues(text, file).map(formatIssue);
}
