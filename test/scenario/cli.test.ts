import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { EXIT_CODES } from '../../src/errors.js';

const DIR = join(import.meta.dirname, '../../scenarios');

/** Runs the CLI in-process (the built dist/ may be stale), capturing stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args, { stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('fleetsim validate and fleetsim schema', () => {
  it('validate: ok lines and exit 0 for valid files', async () => {
    const r = await cli(['validate', join(DIR, 'quickstart.yaml'), join(DIR, 'rollout-10k.yaml')]);
    expect(r.code).toBe(EXIT_CODES.ok);
    expect(r.stdout).toBe(
      `ok  ${join(DIR, 'quickstart.yaml')} (name: quickstart, employees: 200)\nok  ${join(DIR, 'rollout-10k.yaml')} (name: rollout-10k, employees: 10,000)\n`,
    );
  });

  it('validate: every issue of every invalid file, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-validate-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\npolicy:\n  pauseCapMinutes: -5\n  cooldwn: 3\n');
    const r = await cli(['validate', join(DIR, 'quickstart.yaml'), bad, join(dir, 'missing.yaml')]);
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^ok {2}.*quickstart\.yaml/),
      `${bad}:3:3 policy.pauseCapMinutes: must be a number from 1 to 1440, got -5`,
      expect.stringMatching(
        new RegExp(`^${bad.replace(/[.]/g, '\\.')}:4:3 policy\\.cooldwn: unknown field "cooldwn"; did you mean "cooldownMinutes"\\?`),
      ),
      `${join(dir, 'missing.yaml')}: cannot read the scenario file: no such file`,
      '',
    ]);
    expect(r.stderr).toContain('2 of 3 scenario files are invalid [SCENARIO_INVALID]');
  });

  it('validate with no file is a usage error', async () => {
    expect((await cli(['validate'])).code).toBe(EXIT_CODES.badInput);
  });

  it('schema prints the JSON Schema, or writes it with --out', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const out = join(mkdtempSync(join(tmpdir(), 'fleetsim-schema-')), 'scenario.schema.json');
    const w = await cli(['schema', '--out', out]);
    expect(w.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).properties.policy).toBeDefined();
  });
});
