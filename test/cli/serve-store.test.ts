import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-serve-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serve(store: string) {
  return fleetsim(['serve', '--port', '0', '--heap', 'node', '--store', store, '--fleet-secret', 'a-fleet-secret-of-16+'], {
    timeoutMs: 30_000,
  });
}

describe('fleetsim serve with a store it cannot use', () => {
  it('a store that cannot be opened is exit 3, naming the --store value, why, and what to do', () => {
    const r = serve(`sqlite:${join(dir, 'missing', 'x.db')}`);
    expect(r.stderr).toContain(
      `--store "sqlite:${join(dir, 'missing', 'x.db')}": the directory ${join(dir, 'missing')} does not exist; create it, or give a file in a directory that exists`,
    );
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/cannot start|at .*\.js:\d+/);
  });

  it('a malformed PostgreSQL URL is a usage error (exit 2) naming --store, with the password hidden', () => {
    for (const [url, why] of [
      ['postgres://fleet:hunter2@127.0.0.1:99999/db', 'port "99999" is not a number from 1 to 65535'],
      ['postgres://fleet:hunter2@127.0.0.1:5432/db?schema=bad-name;drop', 'PostgreSQL schema "bad-name;drop" is not a plain name'],
    ] as const) {
      const r = serve(url);
      expect(r.stderr).toContain(`--store: store "${url.replace(':hunter2@', ':***@')}": ${why}`);
      expect(r.stderr).not.toContain('hunter2');
      expect(r.code).toBe(2);
    }
  });
});
