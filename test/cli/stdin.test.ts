import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { CLI, ROOT } from '../helpers/cli.js';

/** The built CLI with `input` on its standard input. */
function withStdin(args: readonly string[], input: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const quickstart = readFileSync(join(ROOT, 'scenarios/quickstart.yaml'), 'utf8');

describe('"-" on the command line: standard input for validate, refused by name elsewhere', () => {
  it('validate - checks the scenario on standard input, named <stdin>', () => {
    const r = withStdin(['validate', '-'], quickstart);
    expect(r.stdout).toBe('ok  <stdin> (name: quickstart, employees: 200)\n');
    expect(r.code).toBe(0);
  });

  it('validate - fails an invalid or empty standard input (exit 2), never a false pass', () => {
    const bad = withStdin(['validate', '-'], 'name: x\nfleet: { employes: 3 }\n');
    expect(bad.stdout).toMatch(/^<stdin>:2:\d+ fleet\.employes: unknown field "employes"; did you mean "employees"\?/);
    expect(bad.code).toBe(2);
    const empty = withStdin(['validate', '-'], '');
    expect(empty.stdout).toMatch(/^<stdin>:1:1: the file is empty/);
    expect(empty.code).toBe(2);
  });

  it('validate good.yaml - checks both: the "-" is not dropped', () => {
    const r = withStdin(['validate', 'scenarios/quickstart.yaml', '-'], 'name: x\nseed: [\n');
    expect(r.stdout).toMatch(/^ok {2}scenarios\/quickstart\.yaml .*\n<stdin>:/);
    expect(r.stderr).toContain('1 of 2 scenario files is invalid');
    expect(r.code).toBe(2);
  });

  it.each([
    [['run', '-', '-n', '3'], /"-" \(standard input\) is not an input of fleetsim run: give the path of a file/],
    [['sweep', '-'], /"-" \(standard input\) is not an input of fleetsim sweep/],
    [['merge', 'a', '-'], /"-" \(standard input\) is not an input of fleetsim merge/],
    [['validate', '-', '-'], /"-" \(standard input\) is given more than once/],
    [['-'], /"-" \(standard input\) is not a command/],
  ])('%j is refused with exit 2, naming "-"', async (args, message) => {
    let stderr = '';
    const code = await runCli(args, { stderr: (s) => (stderr += s) });
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/cannot read the scenario file|internal error/);
    expect(code).toBe(2);
  });
});
