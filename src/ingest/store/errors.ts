/**
 * Why a store could not be opened, in words an operator can act on. SQLite and pg report
 * `file is not a database` or `connect ECONNREFUSED 127.0.0.1:5432`: true, but they name
 * neither the store nor what to do. Two classes, because the CLI answers them differently:
 * a URL that cannot name a store is the caller's mistake (usage), a store that is named well
 * but cannot be opened is an I/O failure.
 */
import { dirname } from 'node:path';

/** The store URL itself is malformed: no store could be opened from it, whatever the machine. */
export class StoreUrlError extends Error {
  override readonly name = 'StoreUrlError';
}

export type StoreOpenFailure =
  | 'STORE_DIRECTORY_MISSING'
  | 'STORE_CANNOT_OPEN'
  | 'STORE_NOT_A_DATABASE'
  | 'STORE_FOREIGN_DATABASE'
  | 'STORE_READ_ONLY'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  | 'STORE_DISK_FULL'
  | 'STORE_UNREACHABLE'
  | 'STORE_AUTH_FAILED'
  | 'STORE_NO_DATABASE'
  | 'STORE_NO_PRIVILEGE'
  | 'STORE_FAILED';

/** The store URL is well formed, but the store it names could not be opened or read. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    readonly code: StoreOpenFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactStoreUrl(url: string): string {
  // Up to the last @ of the authority: a password may hold an unencoded @ (p@ss), and none of it may show.
  return url.replace(/\/\/([^:/@]+):[^/?#]*@/, '//$1:***@');
}

/**
 * What opening (or first reading) the SQLite file at `path` failing with `e` means, and what to do.
 * better-sqlite3 throws SqliteError with a SQLITE_* code, or a TypeError for a missing directory.
 */
export function sqliteOpenFailure(path: string, e: unknown): StoreOpenError {
  if (e instanceof StoreOpenError) return e;
  const [failure, text] = sqliteReason(path, String((e as { code?: unknown })?.code ?? ''), (e as Error)?.message ?? String(e));
  return new StoreOpenError(failure, text, { cause: e });
}

function sqliteReason(path: string, code: string, message: string): [StoreOpenFailure, string] {
  if (/directory does not exist/.test(message))
    return [
      'STORE_DIRECTORY_MISSING',
      `the directory ${dirname(path)} does not exist; create it, or give a file in a directory that exists`,
    ];
  if (code === 'SQLITE_NOTADB')
    return [
      'STORE_NOT_A_DATABASE',
      `${path} is not a SQLite database (it holds other data); give a new file name, or the database an earlier fleetsim serve wrote`,
    ];
  if (code.startsWith('SQLITE_READONLY'))
    return [
      'STORE_READ_ONLY',
      `${path} cannot be written by this process (the file, its directory or the file system is read-only); the service writes every batch there: make them writable for this user, or give another file`,
    ];
  if (code.startsWith('SQLITE_CANTOPEN'))
    return [
      'STORE_CANNOT_OPEN',
      `${path} cannot be opened: it is a directory, or this user may not create or read it there; give a file path in a directory this user can write`,
    ];
  if (code.startsWith('SQLITE_CORRUPT'))
    return ['STORE_CORRUPT', `${path} is a damaged SQLite database (${message}); restore it from a backup, or give a new file`];
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return ['STORE_LOCKED', `${path} is locked by another process (${message}); stop the other process using it, or give another file`];
  if (code.startsWith('SQLITE_FULL'))
    return ['STORE_DISK_FULL', `the disk holding ${path} is full; free space, or give a file on another disk`];
  return ['STORE_FAILED', `${path} could not be opened as a SQLite database (${code ? `${code}: ` : ''}${message})`];
}

/**
 * What connecting to (or first reading) the PostgreSQL store at `url` failing with `e` means.
 * pg reports network failures with an errno code (ECONNREFUSED, ENOTFOUND) and server refusals
 * with a SQLSTATE (28P01 …); the message names the server, never the password.
 */
export function postgresOpenFailure(url: string, e: unknown): StoreOpenError {
  if (e instanceof StoreOpenError) return e;
  const [failure, text] = postgresReason(safeUrl(url), String((e as { code?: unknown })?.code ?? ''), (e as Error)?.message ?? String(e));
  return new StoreOpenError(failure, text, { cause: e });
}

function postgresReason(u: URL | null, code: string, message: string): [StoreOpenFailure, string] {
  const server = u ? `${u.hostname || 'localhost'}:${u.port || '5432'}` : 'the server';
  const user = JSON.stringify(u ? decodeURIComponent(u.username) : '');
  if (code === 'ECONNREFUSED')
    return [
      'STORE_UNREACHABLE',
      `nothing accepts connections at ${server} (ECONNREFUSED); start PostgreSQL there, or fix the host and port`,
    ];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return ['STORE_UNREACHABLE', `the host ${JSON.stringify(u?.hostname ?? '')} is not known (${code}); fix the host name`];
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /timeout/i.test(message))
    return [
      'STORE_UNREACHABLE',
      `PostgreSQL at ${server} did not answer (${code || message}); check that it runs and that this machine can reach it`,
    ];
  // SQLSTATE classes 28 (authorization), 3D (no such database), 42501 (privilege), 57P03 (cannot connect now).
  if (code === '28P01' || code === '28000')
    return ['STORE_AUTH_FAILED', `PostgreSQL at ${server} refused user ${user} (${message}); fix the user name or password`];
  if (code === '3D000') {
    const database = JSON.stringify(u ? decodeURIComponent(u.pathname.replace(/^\//, '')) : '');
    return ['STORE_NO_DATABASE', `PostgreSQL at ${server} has no database ${database}; create it, or fix the name`];
  }
  if (code === '42501')
    return [
      'STORE_NO_PRIVILEGE',
      `user ${user} may not create the service's schema or tables (${message}); grant it CREATE on the database, or create the schema for it`,
    ];
  if (code === '57P03')
    return ['STORE_UNREACHABLE', `PostgreSQL at ${server} is starting up or shutting down (${message}); retry when it is up`];
  return ['STORE_FAILED', `PostgreSQL at ${server} could not be used (${code ? `${code}: ` : ''}${message})`];
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
