import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetsim } from '../helpers/cli.js';

describe('fleetsim serve on a port in use', () => {
  it('exits 3 naming the port instead of hanging, and leaves no database file behind', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-port-'));
    // A file that was there before: the failed start must not touch it either.
    const before = join(dir, 'before.db');
    writeFileSync(before, 'not touched');
    try {
      for (const file of [join(dir, 'x.db'), before]) {
        // Without the fix the service keeps its store's writer thread and never exits: the timeout kills it (code -1).
        const r = fleetsim(['serve', '--port', String(port), '--store', `sqlite:${file}`, '--fleet-secret', 'a-fleet-secret-of-16+'], {
          timeoutMs: 30_000,
        });
        expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
        expect(r.code).toBe(3);
        expect(r.stderr).not.toMatch(/internal error/);
      }
      // The port is bound before the store is opened: nothing was created, nothing was changed.
      expect(existsSync(join(dir, 'x.db'))).toBe(false);
      expect(existsSync(join(dir, 'x.db-wal'))).toBe(false);
      expect(readFileSync(before, 'utf8')).toBe('not touched');
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
