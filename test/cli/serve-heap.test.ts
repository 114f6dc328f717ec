import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canRelaunch, relaunchWithNodeFlags } from '../../src/cli/relaunch.js';
import { SERVER_HEAP_FLAGS, missingServerHeapFlags } from '../../src/ingest/index.js';
import { fleetsim } from '../helpers/cli.js';
import { FLEET_SECRET, spawnServe, tempDir } from '../ingest/helpers.js';

describe('the server heap flags', () => {
  it('are all missing from a plain node, and a flag the user set (in either spelling) stays theirs', () => {
    expect(missingServerHeapFlags([])).toEqual([...SERVER_HEAP_FLAGS]);
    expect(missingServerHeapFlags(['--enable-source-maps'])).toEqual([...SERVER_HEAP_FLAGS]);
    expect(missingServerHeapFlags(['--max-semi-space-size=16'])).toEqual(['--initial-old-space-size=64']);
    expect(missingServerHeapFlags(['--max_semi_space_size=16', '--initial-old-space-size=256'])).toEqual([]);
  });

  it("never replace a process that is not fleetsim's own CLI (a test, a host program running runCli)", () => {
    expect(relaunchWithNodeFlags(SERVER_HEAP_FLAGS)).toBe('not-the-cli-process');
    expect(relaunchWithNodeFlags([])).toBe('no-flags');
  });

  it('are chosen with --heap server or node, and anything else is refused with the choices', () => {
    const r = fleetsim(['serve', '--port', '0', '--heap', 'fast', '--fleet-secret', FLEET_SECRET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--heap must be one of server, node, got "fast"');
  });
});

/** The node options a running process was started with, from /proc (Linux). */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1')
    .split('\0')
    .filter((a) => a !== '');
}

describe.skipIf(process.platform !== 'linux')('fleetsim serve and the server heap', () => {
  it('runs with the server heap flags in the same process where the runtime can restart itself, and says how otherwise', async () => {
    const { dir, cleanup } = tempDir();
    const { child, output } = await spawnServe(['--store', `sqlite:${join(dir, 'heap.db')}`]);
    try {
      const argv = commandLine(child.pid!);
      if (canRelaunch()) {
        // Same pid: the process replaced itself, so whoever started it still holds it.
        for (const f of SERVER_HEAP_FLAGS) expect(argv).toContain(f);
        expect(output()).not.toMatch(/cannot restart itself/);
      } else {
        for (const f of SERVER_HEAP_FLAGS) expect(argv).not.toContain(f);
        expect(output()).toContain(`cannot restart itself with the server heap; start it as node ${SERVER_HEAP_FLAGS.join(' ')}`);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      cleanup();
    }
  });

  it("keeps node's defaults with --heap node, and says nothing about it", async () => {
    const { dir, cleanup } = tempDir();
    const { child, output } = await spawnServe(['--heap', 'node', '--store', `sqlite:${join(dir, 'heap.db')}`]);
    try {
      const argv = commandLine(child.pid!);
      for (const f of SERVER_HEAP_FLAGS) expect(argv).not.toContain(f);
      expect(output()).not.toMatch(/server heap/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      cleanup();
    }
  });
});
