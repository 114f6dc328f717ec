import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { UsageError } from '../../src/errors.js';
import { applyOverrides, parseSetFlag } from '../../src/scenario/index.js';
import { formatSeconds, timeLeft } from '../../src/cli/progress.js';
import { ROOT } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const SWEEP = resolve(ROOT, 'scenarios/policy-comparison.yaml');

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
function fresh(): string {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-set-'));
  made.push(d);
  return d;
}

async function cli(args: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  try {
    const code = await runCli(args, { stderr: (s) => (stderr += s) });
    return { code, stderr, stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe('--set path=value', () => {
  it('reads values as YAML scalars, as the file would', () => {
    expect(parseSetFlag('fleet.employees=500')).toEqual({ path: ['fleet', 'employees'], value: 500, flag: '--set fleet.employees=500' });
    expect(parseSetFlag("seed='007'").value).toBe('007');
    expect(parseSetFlag('seed=007').value).toBe(7);
    expect(parseSetFlag('x=true').value).toBe(true);
    expect(parseSetFlag('x=2026-03-02').value).toBe('2026-03-02');
    expect(parseSetFlag('x=[1, 5]').value).toEqual([1, 5]);
    expect(parseSetFlag('faults[1].at=14:00').path).toEqual(['faults', 1, 'at']);
    expect(parseSetFlag('name=a=b').value).toBe('a=b');
  });

  it('refuses what is not path=value, naming the flag', () => {
    expect(() => parseSetFlag('fleet.employees')).toThrow(/--set fleet.employees: must be path=value/);
    expect(() => parseSetFlag('fleet..employees=5')).toThrow(/is not a field path/);
    expect(() => parseSetFlag('=5')).toThrow(UsageError);
    expect(() => parseSetFlag('name=[unclosed')).toThrow(/not valid YAML/);
  });

  it('applies overrides to a copy, creating mappings, refusing lists it cannot index', () => {
    const file = { fleet: { employees: 10 }, faults: [{ kind: 'outage' }] };
    const out = applyOverrides(file, [
      parseSetFlag('fleet.employees=3'),
      parseSetFlag('policy.pauseCapMinutes=15'),
      parseSetFlag('faults[0].at=14:00'),
    ]);
    expect(out).toEqual({ fleet: { employees: 3 }, policy: { pauseCapMinutes: 15 }, faults: [{ kind: 'outage', at: '14:00' }] });
    expect(file.fleet.employees).toBe(10);
    expect(() => applyOverrides(file, [parseSetFlag('faults[4].at=1')])).toThrow(
      /the list has 1 item \(from \[0\]\); \[4\] is past its end/,
    );
    expect(() => applyOverrides(file, [parseSetFlag('faults.at=1')])).toThrow(/names a field, but the scenario has a list there/);
    expect(() => applyOverrides(file, [parseSetFlag('seed=1'), parseSetFlag('seed=2')])).toThrow(/set the same field seed: give it once/);
  });
});

/**
 * Flags that set scenario fields are judged by the scenario schema before any
 * work: exit 2, the flag and the field named, what is allowed, a did-you-mean
 * for unknown names, and nothing written.
 */
describe('scenario flags are validated like the file, before any work', () => {
  it.each([
    [['run', QUICKSTART, '--employees', '0'], /--employees 0 \(fleet\.employees\): must be a whole number from 1 to 10000000, got 0/],
    [['run', QUICKSTART, '-n', 'many'], /--employees many \(fleet\.employees\): must be a whole number from 1 to 10000000, got "many"/],
    [['run', QUICKSTART, '--days', '400'], /--days 400 \(simulation\.days\): must be a whole number from 1 to 366, got 400/],
    [['run', QUICKSTART, '--set', 'fleet.employes=5'], /--set fleet\.employes=5: unknown field "employes"; did you mean "employees"\?/],
    [
      ['run', QUICKSTART, '--set', 'polcy.pauseCapMinutes=5'],
      /--set polcy\.pauseCapMinutes=5 \(polcy\): unknown field "polcy"; did you mean "policy"\?/,
    ],
    [
      ['run', QUICKSTART, '--set', 'policy.pauseCapMinutes=-5'],
      /--set policy\.pauseCapMinutes=-5: must be a number from 1 to 1440, got -5/,
    ],
    [['run', QUICKSTART, '--set', 'simulation.speed=fast'], /--set simulation\.speed=fast: must be max or a number above 0/],
    [['run', QUICKSTART, '--set', 'transport=htp'], /--set transport=htp: .*did you mean "http"\?/],
    [['run', QUICKSTART, '--set', 'seed'], /--set seed: must be path=value/],
    [['run', QUICKSTART, '--days', '2', '--set', 'simulation.days=3'], /set the same field simulation\.days: give it once/],
    [['sweep', SWEEP, '--set', 'sweep.replicas=0'], /--set sweep\.replicas=0: must be a whole number from 1/],
    [['sweep', SWEEP, '--set', 'fleet.employes=5'], /did you mean "employees"\?/],
  ])('%j is exit 2 and writes nothing', async (args, message) => {
    const dir = fresh();
    const r = await cli([...args, '--out', join(dir, 'out')]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('progress without a terminal', () => {
  it('estimates the time left from the pace so far', () => {
    expect(timeLeft(10_000, 0, 10)).toBe('estimating time left');
    expect(timeLeft(10_000, 5, 10)).toBe('about 10 s left');
    expect(timeLeft(60_000, 1, 4)).toBe('about 3 min 00 s left');
    expect(timeLeft(1, 4, 4)).toBe('done');
    expect(formatSeconds(3 * 3600 + 125)).toBe('3 h 02 min');
  });
});
