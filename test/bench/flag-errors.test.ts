import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchFlagError, headerComment, intFlag, stringFlag } from '../../bench/lib/output.js';
import { ROOT } from '../helpers/cli.js';

describe('bench flags', () => {
  it('are BenchFlagErrors when malformed, and their defaults when absent', () => {
    expect(intFlag('copies', 100, [])).toBe(100);
    expect(intFlag('copies', 100, ['--copies', '7'])).toBe(7);
    expect(() => intFlag('copies', 100, ['--copies', 'many'])).toThrow(BenchFlagError);
    expect(() => intFlag('copies', 100, ['--copies', '-1'])).toThrow(/--copies takes a whole number, got -1/);
    expect(() => stringFlag('baseline', ['--baseline'])).toThrow(BenchFlagError);
    expect(() => stringFlag('baseline', ['--baseline', '--json'])).toThrow(/--baseline takes a value/);
  });

  it('end a bench with the message and exit code 2, before any work and without a stack trace', () => {
    for (const [bench, args, message] of [
      ['ingest.js', ['--copies', 'many'], 'ingest.js: --copies takes a whole number, got many'],
      ['ingest.js', ['--baseline', '/nowhere'], 'ingest.js: --baseline /nowhere: no bench/ingest.js there'],
      ['run.js', ['--realtime-steps', '5,x'], 'run.js: --realtime-steps takes whole numbers separated by commas'],
    ] as const) {
      const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/bench', bench), ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }
  });
});

describe('bench --help', () => {
  it("prints the bench's header comment without its comment marks, and exits 0 before any work", () => {
    expect(headerComment('/**\n * npm run bench:x [-- --json]\n *\n * Measures x.\n */\nconst a = 1;\n')).toBe(
      'npm run bench:x [-- --json]\n\nMeasures x.\n',
    );
    expect(headerComment('const a = 1;\n')).toMatch(/No usage is written/);
    const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/bench/ingest.js'), '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^npm run bench:ingest \[-- --json\]/);
    expect(r.stdout).toContain('--heap-rounds');
  });
});
