import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { ROOT, fleetsim } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const SWEEP = resolve(ROOT, 'scenarios/policy-comparison.yaml');
const LOAD = ['load', '--target', 'http://127.0.0.1:9', '--scenario', QUICKSTART, '--fleet-secret', 'a-fleet-secret-of-16+'];
const SERVE = ['serve', '--port', '0', '--fleet-secret', 'a-fleet-secret-of-16+'];

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/**
 * Every command, with a misspelt flag and a bad value of each kind (choice,
 * range, type, missing value): refused with exit 2 before any work, so the
 * working folder (where reports and the default database go) stays empty and
 * the --out folder is never made. A command that ran first would write there,
 * and `serve` would listen until the timeout.
 */
describe('flags are checked before any work', () => {
  it.each([
    // Misspelt flags, with the flag they were meant to be.
    [['run', QUICKSTART, '--wokers', '1'], /unknown flag --wokers; did you mean --workers\?/],
    [['generate', '--employes', '5'], /unknown flag --employes; did you mean --employees\?/],
    [['sweep', SWEEP, '--replica', '2'], /unknown flag --replica; did you mean --replicas\?/],
    [[...LOAD, '--duratoin', '1s'], /unknown flag --duratoin; did you mean --duration\?/],
    [[...SERVE, '--prot', '18181'], /unknown flag --prot; did you mean --port\?/],
    [['merge', 'a', 'b', '--outt', 'c'], /unknown flag --outt; did you mean --out\?/],
    [['validate', QUICKSTART, '--quite'], /unknown flag --quite; did you mean --quiet\?/],
    [['schema', '--jsno'], /unknown flag --jsno/],
    // A value outside the flag's choices.
    [[...SERVE, '--sqlite-sync', 'fast'], /--sqlite-sync must be one of full, normal, got "fast"/],
    [[...LOAD, '--mode', 'closed'], /--mode must be one of open, capacity, got "closed"/],
    [
      [...LOAD, '--profile', 'morning_surge'],
      /--profile must be one of steady, morning-surge, outage-recovery, ramp, got "morning_surge"; did you mean morning-surge\?/,
    ],
    // Out of range.
    [['run', QUICKSTART, '--workers', '999'], /--workers must be a whole number from 0 to 256, got 999/],
    [['sweep', SWEEP, '--replicas', '0'], /--replicas must be a whole number from 1/],
    [[...SERVE.slice(0, 1), '--port', '70000', ...SERVE.slice(3)], /--port must be a whole number from 0 to 65535/],
    [[...LOAD, '--connections', '0'], /--connections must be a whole number from 1/],
    [['generate', '--days', '0'], /--days must be a whole number from 1 to 366/],
    // NaN and negative drain timeouts read as 1 ms: SIGTERM cut in-flight uploads off at once.
    [[...SERVE, '--drain-timeout-s', '-5'], /--drain-timeout-s must be a whole number from 0 to 600, got -5/],
    [[...SERVE, '--drain-timeout-s', '601'], /--drain-timeout-s must be a whole number from 0 to 600, got 601/],
    // Wrong type.
    [['run', QUICKSTART, '--shard', 'half'], /--shard must be K\/N/],
    [[...LOAD, '--duration', 'soon'], /--duration must be a duration like 30s/],
    [[...SERVE, '--max-events', 'many'], /--max-events must be a whole number/],
    [[...SERVE, '--drain-timeout-s', 'abc'], /--drain-timeout-s must be a whole number from 0 to 600, got "abc"/],
    [['sweep', SWEEP, '--employees', 'ten'], /--employees must be a whole number/],
    // A flag without its value.
    [['run', QUICKSTART, '--workers'], /--workers needs a value/],
    [['generate', '-n'], /-n needs a value/],
  ])('%j is exit 2, says what is allowed, and writes nothing', async (args, message) => {
    // In-process (a process per case costs seconds on a busy machine); the working folder is a fresh one.
    const cwd = fresh();
    const home = process.cwd();
    let stderr = '';
    let code: number;
    process.chdir(cwd);
    try {
      code = await runCli(withOut(args, cwd), { stderr: (s) => (stderr += s) });
    } finally {
      process.chdir(home);
    }
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([
    [['run', QUICKSTART, '--wokers', '1'], /unknown flag --wokers; did you mean --workers\?/],
    [[...SERVE, '--prot', '18181'], /unknown flag --prot; did you mean --port\?/],
  ])('the built CLI refuses %j before it starts', (args, message) => {
    const cwd = fresh();
    const r = fleetsim(withOut(args, cwd), { cwd, timeoutMs: 30_000 });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

/**
 * Integer flags take decimal digits only. yargs and Number() also read 0x10
 * as 16 and 1e3 as 1000, so a typo or a pasted hex value ran a fleet of a size
 * nobody asked for. Each case is followed by a flag that is refused later, so
 * a value wrongly accepted fails on that flag's message instead of running.
 */
describe('integer flags take plain decimal digits only', () => {
  const AGENT = [
    'agent',
    '--fleet-secret',
    'a-fleet-secret-of-16+',
    '--url',
    'http://127.0.0.1:9',
    '--device-id',
    'd-1',
    '--input',
    'tap',
    '--tap-socket',
    'none.tap',
  ];
  it.each([
    [['generate', '--employees', '0x10', '--days', '0'], /--employees must be a whole number .*from 1 to 10000000, got "0x10"/],
    [['generate', '--employees', '1e3', '--days', '0'], /--employees must be a whole number .*from 1 to 10000000, got "1e3"/],
    [['generate', '--days', '+1', '--workers', '999'], /--days must be a whole number .*got "\+1"/],
    [['sweep', SWEEP, '--replicas', '0x2', '--employees', '0'], /--replicas must be a whole number .*got "0x2"/],
    [['sweep', SWEEP, '--employees', '1e1', '--days', '0'], /--employees must be a whole number .*got "1e1"/],
    [
      ['run', QUICKSTART, '--employees', '0x10', '--days', '400'],
      /--employees 0x10 \(fleet\.employees\): must be a whole number from 1 to 10000000, got "0x10"/,
    ],
    [['run', QUICKSTART, '-n', '1e1', '--days', '400'], /--employees 1e1 \(fleet\.employees\): must be a whole number .*got "1e1"/],
    [['run', QUICKSTART, '--workers', '0x1', '--shard', 'half'], /--workers must be a whole number .*got "0x1"/],
    [[...LOAD, '--laptops', '1e3', '--duration', 'soon'], /--laptops must be a whole number .*got "1e3"/],
    [[...LOAD, '--body-level', '0x5', '--duration', 'soon'], /--body-level must be a whole number from 0 to 11 .*got "0x5"/],
    [[...SERVE.slice(0, 1), '--port', '0x1f90', ...SERVE.slice(3), '--max-events', '0'], /--port must be a whole number .*got "0x1f90"/],
    [[...SERVE, '--decode-threads', '1e0', '--drain-timeout-s', 'abc'], /--decode-threads must be a whole number .*got "1e0"/],
    [[...AGENT, '--time-offset-ms', '1e3', '--drain-timeout-ms', '-1'], /--time-offset-ms must be a whole number .*got "1e3"/],
    [['compare', 'a', 'b', '--resamples', '1e3', '--erratic-cv', '2'], /--resamples must be a whole number .*got "1e3"/],
  ])('%j is exit 2 naming the flag, the value and the form allowed', async (args, message) => {
    const r = await inProcess(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('still takes plain digits, and says what form is allowed', async () => {
    const r = await inProcess(['generate', '--employees', '0x10']);
    expect(r.stderr).toMatch(/decimal digits/);
    const ok = await inProcess(['generate', '--employees', '2', '--days', '1', '--workers', '0', '--quiet', '--json']);
    expect(ok.code).toBe(0);
  });
});

/**
 * A value that starts with "-" and a digit but is not a plain negative number
 * (`-1/4`, `-1e3`) is read by yargs as a group of one-letter flags, so the
 * message named neither the flag nor the value.
 */
describe('a value starting with "-" is judged by its own flag', () => {
  it.each([
    [['run', QUICKSTART, '--shard', '-1/4'], /--shard must be K\/N with 0 <= K < N <= 10000 \(e\.g\. 0\/4\), got "-1\/4"/],
    [[...LOAD, '--shard', '-1/4'], /--shard must be K\/N with 0 <= K < N <= 10000 \(e\.g\. 0\/4\), got "-1\/4"/],
    [['generate', '-n', '-1e3'], /--employees must be a whole number .*got "-1e3"/],
    [['generate', '--quiet', '-1/4'], /--quiet takes no value, got "-1\/4"/],
  ])('%j is exit 2 naming the flag and the value', async (args, message) => {
    const r = await inProcess(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});

/** Runs the CLI in-process in a fresh working folder (with --out inside it for commands that write one). */
async function inProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const cwd = fresh();
  const home = process.cwd();
  let stderr = '';
  process.chdir(cwd);
  try {
    const code = await runCli(withOut(args, cwd), { stderr: (s) => (stderr += s) });
    return { code, stderr };
  } finally {
    process.chdir(home);
  }
}

function fresh(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'fleetsim-flags-'));
  made.push(cwd);
  return cwd;
}

/** Commands that write a folder get an --out inside the working folder, which must not appear either. */
function withOut(args: readonly string[], cwd: string): string[] {
  return ['run', 'generate', 'sweep', 'load', 'merge'].includes(args[0]!) && !args.includes('--outt')
    ? [...args, '--out', join(cwd, 'out')]
    : [...args];
}
