/**
 * SQLite store (better-sqlite3), the embedded default.
 *
 * Durability: WAL journal, synchronous=FULL by default. In WAL mode a commit
 * appends to the -wal file; with FULL that append is fsync'ed before the
 * commit returns, so an acknowledged batch survives kill -9 *and* power loss.
 * synchronous=NORMAL (the `sync: 'normal'` option) skips that fsync: still
 * safe against the process dying (the WAL is in the OS page cache and is
 * replayed on open) but the last transactions can be lost if the machine
 * loses power.
 *
 * Writes run on a writer thread (sqlite-writer.ts, started as workers/sqlite-writer.js), so an fsync never stalls
 * the event loop that parses and decodes uploads, and they are
 * group-committed: every write (batches, enrollments, pause windows,
 * exemptions) that arrives while a transaction is being written goes into the
 * next one, so there is one fsync per group, not per batch. A write's promise
 * resolves when the writer reports its group committed; nothing answers 2xx
 * before that. Reads use a connection of their own on this thread (WAL lets
 * readers run beside the writer).
 */ import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../../pool/index.js';
import type { Codec } from '../../wire/index.js';
import { packWrites, type WriteOp } from './write-message.js';
import { StoreOpenError, sqliteOpenFailure } from './errors.js';

import type {
  BatchRow,
  BatchStore,
  DeviceRecord,
  ExemptionRecord,
  InsertResult,
  PauseRecord,
  SequenceGap,
  StoreTotals,
  StoreWriteObserver,
} from './types.js';

export interface SqliteStoreOptions {
  readonly path: string;
  /** 'full' (default): durable across power loss; 'normal': durable across process crashes only. */
  readonly sync?: 'full' | 'normal';
  readonly onWrite?: StoreWriteObserver;
  /** Most writes one transaction takes; the rest wait for the next. */
  readonly maxGroupRows?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  device_id       TEXT    NOT NULL,
  sequence        INTEGER NOT NULL,
  batch_id        BLOB    NOT NULL,
  window_start_ms INTEGER NOT NULL,
  window_end_ms   INTEGER NOT NULL,
  event_count     INTEGER NOT NULL,
  refused_paused  INTEGER NOT NULL,
  refused_exempt  INTEGER NOT NULL,
  received_ms     INTEGER NOT NULL,
  agent_version   TEXT    NOT NULL,
  payload_codec   TEXT    NOT NULL,
  payload         BLOB    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS batches_device_sequence ON batches (device_id, sequence);
-- A batch id is unique per device, not across devices: one device must not be able to make another's batch a conflict.
DROP INDEX IF EXISTS batches_batch_id;
CREATE UNIQUE INDEX IF NOT EXISTS batches_device_batch_id ON batches (device_id, batch_id);
CREATE INDEX IF NOT EXISTS batches_window ON batches (window_start_ms, window_end_ms);
CREATE TABLE IF NOT EXISTS devices (
  device_id      TEXT PRIMARY KEY,
  enrolled_ms    INTEGER NOT NULL,
  revoked_ms     INTEGER,
  key_generation INTEGER NOT NULL DEFAULT 0,
  timezone       TEXT,
  device_key     BLOB
);
CREATE TABLE IF NOT EXISTS pause_windows (
  device_id TEXT    NOT NULL,
  start_ms  INTEGER NOT NULL,
  end_ms    INTEGER NOT NULL,
  ended_by  TEXT    NOT NULL,
  PRIMARY KEY (device_id, start_ms)
);
CREATE TABLE IF NOT EXISTS exemptions (
  device_id TEXT PRIMARY KEY,
  from_ms   INTEGER NOT NULL,
  until_ms  INTEGER
);
`;

/** The page size of files this store creates. */
export const PAGE_SIZE_BYTES = 16_384;

/** The columns of SCHEMA's tables as first created; columns added since are migrated on open (SqliteEngine). */
const OWN_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  batches: [
    'device_id',
    'sequence',
    'batch_id',
    'window_start_ms',
    'window_end_ms',
    'event_count',
    'refused_paused',
    'refused_exempt',
    'received_ms',
    'agent_version',
    'payload_codec',
    'payload',
  ],
  devices: ['device_id', 'enrolled_ms', 'revoked_ms'],
  pause_windows: ['device_id', 'start_ms', 'end_ms', 'ended_by'],
  exemptions: ['device_id', 'from_ms', 'until_ms'],
};

/**
 * Refuses a SQLite file that holds another application's tables: CREATE TABLE IF NOT EXISTS would add ours beside
 * them (and WAL mode to the file), or fail half-way on a table of the same name with other columns. A new or empty
 * file, or one this store wrote (any version), passes. Reading sqlite_master is also where SQLite finds that a file
 * is not a database at all (SQLITE_NOTADB).
 */
function checkOwnDatabase(db: Database.Database, path: string): void {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
  ).map((t) => t.name);
  if (tables.length === 0) return;
  const ours = tables.filter((t) => Object.hasOwn(OWN_COLUMNS, t));
  const foreign = (why: string) =>
    new StoreOpenError(
      'STORE_FOREIGN_DATABASE',
      `${path} is a SQLite database, but not one fleetsim serve wrote (${why}); the service would change it: give a new file name, or the database an earlier fleetsim serve wrote`,
    );
  if (ours.length === 0) throw foreign(`its tables are ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}`);
  for (const t of ours) {
    const have = new Set((db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name));
    const missing = OWN_COLUMNS[t]!.filter((c) => !have.has(c));
    if (missing.length > 0)
      throw foreign(
        `its table ${t} has no column ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (nor ${missing.length - 3} more)` : ''}`,
      );
  }
}

