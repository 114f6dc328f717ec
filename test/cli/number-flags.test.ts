import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { ROOT } from '../helpers/cli.js';
import { UsageError } from '../../src/errors.js';
import { fraction, positive } from '../../src/cli/options.js';
import { decimalFlag } from '../../src/ranges.js';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

/**
 * One rule for every number flag: plain decimal notation, as the whole-number
 * flags already take. Number() reads "" as 0 (an SLO error rate of 0, so every
 * run failed with exit 5) and 0x10 as 16 (a rate nobody asked for).
 */
describe('decimal flags take plain decimal notation only', () => {
  it.each([
    ['slo-error-rate', () => fraction('slo-error-rate', ''), /^--slo-error-rate must be a number from 0 to 1, got ""$/],
    ['min-headroom', () => fraction('min-headroom', ''), /^--min-headroom must be a number from 0 to 1, got ""$/],
    ['blank', () => fraction('min-headroom', '  '), /got " {2}"/],
    ['rate', () => positive('rate', '', 1e7), /^--rate must be a number more than 0 and at most 10000000, got ""$/],
  ])('an empty %s is refused with got ""', (_, f, message) => {
    expect(refusal(f)).toMatch(message);
  });

  it.each([
    ['rate', '0x10'],
    ['max-lag-ms', '0x10'],
    ['rate-per-device', '0x10'],
    ['rate', '1e3'],
    ['rate', '+5'],
    ['rate', ' 5'],
    ['rate', '1_000'],
    ['rate', 'Infinity'],
  ])('--%s %j is refused, with the form allowed', (flag, value) => {
    expect(refusal(() => positive(flag, value, 1e9))).toMatch(
      new RegExp(
        `^--${flag} must be a number more than 0 and at most 1000000000, got ${JSON.stringify(value).replace(/[+]/g, '\\+')} \\(decimal notation only, e\\.g\\. 2\\.5: no 0x, exponent, plus sign, spaces or separators\\)$`,
      ),
    );
  });

  it.each([['0x0'], ['5e-1'], ['.5']])('a fraction written %j is refused with the hint', (value) => {
    expect(refusal(() => fraction('slo-error-rate', value))).toMatch(/decimal notation only/);
  });

  it('plain decimals and flag defaults are taken as written', () => {
    expect(positive('rate', '2.5', 10)).toBe(2.5);
    expect(positive('rate', '16', 100)).toBe(16);
    expect(positive('rate', 3, 100)).toBe(3);
    expect(fraction('slo-error-rate', '0.001')).toBe(0.001);
    expect(fraction('slo-error-rate', '0')).toBe(0);
    expect(fraction('min-headroom', '1')).toBe(1);
  });

  it('a negative value is taken where the range allows it, and its refusal names the range', () => {
    expect(decimalFlag('offset', '-1.5', { min: -10, max: 10 })).toBe(-1.5);
    expect(refusal(() => decimalFlag('offset', '-0x1', { min: -10, max: 10 }))).toMatch(
      /^--offset must be a number from -10 to 10, got "-0x1" \(decimal notation only/,
    );
  });
});

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const LOAD = [
  'load',
  '--target',
  'http://127.0.0.1:9',
  '--scenario',
  QUICKSTART,
  '--fleet-secret',
  'a-fleet-secret-of-16+',
  '--duration',
  '1s',
];
const SERVE = ['serve', '--port', '0', '--fleet-secret', 'a-fleet-secret-of-16+'];
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/**
 * The commands as UAT typed them. Where a wrongly accepted value would start
 * work (serve listening), a flag checked later is refused too, so the case
 * ends either way.
 */
describe('every command refuses a number flag not written in decimal', () => {
  it.each([
    [[...LOAD, '--slo-error-rate', ''], /--slo-error-rate must be a number from 0 to 1, got ""/],
    [[...LOAD, '--min-headroom', '', '--slo-error-rate', 'x'], /--min-headroom must be a number from 0 to 1, got ""/],
    [
      [...LOAD, '--rate', '0x10', '--slo-error-rate', 'x'],
      /--rate must be a number more than 0 and at most 10000000, got "0x10" \(decimal/,
    ],
    [[...LOAD, '--max-lag-ms', '0x10', '--slo-error-rate', 'x'], /--max-lag-ms must be .*got "0x10" \(decimal/],
    [[...LOAD, '--profile', 'ramp', '--ramp-factor', '2e0', '--slo-error-rate', 'x'], /--ramp-factor must be .*got "2e0" \(decimal/],
    [[...SERVE, '--rate-per-device', '0x10', '--drain-timeout-s', 'abc'], /--rate-per-device must be .*got "0x10" \(decimal/],
    [[...SERVE, '--max-skew-s', '1e3', '--drain-timeout-s', 'abc'], /--max-skew-s must be .*got "1e3" \(decimal/],
    [['compare', 'a', 'b', '--confidence', '9e-1'], /--confidence takes a fraction .*got 9e-1 \(decimal/],
    [['compare', 'a', 'b', '--erratic-cv', '0x0%'], /--erratic-cv takes a fraction .*got 0x0% \(decimal/],
  ])('%j is exit 2 naming the flag and the value', async (args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'fleetsim-numbers-'));
    made.push(cwd);
    const home = process.cwd();
    let stderr = '';
    process.chdir(cwd);
    try {
      const code = await runCli(args[0] === 'load' ? [...args, '--out', join(cwd, 'out')] : args, { stderr: (s) => (stderr += s) });
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
    } finally {
      process.chdir(home);
    }
  });
});
