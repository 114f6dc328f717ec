import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { claimReportFolder, REPORT_FOLDER_ENTRIES } from '../../src/cli/kit.js';
import { RunError } from '../../src/errors.js';
import { fleetsim } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'fleetsim-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(args, { stderr: (s) => (stderr += s) });
  return { code, stderr };
}

describe('every run owns its report folder', () => {
  it('two runs of one scenario started in the same second get different folders', () => {
    const base = join(root, 'same-second');
    const dirs = Array.from({ length: 20 }, () => claimReportFolder({ out: undefined, overwrite: false, base, stem: 'quickstart' }));
    expect(new Set(dirs).size).toBe(20);
    expect(readdirSync(base)).toHaveLength(20);
    for (const d of dirs) expect(d).toMatch(/quickstart-\d{8}-\d{6}-[0-9a-f]{6}$/);
  });

  it('takes an empty --out folder, refuses one that holds files unless --overwrite', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(claimReportFolder({ out: empty, overwrite: false, base: root, stem: 'x' })).toBe(empty);
    writeFileSync(join(empty, 'summary.json'), '{}');
    expect(() => claimReportFolder({ out: empty, overwrite: false, base: root, stem: 'x' })).toThrow(/already holds files .* --overwrite/);
    expect(claimReportFolder({ out: empty, overwrite: true, base: root, stem: 'x' })).toBe(empty);
  });

  it('--overwrite removes what fleetsim wrote there, and only that: not a link’s target, not a user’s file', () => {
    const dir = join(root, 'overwrite-clears');
    mkdirSync(join(dir, 'corpus'), { recursive: true });
    for (const f of ['interrupted.json', 'ingest.sqlite', 'ingest.sqlite-wal', 'ingest.sqlite-shm', 'notes.txt'])
      writeFileSync(join(dir, f), 'x');
    writeFileSync(join(dir, 'summary.json'), '{"format":"fleetsim-run-summary/2"}');
    writeFileSync(join(dir, 'corpus', 'E000000.000001.gzip'), 'x');
    const mine = join(root, 'users-own.csv');
    writeFileSync(mine, 'keep');
    symlinkSync(mine, join(dir, 'laptops.csv'));
    expect(claimReportFolder({ out: dir, overwrite: true, base: root, stem: 'x' })).toBe(dir);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readFileSync(mine, 'utf8')).toBe('keep');
  });

  it('--overwrite in a folder no fleetsim command wrote a report to removes only the database a run would reopen', () => {
    const dir = join(root, 'users-folder');
    mkdirSync(join(dir, 'corpus'), { recursive: true });
    for (const f of ['summary.json', 'report.html', 'ingest.sqlite']) writeFileSync(join(dir, f), 'the user’s');
    writeFileSync(join(dir, 'corpus', 'data.bin'), 'x');
    expect(claimReportFolder({ out: dir, overwrite: true, base: root, stem: 'x' })).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(['corpus', 'report.html', 'summary.json']);
    expect(readdirSync(join(dir, 'corpus'))).toEqual(['data.bin']);
  });

  it('--overwrite refuses to remove what holds an input of the command (load --corpus <report>/corpus --out <report>)', () => {
    const dir = join(root, 'report-with-corpus');
    mkdirSync(join(dir, 'corpus'), { recursive: true });
    writeFileSync(join(dir, 'summary.json'), '{"format":"fleetsim-run-summary/2"}');
    writeFileSync(join(dir, 'corpus', 'E000000.000001.gzip'), 'x');
    expect(() => claimReportFolder({ out: dir, overwrite: true, base: root, stem: 'x', inputs: [join(dir, 'corpus')] })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/would remove corpus, which holds .*an input of this command/),
      }),
    );
    expect(readdirSync(join(dir, 'corpus'))).toEqual(['E000000.000001.gzip']);
    expect(readdirSync(dir).sort()).toEqual(['corpus', 'summary.json']);
  });

  it('run --overwrite into an earlier run’s folder starts afresh: a new database, no stale interrupted.json', () => {
    const dir = join(root, 'rerun');
    const scenario = join(root, 'tiny-http.yaml');
    writeFileSync(scenario, 'name: tiny\nseed: 1\nfleet: { employees: 3 }\nsimulation: { days: 1 }\ntransport: http\n');
    const first = fleetsim(['run', scenario, '--workers', '1', '--quiet', '--out', dir]);
    expect(first.code, first.stderr).toBe(0);
    // Everything a run writes is a name --overwrite knows, so none of it outlives the next run.
    for (const f of readdirSync(dir)) expect([...REPORT_FOLDER_ENTRIES.files, ...REPORT_FOLDER_ENTRIES.folders]).toContain(f);
    expect(existsSync(join(dir, 'ingest.sqlite'))).toBe(true);
    // As a run stopped by a signal, or one that crashed, would leave it.
    writeFileSync(join(dir, 'interrupted.json'), '{"format":"fleetsim-interrupted/1","interrupted":true}\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const again = fleetsim(['run', scenario, '--workers', '1', '--quiet', '--out', dir, '--overwrite']);
    expect(again.stderr).not.toMatch(/internal error|already enrolled/);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'interrupted.json'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).seed).toBe('1');
  });

  it.each([
    [
      'an existing file',
      () => {
        const f = join(root, 'a-file');
        writeFileSync(f, 'x');
        return f;
      },
      /is a file, not a folder/,
    ],
    [
      'a dangling symlink',
      () => {
        const l = join(root, 'dangling');
        symlinkSync(join(root, 'nowhere'), l);
        return l;
      },
      /symbolic link to nothing/,
    ],
    ['a folder under /proc', () => '/proc/fleetsim-x', /cannot create the folder/],
    [
      'a folder under a file',
      () => {
        const f = join(root, 'file-parent');
        writeFileSync(f, 'x');
        return join(f, 'report');
      },
      /a part of the path is a file/,
    ],
  ])('refuses %s as --out with an I/O error (exit 3)', (_what, make, message) => {
    const out = make();
    let err: unknown;
    try {
      claimReportFolder({ out, overwrite: false, base: root, stem: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).exitCode).toBe(3);
    expect((err as RunError).message).toMatch(message);
  });

  it('refuses an empty --out as bad input (exit 2): a flag value, not an I/O failure', async () => {
    expect(() => claimReportFolder({ out: ' ', overwrite: false, base: root, stem: 'x' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--out is empty/) }),
    );
    const r = await cli(['generate', '-n', '1', '--out', '']);
    expect(r.stderr).toMatch(/--out is empty/);
    expect(r.code).toBe(2);
  });

  it('the CLI checks --out before any work: exit 3 with the message, never "internal error"', async () => {
    const file = join(root, 'out-is-a-file');
    writeFileSync(file, 'x');
    for (const args of [
      ['generate', '-n', '1', '--out', file],
      ['run', 'scenarios/quickstart.yaml', '--out', file],
      ['sweep', 'scenarios/policy-comparison.yaml', '--out', '/proc/fleetsim-x'],
    ]) {
      const r = await cli(args);
      expect(r.stderr).toMatch(/--out .*\[IO\]/);
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });
});
