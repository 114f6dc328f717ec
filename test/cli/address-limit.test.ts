import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

/**
 * 2 GB of address space: plenty for Node and the CLI, but far below what a
 * WebAssembly instance reserves (about 10 GB of guard regions on 64-bit), so
 * any module that instantiates WebAssembly at import time fails under it.
 */
const ADDRESS_LIMIT_KB = 2_000_000;

function underLimit(args: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `ulimit -v ${ADDRESS_LIMIT_KB} && exec "$0" "$1" ${args}`, process.execPath, CLI], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the CLI under ulimit -v', () => {
  it('--version starts, prints the version and exits 0 (no WebAssembly loaded at start-up)', () => {
    const r = underLimit('--version');
    expect(r.stderr).not.toMatch(/WebAssembly|Out of memory/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--help works too', () => {
    for (const args of ['--help']) {
      const r = underLimit(args);
      expect(r.stderr, args).not.toMatch(/WebAssembly|Out of memory/);
      expect(r.code, args).toBe(0);
      expect(r.stdout, args).toMatch(/Usage|fleetsim/);
    }
  });
});
