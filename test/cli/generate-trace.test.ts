import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/generate/index.js';
import { CLI, ROOT, fleetsim } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'fleetsim-trace-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generate --trace is checked before any work and leaves no scratch behind', () => {
  it('a folder as --trace: exit 2 before any work, no --out folder made', () => {
    const folder = join(root, 'a-folder');
    mkdirSync(folder);
    const out = join(root, 'out-folder-trace');
    const r = fleetsim(['generate', '-n', '2', '--trace', folder, '--out', out]);
    expect(r.stderr).toMatch(/--trace .*a-folder is a folder: give the path of the CSV file to write/);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${folder}.parts`)).toBe(false);
  });

  it('an empty --trace is refused (exit 2), not ignored', () => {
    const r = fleetsim(['generate', '-n', '2', '--trace', '', '--out', join(root, 'out-empty')]);
    expect(r.stderr).toMatch(/--trace must not be empty/);
    expect(r.code).toBe(2);
  });

  it('an existing --trace file is refused without --overwrite (exit 3, untouched), replaced with it', () => {
    const trace = join(root, 'existing.csv');
    writeFileSync(trace, 'mine\n');
    const r = fleetsim(['generate', '-n', '1', '--trace', trace, '--out', join(root, 'out-existing')]);
    expect(r.stderr).toMatch(/--trace .*existing\.csv already exists: choose a new file, or add --overwrite/);
    expect(r.code).toBe(3);
    expect(readFileSync(trace, 'utf8')).toBe('mine\n');
    const again = fleetsim(['generate', '-n', '1', '--trace', trace, '--out', join(root, 'out-existing'), '--overwrite']);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(trace, 'utf8')).toMatch(/^employee_id,t_ms,type,/);
  });

  it('a generation that fails writing its trace removes the parts (library)', async () => {
    const folder = join(root, 'trace-is-a-folder');
    mkdirSync(folder);
    await expect(
      generateFleet({ employees: 1, days: 1, seed: 'x', startDate: '2026-03-02', workers: 0, tracePath: folder }),
    ).rejects.toThrow(/EISDIR/);
    expect(existsSync(`${folder}.parts`)).toBe(false);
  });

  it('SIGINT during generate --trace: exit 130, the folder marked interrupted, no parts and no partial trace', async () => {
    const trace = join(root, 'interrupted.csv');
    const out = join(root, 'out-interrupted');
    const child = spawn(process.execPath, [CLI, 'generate', '-n', '2000', '--workers', '1', '--trace', trace, '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      const parts = `${trace}.parts`;
      while (child.exitCode === null && Date.now() < deadline && !(existsSync(parts) && readdirSync(parts).length > 0)) await sleep(50);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(stderr).toContain('interrupted by SIGINT');
    expect(JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'))).toMatchObject({ command: 'generate', signal: 'SIGINT' });
    expect(existsSync(`${trace}.parts`)).toBe(false);
    expect(existsSync(trace)).toBe(false);
  });
});
