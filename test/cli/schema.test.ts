import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { EXIT_CODES } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-schema-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process, capturing what it writes. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await runCli(args, { stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `schema --out` follows the rule of every other file a command writes (--out, --trace): an existing one only with --overwrite. */
describe('fleetsim schema --out', () => {
  it('refuses to replace an existing file without --overwrite, and leaves it as it was', async () => {
    const file = join(dir, 'mine.json');
    writeFileSync(file, 'my own notes\n');
    const r = await cli(['schema', '--out', file]);
    expect(r.code).toBe(EXIT_CODES.runFailed);
    expect(r.stderr).toMatch(/--out .*mine\.json already exists: choose a new file, or add --overwrite to replace it/);
    expect(readFileSync(file, 'utf8')).toBe('my own notes\n');
  });

  it('replaces it with --overwrite', async () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, '{}\n');
    const r = await cli(['schema', '--out', file, '--overwrite']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).properties.policy).toBeDefined();
  });

  it('refuses a folder as a usage error that names a file to give instead', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const r = await cli(['schema', '--out', folder, '--overwrite']);
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stderr).toMatch(
      /--out .*a-folder is a folder: give the path of the JSON file to write, e\.g\. .*a-folder\/scenario\.schema\.json/,
    );
  });

  it('writes a new file without --overwrite', async () => {
    const file = join(dir, 'new.json');
    const r = await cli(['schema', '--out', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
