import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { EXIT_CODES } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-validate-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function validate(file: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const code = await runCli(['validate', file], { stderr: () => {} });
  vi.restoreAllMocks();
  return { code, stdout };
}

const scenarioWith = (name: string, adapter: string): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\ningest:\n  kind: url\n  url: http://127.0.0.1:9000\n  protocol: adapter\n  adapter: ${adapter}\n`);
  return file;
};

/**
 * `run` loads the adapter a scenario names and stops with exit 2 when the file
 * is not there: validate said ok to the same scenario. It checks the file is
 * there and readable, relative to the scenario as run resolves it, without
 * importing it (validate runs no user code).
 */
describe('validate checks the file a scenario names as ingest.adapter', () => {
  it('a missing adapter file is an issue at its line, naming the path it looked at', async () => {
    const file = scenarioWith('missing', './gone.mjs');
    const r = await validate(file);
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stdout).toBe(`${file}:6:12 ingest.adapter: no such file: ./gone.mjs (${join(dir, 'gone.mjs')})\n`);
  });

  it('a folder is not an adapter file', async () => {
    mkdirSync(join(dir, 'folder.mjs'));
    const r = await validate(scenarioWith('folder', './folder.mjs'));
    expect(r.code).toBe(EXIT_CODES.badInput);
    expect(r.stdout).toMatch(/:6:12 ingest\.adapter: is a folder, not a file: \.\/folder\.mjs \(/);
  });

  it('an adapter file that is there is ok, and is not run', async () => {
    // A module that would throw if it were imported.
    writeFileSync(join(dir, 'there.mjs'), 'throw new Error("imported");\n');
    const file = scenarioWith('there', './there.mjs');
    const r = await validate(file);
    expect(r.stdout).toBe(`ok  ${file} (name: there, employees: 100)\n`);
    expect(r.code).toBe(EXIT_CODES.ok);
  });
});
