/**
 * Opens a store from a URL: `sqlite:PATH` (or a bare path ending in .db /
 * .sqlite), `postgres://…` / `postgresql://…`.
 */
import { resolve } from 'node:path';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { BatchStore, StoreWriteObserver } from './types.js';
import { StoreUrlError, redactStoreUrl } from './errors.js';

export * from './types.js';
export { StoreOpenError, StoreUrlError, redactStoreUrl, type StoreOpenFailure } from './errors.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres.js';

export interface OpenStoreOptions {
  readonly onWrite?: StoreWriteObserver;
  /** SQLite synchronous level (see sqlite.ts). */
  readonly sqliteSync?: 'full' | 'normal';
  /** PostgreSQL schema. */
  readonly pgSchema?: string;
}

/**
 * Opens the store the URL names. A URL that names no store throws StoreUrlError; a store that cannot be opened
 * (missing directory, not a database, unreachable server …) throws StoreOpenError saying why and what to do.
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<BatchStore> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const u = postgresUrl(url);
    const schema = opts.pgSchema ?? u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('schema');
    try {
      return await PostgresStore.open({
        url: u.toString(),
        ...(schema ? { schema } : {}),
        ...(opts.onWrite ? { onWrite: opts.onWrite } : {}),
      });
    } catch (e) {
      if (e instanceof StoreUrlError) throw new StoreUrlError(`store ${JSON.stringify(redactStoreUrl(url))}: ${e.message}`);
      throw e;
    }
  }
  let path: string | undefined;
  if (url.startsWith('sqlite:')) path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  else if (/\.(db|sqlite3?)$/i.test(url)) path = url;
  if (path === ':memory:' || /^file::memory:|[?&]mode=memory\b/.test(path ?? '')) {
    // The SQLite store reads on this thread and writes on its writer thread: two connections to
    // ':memory:' are two empty databases, so gaps would read empty and everything vanish at exit.
    throw new StoreUrlError(
      `store ${JSON.stringify(url)}: an in-memory SQLite database is not supported (its reader and its writer thread would each open their own); use a file, e.g. sqlite:/tmp/ingest.db, or sqlite:$(mktemp -d)/ingest.db for a throwaway one`,
    );
  }
  if (path === undefined || path === '') {
    throw new StoreUrlError(
      `store ${JSON.stringify(url)} is not a store URL; use sqlite:FILE (e.g. sqlite:ingest.db) or postgres://user:pass@host:5432/db`,
    );
  }
  return new SqliteStore({
    path: resolve(path),
    ...(opts.sqliteSync ? { sync: opts.sqliteSync } : {}),
    ...(opts.onWrite ? { onWrite: opts.onWrite } : {}),
  });
}

/** A postgres:// URL node can parse; WHATWG URL says only "Invalid URL", so the likely causes are named. */
function postgresUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    const port = /^[^/]*\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/.exec(url)?.[1];
    const why =
      port !== undefined && !(/^\d+$/.test(port) && Number(port) <= 65535)
        ? `port ${JSON.stringify(port)} is not a number from 1 to 65535`
        : 'it is not a valid URL (a character in the user name or password may need percent-encoding, e.g. @ as %40)';
    throw new StoreUrlError(
      `store ${JSON.stringify(redactStoreUrl(url))}: ${why}; the form is postgres://user:pass@host:5432/db[?schema=name]`,
    );
  }
}