interface DbBatchRow {
  device_id: string;
  sequence: number;
  batch_id: Buffer;
  window_start_ms: number;
  window_end_ms: number;
  event_count: number;
  refused_paused: number;
  refused_exempt: number;
  received_ms: number;
  agent_version: string;
  payload_codec: string;
  payload: Buffer;
}

/** The synchronous engine: the writer thread applies groups with it; the store reads with another one. */
export class SqliteEngine {
  readonly db: Database.Database;
  private readonly applyGroupTx: (ops: readonly WriteOp[]) => (InsertResult | null)[];

  constructor(path: string, sync: 'full' | 'normal' = 'full') {
    try {
      this.db = new Database(path);
    } catch (e) {
      throw sqliteOpenFailure(path, e);
    }
    try {
      this.applyGroupTx = this.prepare(path, sync);
    } catch (e) {
      this.db.close();
      throw sqliteOpenFailure(path, e);
    }
  }

  /** Checks the file is ours (or new), sets it up, creates or migrates the schema; returns the group writer. */
  private prepare(path: string, sync: 'full' | 'normal'): (ops: readonly WriteOp[]) => (InsertResult | null)[] {
    // Before anything writes: a file that is someone else's database must come back as it was.
    checkOwnDatabase(this.db, path);
    // 16 KiB pages, for new files only (an existing file keeps its page size; WAL mode cannot change it). A stored
    // batch is an agent body of about 4.5 KB: with SQLite's default 4 KiB pages every row spills into an overflow
    // page, so a commit writes (and fsyncs) about two pages per batch; in 16 KiB pages three batches share one.
    // Measured on bench:ingest's corpus: 25-30 % less writer-thread CPU (user + kernel) per stored batch.
    this.db.pragma(`page_size = ${PAGE_SIZE_BYTES}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Files written by an earlier version lack the newer device columns (CREATE TABLE IF NOT EXISTS leaves them as they are).
    const deviceColumns = new Set((this.db.prepare('PRAGMA table_info(devices)').all() as { name: string }[]).map((c) => c.name));
    if (!deviceColumns.has('key_generation')) this.db.exec('ALTER TABLE devices ADD COLUMN key_generation INTEGER NOT NULL DEFAULT 0');
    if (!deviceColumns.has('timezone')) this.db.exec('ALTER TABLE devices ADD COLUMN timezone TEXT');
    // Devices enrolled before keys were stored have none (their keys derived from the fleet secret): they enroll again.
    if (!deviceColumns.has('device_key')) this.db.exec('ALTER TABLE devices ADD COLUMN device_key BLOB');
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO batches (device_id, sequence, batch_id, window_start_ms, window_end_ms, event_count, refused_paused,
         refused_exempt, received_ms, agent_version, payload_codec, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const byKey = this.db.prepare('SELECT batch_id FROM batches WHERE device_id = ? AND sequence = ?');
    const deviceState = this.db.prepare('SELECT revoked_ms, key_generation FROM devices WHERE device_id = ?');
    const enroll = this.db.prepare(
      `INSERT INTO devices (device_id, enrolled_ms, timezone, device_key) VALUES (?, ?, ?, ?) ON CONFLICT (device_id)
         DO UPDATE SET timezone = COALESCE(excluded.timezone, devices.timezone), device_key = COALESCE(excluded.device_key, devices.device_key)`,
    );
    const reinstate = this.db.prepare('UPDATE devices SET revoked_ms = NULL, device_key = NULL, key_generation = ? WHERE device_id = ?');
    const revoke = this.db.prepare(
      'INSERT INTO devices (device_id, enrolled_ms, revoked_ms) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET revoked_ms = excluded.revoked_ms',
    );
    const pause = this.db.prepare(
      'INSERT INTO pause_windows (device_id, start_ms, end_ms, ended_by) VALUES (?, ?, ?, ?) ON CONFLICT (device_id, start_ms) DO UPDATE SET end_ms = excluded.end_ms, ended_by = excluded.ended_by',
    );
    const exempt = this.db.prepare(
      'INSERT INTO exemptions (device_id, from_ms, until_ms) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET from_ms = excluded.from_ms, until_ms = excluded.until_ms',
    );
    const unexempt = this.db.prepare('DELETE FROM exemptions WHERE device_id = ?');
    return this.db.transaction((ops: readonly WriteOp[]) => {
      const out: (InsertResult | null)[] = new Array(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        out[i] = null;
        switch (op.kind) {
          case 'batch': {
            const r = op.row;
            if (op.keyGeneration !== null) {
              // One writer applies every write in order, so this sees every revoke that answered before.
              const d = deviceState.get(r.deviceId) as { revoked_ms: number | null; key_generation: number } | undefined;
              if (d === undefined || d.revoked_ms !== null || d.key_generation !== op.keyGeneration) {
                out[i] = 'revoked';
                break;
              }
            }
            // Rows arrive from another thread as plain Uint8Arrays; better-sqlite3 binds Buffers (views, no copy).
            const info = insert.run(
              r.deviceId,
              r.sequence,
              asBuffer(r.batchId),
              r.windowStartMs,
              r.windowEndMs,
              r.eventCount,
              r.refusedPaused,
              r.refusedExempt,
              r.receivedMs,
              r.agentVersion,
              r.payloadCodec,
              asBuffer(r.payload),
            );
            if (info.changes === 1) out[i] = 'stored';
            else {
              const existing = byKey.get(r.deviceId, r.sequence) as { batch_id: Uint8Array } | undefined;
              out[i] = existing !== undefined && Buffer.compare(existing.batch_id, r.batchId) === 0 ? 'duplicate' : 'conflict';
            }
            break;
          }
          case 'enroll':
            enroll.run(op.deviceId, op.atMs, op.timezone, op.key === null ? null : asBuffer(op.key));
            break;
          case 'reinstate':
            reinstate.run(op.keyGeneration, op.deviceId);
            break;
          case 'revoke':
            revoke.run(op.deviceId, op.atMs, op.atMs);
            break;
          case 'pause':
            pause.run(op.pause.deviceId, op.pause.startMs, op.pause.endMs, op.pause.endedBy);
            break;
          case 'exemption':
            if (op.exemption === null) unexempt.run(op.deviceId);
            else exempt.run(op.deviceId, op.exemption.fromMs, op.exemption.untilMs);
            break;
        }
      }
      return out;
    });
  }

  /** Applies the writes in one transaction; returns when it has committed. */
  applyGroup(ops: readonly WriteOp[]): (InsertResult | null)[] {
    return this.applyGroupTx(ops);
  }

  close(): void {
    this.db.close();
  }
}

interface Pending {
  resolve: (r: InsertResult | null) => void;
  reject: (e: unknown) => void;
}

/** Messages between the store and its writer thread. */
/** What the store hands its writer thread (workerData of workers/sqlite-writer.js). */
export interface SqliteWriterData {
  readonly path: string;
  readonly sync: 'full' | 'normal';
  readonly maxGroupRows: number;
}

/** packed: a group of writes and their ids (write-message.ts), transferred. */
export type WriterRequest = { readonly packed: ArrayBuffer } | { readonly close: true };
export type WriterReply =
  | { readonly ready: true }
  | {
      readonly ids: readonly number[];
      readonly results?: readonly (InsertResult | null)[];
      readonly error?: string;
      readonly seconds: number;
    };

export class SqliteStore implements BatchStore {
  readonly kind = 'sqlite' as const;
  private readonly reader: SqliteEngine;
  private readonly writer: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly ready: Promise<void>;
  private exited: Promise<void>;
  private writerError: Error | null = null;

  constructor(private readonly opts: SqliteStoreOptions) {
    // The schema is created here, synchronously, before the writer opens the file.
    this.reader = new SqliteEngine(opts.path, opts.sync);
    this.writer = new Worker(workerScript('sqlite-writer'), {
      workerData: { path: opts.path, sync: opts.sync ?? 'full', maxGroupRows: opts.maxGroupRows ?? 1024 } satisfies SqliteWriterData,
    });
    this.ready = new Promise((resolve, reject) => {
      this.writer.once('message', () => resolve());
      this.writer.once('error', reject);
    });
    this.ready.catch(() => {});
    this.writer.on('message', (m: WriterReply) => this.onReply(m));
    this.writer.on('error', (e) => this.fail(e));
    this.exited = new Promise((resolve) => this.writer.once('exit', () => resolve()));
    void this.exited.then(() => this.fail(new Error('the SQLite writer thread exited')));
  }

  private onReply(m: WriterReply): void {
    if ('ready' in m) return;
    this.unanswered -= m.ids.length;
    // The writer has committed all it was given: what queued meanwhile goes to it now, as one message and one group.
    if (this.unanswered === 0) this.post();
    if (m.error === undefined) this.opts.onWrite?.(m.seconds, m.ids.length);
    for (let i = 0; i < m.ids.length; i++) {
      const p = this.pending.get(m.ids[i]!);
      if (p === undefined) continue;
      this.pending.delete(m.ids[i]!);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.results![i]!);
    }
  }

  private fail(e: Error): void {
    this.writerError ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private write(op: WriteOp): Promise<InsertResult | null> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.writerError) return Promise.reject(this.writerError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A message costs a wake-up of the writer, so one carries every write of a tick, packed into one transferred
      // buffer (write-message.ts), and none goes while the writer is still in a transaction: the writes that queue
      // meanwhile go in one message when it answers (onReply), the group they would have formed anyway.
      this.outIds.push(id);
      this.outOps.push(op);
      if (!this.postScheduled && this.unanswered === 0) {
        this.postScheduled = true;
        setImmediate(this.post);
      }
    });
  }

  private outIds: number[] = [];
  private outOps: WriteOp[] = [];
  private postScheduled = false;
  /** Writes handed to the writer thread and not yet answered. */
  private unanswered = 0;
  private readonly post = (): void => {
    this.postScheduled = false;
    if (this.outIds.length === 0) return;
    this.unanswered += this.outIds.length;
    const packed = packWrites(this.outIds, this.outOps);
    this.writer.postMessage({ packed } satisfies WriterRequest, [packed]);
    this.outIds = [];
    this.outOps = [];
  };

  async insertBatch(row: BatchRow, keyGeneration?: number): Promise<InsertResult> {
    return (await this.write({ kind: 'batch', row, keyGeneration: keyGeneration ?? null })) as InsertResult;
  }

  queueDepth(): number {
    return this.pending.size;
  }

  async loadDevices(): Promise<DeviceRecord[]> {
    return (
      this.reader.db.prepare('SELECT device_id, enrolled_ms, revoked_ms, key_generation, timezone, device_key FROM devices').all() as {
        device_id: string;
        enrolled_ms: number;
        revoked_ms: number | null;
        key_generation: number;
        timezone: string | null;
        device_key: Buffer | null;
      }[]
    ).map((r) => ({
      deviceId: r.device_id,
      enrolledMs: r.enrolled_ms,
      revokedMs: r.revoked_ms,
      keyGeneration: r.key_generation,
      timezone: r.timezone,
      key: r.device_key,
    }));
  }

  async enrollDevice(deviceId: string, atMs: number, timezone?: string, key?: Uint8Array): Promise<void> {
    await this.write({ kind: 'enroll', deviceId, atMs, timezone: timezone ?? null, key: key ?? null });
  }

  async reinstateDevice(deviceId: string, keyGeneration: number): Promise<void> {
    await this.write({ kind: 'reinstate', deviceId, keyGeneration });
  }

  async revokeDevice(deviceId: string, atMs: number): Promise<void> {
    await this.write({ kind: 'revoke', deviceId, atMs });
  }

  async loadPauses(): Promise<PauseRecord[]> {
    return (
      this.reader.db.prepare('SELECT device_id, start_ms, end_ms, ended_by FROM pause_windows ORDER BY device_id, start_ms').all() as {
        device_id: string;
        start_ms: number;
        end_ms: number;
        ended_by: string;
      }[]
    ).map((r) => ({
      deviceId: r.device_id,
      startMs: r.start_ms,
      endMs: r.end_ms,
      endedBy: r.ended_by === 'resume' ? 'resume' : 'auto-resume',
    }));
  }

  async upsertPause(p: PauseRecord): Promise<void> {
    await this.write({ kind: 'pause', pause: p });
  }

  async loadExemptions(): Promise<ExemptionRecord[]> {
    return (
      this.reader.db.prepare('SELECT device_id, from_ms, until_ms FROM exemptions').all() as {
        device_id: string;
        from_ms: number;
        until_ms: number | null;
      }[]
    ).map((r) => ({ deviceId: r.device_id, fromMs: r.from_ms, untilMs: r.until_ms }));
  }

  async setExemption(deviceId: string, e: ExemptionRecord | null): Promise<void> {
    await this.write({ kind: 'exemption', deviceId, exemption: e });
  }

  async sequenceGaps(deviceId?: string): Promise<SequenceGap[]> {
    const rows = this.reader.db
      .prepare(GAPS_SQL(deviceId !== undefined ? 'WHERE device_id = ?' : ''))
      .all(...(deviceId !== undefined ? [deviceId] : [])) as {
      device_id: string;
      gap_from: number;
      gap_to: number;
    }[];
    return rows.map((r) => ({ deviceId: r.device_id, fromSequence: Number(r.gap_from), toSequence: Number(r.gap_to) }));
  }

  async listBatches(deviceId?: string): Promise<BatchRow[]> {
    const rows = (
      deviceId !== undefined
        ? this.reader.db.prepare('SELECT * FROM batches WHERE device_id = ? ORDER BY device_id, sequence').all(deviceId)
        : this.reader.db.prepare('SELECT * FROM batches ORDER BY device_id, sequence').all()
    ) as DbBatchRow[];
    return rows.map(fromDbRow);
  }

  async totals(): Promise<StoreTotals> {
    const r = this.reader.db
      .prepare('SELECT COUNT(*) AS b, COALESCE(SUM(event_count), 0) AS e, COALESCE(SUM(refused_paused), 0) AS p FROM batches')
      .get() as { b: number; e: number; p: number };
    return { batches: r.b, events: r.e, refusedPaused: r.p };
  }

  /** Writes go through the writer thread: the store can take them while that thread runs and the file answers. */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('the SQLite store is closed');
    if (this.writerError !== null) throw new Error(`the SQLite writer thread failed (${this.writerError.message}); restart the service`);
    this.reader.db.prepare('SELECT 1').get();
  }

  /** Waits until every queued write has committed, then stops the writer and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const outstanding = [...this.pending.values()].map(
      (p) =>
        new Promise<void>((r) => {
          const { resolve, reject } = p;
          p.resolve = (x) => {
            resolve(x);
            r();
          };
          p.reject = (e) => {
            reject(e);
            r();
          };
        }),
    );
    await Promise.all(outstanding);
    if (this.writerError === null) {
      this.post();
      this.writer.postMessage({ close: true } satisfies WriterRequest);
      await this.exited;
    }
    this.reader.close();
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Missing sequences per device: before the first stored one (from 0) and between neighbours. Same SQL for SQLite and PostgreSQL. */
export function GAPS_SQL(where: string): string {
  return `
    SELECT device_id, gap_from, gap_to FROM (
      SELECT device_id, COALESCE((LAG(sequence) OVER w) + 1, 0) AS gap_from, sequence - 1 AS gap_to
      FROM batches ${where}
      WINDOW w AS (PARTITION BY device_id ORDER BY sequence)
    ) g WHERE gap_to >= gap_from ORDER BY device_id, gap_from`;
}

function fromDbRow(r: DbBatchRow): BatchRow {
  return {
    deviceId: r.device_id,
    sequence: Number(r.sequence),
    batchId: new Uint8Array(r.batch_id),
    windowStartMs: Number(r.window_start_ms),
    windowEndMs: Number(r.window_end_ms),
    eventCount: Number(r.event_count),
    refusedPaused: Number(r.refused_paused),
    refusedExempt: Number(r.refused_exempt),
    receivedMs: Number(r.received_ms),
    agentVersion: r.agent_version,
    payloadCodec: r.payload_codec as Codec,
    payload: new Uint8Array(r.payload),
  };
}

export { fromDbRow as rowFromDb, type DbBatchRow };
