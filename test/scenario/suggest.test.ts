import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/scenario/index.js';

describe('did-you-mean', () => {
  const policy = ['pauseCapMinutes', 'maxPausesPerDay', 'cooldownMinutes', 'exemptionApprovalRate', 'captureHours'];
  it.each([
    ['pauseCapMinute', 'pauseCapMinutes'],
    ['pausecapminutes', 'pauseCapMinutes'],
    ['pauseCap', 'pauseCapMinutes'],
    ['cooldwn', 'cooldownMinutes'],
    ['maxPausesPreDay', 'maxPausesPerDay'],
    ['captureHour', 'captureHours'],
  ])('%s → %s', (given, want) => expect(didYouMean(given, policy)).toBe(want));

  it('suggests nothing for unrelated names', () => {
    expect(didYouMean('colour', policy)).toBeUndefined();
    expect(didYouMean('x', policy)).toBeUndefined();
    expect(didYouMean('employees', ['name', 'seed'])).toBeUndefined();
  });
});
