/**
 * A store that cannot be opened says which one, why in plain words, and what to do; a URL that can
 * name no store is told apart from a store that is named well but unusable (the CLI exits 2 or 3).
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreOpenError, StoreUrlError, openStore, redactStoreUrl } from '../../src/ingest/index.js';
import { postgresOpenFailure, sqliteOpenFailure } from '../../src/ingest/store/errors.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('fleetsim-store-errors-');
afterAll(() => tmp.cleanup());

async function openFailure(url: string): Promise<StoreOpenError> {
  const e: unknown = await openStore(url).then(
    async (s) => {
      await s.close();
      return null;
    },
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StoreOpenError);
  return e as StoreOpenError;
}

/** A SQLite file of another application, and how it reads before the store looked at it. */
function foreignDatabase(name: string, sql: string): { path: string; snapshot: () => string } {
  const path = join(tmp.dir, name);
  const db = new Database(path);
  db.exec(sql);
  db.close();
  const snapshot = () => readFileSync(path).toString('base64');
  return { path, snapshot };
}

describe('opening a SQLite store that cannot be used', () => {
  it('in a directory that does not exist: names the directory', async () => {
    const e = await openFailure(`sqlite:${join(tmp.dir, 'no-such-dir', 'x.db')}`);
    expect(e.code).toBe('STORE_DIRECTORY_MISSING');
    expect(e.message).toBe(
      `the directory ${join(tmp.dir, 'no-such-dir')} does not exist; create it, or give a file in a directory that exists`,
    );
  });

  it('a file of random bytes: not a SQLite database', async () => {
    const path = join(tmp.dir, 'random.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const e = await openFailure(`sqlite:${path}`);
    expect(e.code).toBe('STORE_NOT_A_DATABASE');
    expect(e.message).toContain(`${path} is not a SQLite database`);
  });

  it('a directory: cannot be opened as a file', async () => {
    const e = await openFailure(`sqlite:${tmp.dir}`);
    expect(e.code).toBe('STORE_CANNOT_OPEN');
    expect(e.message).toContain(`${tmp.dir} cannot be opened: it is a directory`);
  });

  it("another application's SQLite database: refused, and left exactly as it was", async () => {
    for (const [name, sql, why] of [
      [
        'clash.db',
        'CREATE TABLE batches (id INTEGER, x TEXT)',
        'its table batches has no column device_id, sequence, batch_id (nor 9 more)',
      ],
      ['app.db', 'CREATE TABLE users (name TEXT); CREATE TABLE orders (id INTEGER)', 'its tables are users, orders'],
    ] as const) {
      const f = foreignDatabase(name, sql);
      const before = f.snapshot();
      const e = await openFailure(`sqlite:${f.path}`);
      expect(e.code).toBe('STORE_FOREIGN_DATABASE');
      expect(e.message).toContain(`${f.path} is a SQLite database, but not one fleetsim serve wrote (${why})`);
      // No tables added, no WAL mode: the file's bytes are what they were.
      expect(f.snapshot()).toBe(before);
    }
  });

  it('a read-only file: says it cannot be written and what to change', async () => {
    // What better-sqlite3 throws when the file or its directory is read-only for this user.
    const e = sqliteOpenFailure('/srv/ingest.db', new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'));
    expect(e.code).toBe('STORE_READ_ONLY');
    expect(e.message).toMatch(
      /^\/srv\/ingest\.db cannot be written by this process .*make them writable for this user, or give another file$/,
    );
  });

  it.skipIf(process.getuid?.() === 0)('a read-only file, for real (not as root: root writes anyway)', async () => {
    const dir = join(tmp.dir, 'ro');
    mkdirSync(dir);
    const path = join(dir, 'ingest.db');
    const made = await openStore(`sqlite:${path}`);
    await made.close();
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    try {
      const e = await openFailure(`sqlite:${path}`);
      expect(['STORE_READ_ONLY', 'STORE_CANNOT_OPEN']).toContain(e.code);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(path, 0o644);
    }
    expect(statSync(path).size).toBeGreaterThan(0);
  });
});

describe('a PostgreSQL store URL', () => {
  it('with a port out of range, or a schema that is not a plain name, is a URL error naming the part, without the password', async () => {
    for (const [url, part] of [
      ['postgres://fleet:hunter2@127.0.0.1:99999/fleetsim', 'port "99999" is not a number from 1 to 65535'],
      ['postgres://fleet:hunter2@127.0.0.1:5432/fleetsim?schema=bad-name;drop', 'PostgreSQL schema "bad-name;drop" is not a plain name'],
      ['postgresql://fleet:hunter2@127.0.0.1:5432/fleetsim?schema=9lives', 'PostgreSQL schema "9lives" is not a plain name'],
    ] as const) {
      const e: unknown = await openStore(url).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreUrlError);
      expect((e as Error).message).toContain(part);
      expect((e as Error).message).toContain('fleet:***@127.0.0.1');
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('of a server nobody listens on: unreachable, naming host and port, without the password', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await openFailure(`postgres://fleet:hunter2@127.0.0.1:${port}/fleetsim`);
    expect(e.code).toBe('STORE_UNREACHABLE');
    expect(e.message).toBe(
      `nothing accepts connections at 127.0.0.1:${port} (ECONNREFUSED); start PostgreSQL there, or fix the host and port`,
    );
  });

  it('refused by the server: names the user, or the database, never the password', () => {
    const url = 'postgres://fleet:hunter2@db.internal:6543/fleetsim';
    const auth = postgresOpenFailure(url, Object.assign(new Error('password authentication failed for user "fleet"'), { code: '28P01' }));
    expect(auth.code).toBe('STORE_AUTH_FAILED');
    expect(auth.message).toContain('PostgreSQL at db.internal:6543 refused user "fleet"');
    const db = postgresOpenFailure(url, Object.assign(new Error('database "fleetsim" does not exist'), { code: '3D000' }));
    expect(db.message).toBe('PostgreSQL at db.internal:6543 has no database "fleetsim"; create it, or fix the name');
    for (const e of [auth, db]) expect(e.message).not.toContain('hunter2');
  });

  it('is shown with its password hidden, all of it', () => {
    expect(redactStoreUrl('postgres://fleet:p@ss@db:5432/x')).toBe('postgres://fleet:***@db:5432/x');
    expect(redactStoreUrl('sqlite:/tmp/x.db')).toBe('sqlite:/tmp/x.db');
  });
});
