import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFlagProblem } from '../../src/cli/commands/load.js';
import { ROOT, fleetsim } from '../helpers/cli.js';

const LOAD = ['load', '--target', 'http://127.0.0.1:9', '--scenario', resolve(ROOT, 'scenarios/quickstart.yaml'), '--fleet-secret', 'x'];

// A flag the chosen profile does not read would change nothing: the user believes a run they did not get.
describe('fleetsim load refuses flags the chosen profile does not use', () => {
  it.each([
    [['--ramp-step', '5s'], /--ramp-step applies to --profile ramp; this run's profile is steady/],
    [['--profile', 'morning-surge', '--ramp-factor', '2'], /--ramp-factor applies to --profile ramp; this run's profile is morning-surge/],
    [['--profile', 'ramp', '--outage', '10m'], /--outage applies to --profile outage-recovery; this run's profile is ramp/],
    [['--warmup', '5s'], /--warmup applies to --profile outage-recovery; this run's profile is steady/],
    [['--profile', 'ramp', '--surge-window', '1h'], /--surge-window applies to --profile morning-surge; this run's profile is ramp/],
    [['--slo-p99-ms', '100'], /--slo-p99-ms applies to --profile ramp; this run's profile is steady/],
    [
      ['--profile', 'morning-surge', '--rate', '10'],
      /--rate applies to --profile steady, outage-recovery or ramp; this run's profile is morning-surge/,
    ],
    [
      ['--mode', 'capacity', '--outage-scale', '30'],
      /--outage-scale applies to --profile outage-recovery of the open model; --mode capacity is a closed loop with no profile/,
    ],
  ])('%j is refused with exit 2, naming the flag, the profile and the profiles that use it', (args, message) => {
    const r = fleetsim([...LOAD, ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('accepts each flag with a profile that uses it, and the flags every profile uses', () => {
    expect(
      profileFlagProblem({ 'ramp-step': '5s', 'ramp-factor': 2, 'ramp-start': 5, 'slo-p99-ms': 50, rate: 3 }, 'open', 'ramp'),
    ).toBeNull();
    expect(profileFlagProblem({ outage: '5m', 'outage-scale': 10, warmup: '1s', rate: 3 }, 'open', 'outage-recovery')).toBeNull();
    expect(profileFlagProblem({ 'surge-window': '1h' }, 'open', 'morning-surge')).toBeNull();
    expect(profileFlagProblem({ rate: 3, 'slo-error-rate': 0.1 }, 'open', 'steady')).toBeNull();
    expect(profileFlagProblem({}, 'capacity', 'steady')).toBeNull();
  });

  it('refuses a profile other than steady with --mode capacity, which has none', () => {
    expect(profileFlagProblem({}, 'capacity', 'ramp')).toMatch(
      /--profile ramp applies to the open model; --mode capacity is a closed loop with no profile/,
    );
  });
});
