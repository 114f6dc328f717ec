import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { ROOT } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The CLI in-process in a fresh working folder, which must stay empty. */
async function inProcess(args: readonly string[]): Promise<{ code: number; stderr: string; stdout: string; files: string[] }> {
  const cwd = mkdtempSync(join(tmpdir(), 'fleetsim-dash-out-'));
  made.push(cwd);
  const home = process.cwd();
  let stderr = '';
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  process.chdir(cwd);
  try {
    const code = await runCli(args, { stderr: (s) => (stderr += s) });
    return { code, stderr, stdout, files: readdirSync(cwd) };
  } finally {
    process.chdir(home);
    spy.mockRestore();
  }
}

/**
 * `--out -` said "--out needs a value" although a value was given: "-" is
 * standard input or output, which no --out writes to.
 */
describe('"-" as the value of --out', () => {
  it.each([
    [['schema', '--out', '-'], /^fleetsim: --out must be a file path, got "-"; without --out, fleetsim schema prints to standard output/],
    [['schema', '--out=-'], /^fleetsim: --out must be a file path, got "-"; without --out, fleetsim schema prints to standard output/],
    [['run', QUICKSTART, '--out', '-'], /^fleetsim: --out must be a path, got "-": fleetsim run writes no standard output through --out/],
    [['generate', '-o', '-'], /^fleetsim: -o must be a path, got "-": fleetsim generate writes no standard output through -o/],
  ])('%j is exit 2 naming the flag and "-", and writes nothing', async (args, message) => {
    const r = await inProcess(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/needs a value/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.files).toEqual([]);
  });
});

describe('schema --overwrite without --out', () => {
  it('is refused: there is no file to replace', async () => {
    const r = await inProcess(['schema', '--overwrite']);
    expect(r.stderr).toMatch(
      /--overwrite applies to --out \(it replaces an existing file\); without --out, the schema goes to standard output/,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
