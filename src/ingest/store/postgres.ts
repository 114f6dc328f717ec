/**
 * PostgreSQL store (pg), for scale: several ingest processes can share it.
 * Same interface and tests as the SQLite store.
 *
 * Durability: the server's synchronous_commit (default on) makes COMMIT
 * return after the WAL is flushed; nothing is acknowledged before that.
 * Idempotency: INSERT … ON CONFLICT DO NOTHING on the (device_id, sequence)
 * primary key and the unique batch_id; rows not returned by RETURNING were
 * already there and are classified as duplicate or conflict.
 * Group commit: uploads that arrive while a write is in flight go together in
 * the next multi-row INSERT (one round trip, one WAL flush).
 */
import type pg from 'pg';
import type { Codec } from '../../wire/index.js';
import { GAPS_SQL } from './sqlite.js';
import { StoreOpenError, StoreUrlError, postgresOpenFailure } from './errors.js';
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

export interface PostgresStoreOptions {
  readonly url: string;
  /** Schema for the tables (created if missing); default public. Tests use one per run. */
  readonly schema?: string;
  readonly onWrite?: StoreWriteObserver;
  /** Concurrent group writes (each on its own connection). */
  readonly maxConcurrentWrites?: number;
  /** Rows per INSERT statement (12 parameters each; PostgreSQL allows 65,535). */
  readonly maxGroupRows?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  device_id       TEXT    NOT NULL,
  sequence        BIGINT  NOT NULL,
  batch_id        BYTEA   NOT NULL,
  window_start_ms BIGINT  NOT NULL,
  window_end_ms   BIGINT  NOT NULL,
  event_count     INTEGER NOT NULL,
  refused_paused  INTEGER NOT NULL,
  refused_exempt  INTEGER NOT NULL,
  received_ms     BIGINT  NOT NULL,
  agent_version   TEXT    NOT NULL,
  payload_codec   TEXT    NOT NULL,
  payload         BYTEA   NOT NULL,
  PRIMARY KEY (device_id, sequence)
);
-- A batch id is unique per device, not across devices: one device must not be able to make another's batch a conflict.
ALTER TABLE batches DROP CONSTRAINT IF EXISTS batches_batch_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS batches_device_batch_id ON batches (device_id, batch_id);
CREATE INDEX IF NOT EXISTS batches_window ON batches (window_start_ms, window_end_ms);
CREATE TABLE IF NOT EXISTS devices (
  device_id   TEXT PRIMARY KEY,
  enrolled_ms BIGINT NOT NULL,
  revoked_ms  BIGINT
);
ALTER TABLE devices ADD COLUMN IF NOT EXISTS key_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS timezone TEXT;
-- Devices enrolled before keys were stored have none (their keys derived from the fleet secret): they enroll again.
ALTER TABLE devices ADD COLUMN IF NOT EXISTS device_key BYTEA;
CREATE TABLE IF NOT EXISTS pause_windows (
  device_id TEXT   NOT NULL,
  start_ms  BIGINT NOT NULL,
  end_ms    BIGINT NOT NULL,
  ended_by  TEXT   NOT NULL,
  PRIMARY KEY (device_id, start_ms)
);
CREATE TABLE IF NOT EXISTS exemptions (
  device_id TEXT PRIMARY KEY,
  from_ms   BIGINT NOT NULL,
  until_ms  BIGINT
);
`;

interface Pending {
  row: BatchRow;
  /** The device's key generation when the upload was authenticated, or null: store without checking the device. */
  keyGeneration: number | null;
  resolve: (r: InsertResult) => void;
  reject: (e: unknown) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore implements BatchStore {
  readonly kind = 'postgres' as const;
  private pending: Pending[] = [];
  private writing = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  /** The connection readiness probes use, apart from the pool: a pool busy with writes must not read as a store that is down. */
  private probeClient: Promise<pg.Client> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresStoreOptions,
    private readonly Client: typeof pg.Client,
  ) {}

  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = opts.schema ?? 'public';
    // The name goes into SQL text (CREATE SCHEMA, search_path): only plain lower-case names, never quoted ones.
    if (!SCHEMA_NAME.test(schema))
      throw new StoreUrlError(
        `PostgreSQL schema ${JSON.stringify(schema.slice(0, 100))} is not a plain name: use 1 to 63 lower-case letters, digits and _, not starting with a digit (e.g. ?schema=fleetsim)`,
      );
    // Loaded on first use: pg's import starts undici's WebAssembly HTTP parser, which cannot reserve its
    // memory under a ulimit -v, and most commands (and every SQLite run) never need PostgreSQL.
    const { default: pgModule } = await import('pg');
    const pool = new pgModule.Pool({
      connectionString: opts.url,
      max: (opts.maxConcurrentWrites ?? 4) + 1,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client whose server went away emits here; the next query reports it.
    pool.on('error', () => {});
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await pool.query(SCHEMA);
    } catch (e) {
      await pool.end();
      throw postgresOpenFailure(opts.url, e);
    }
    return new PostgresStore(pool, opts, pgModule.Client);
  }

  insertBatch(row: BatchRow, keyGeneration?: number): Promise<InsertResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ row, keyGeneration: keyGeneration ?? null, resolve, reject });
      this.kick();
    });
  }

  queueDepth(): number {
    return this.pending.length;
  }

  private kick(): void {
    while (this.pending.length > 0 && this.writing < (this.opts.maxConcurrentWrites ?? 4)) {
      const max = this.opts.maxGroupRows ?? 500;
      const items = this.pending.length > max ? this.pending.splice(0, max) : this.pending.splice(0);
      this.writing++;
      void this.writeGroup(items).finally(() => {
        this.writing--;
        if (this.pending.length > 0) this.kick();
        else if (this.writing === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async writeGroup(items: Pending[]): Promise<void> {
    const t0 = performance.now();
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const { row: r, keyGeneration } of items) {
      const b = values.length;
      const p = (k: number, type: string) => `$${b + k}::${type}`;
      tuples.push(
        `(${p(1, 'text')},${p(2, 'bigint')},${p(3, 'bytea')},${p(4, 'bigint')},${p(5, 'bigint')},${p(6, 'integer')},${p(7, 'integer')},` +
          `${p(8, 'integer')},${p(9, 'bigint')},${p(10, 'text')},${p(11, 'text')},${p(12, 'bytea')},${p(13, 'integer')})`,
      );
      values.push(
        r.deviceId,
        r.sequence,
        Buffer.from(r.batchId.buffer, r.batchId.byteOffset, r.batchId.byteLength),
        r.windowStartMs,
        r.windowEndMs,
        r.eventCount,
        r.refusedPaused,
        r.refusedExempt,
        r.receivedMs,
        r.agentVersion,
        r.payloadCodec,
        Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
        keyGeneration,
      );
    }
    let results: InsertResult[];
    try {
      // One statement is one transaction (autocommit): it returns after COMMIT. A row that names the key generation it
      // was authenticated under is stored only if its device, share-locked in this transaction, is unrevoked at that
      // generation: a revoke that committed first is seen (the lock re-reads the row), and a revoke that comes later
      // waits for this commit, so no upload is stored after a revoke has answered.
      const inserted = await this.pool.query<{ device_id: string; batch_id: Buffer }>(
        `WITH v (device_id, sequence, batch_id, window_start_ms, window_end_ms, event_count, refused_paused, refused_exempt,
                 received_ms, agent_version, payload_codec, payload, key_generation) AS (VALUES ${tuples.join(',')}),
         live AS MATERIALIZED (
           SELECT d.device_id, d.key_generation FROM devices d
           WHERE d.device_id IN (SELECT device_id FROM v WHERE key_generation IS NOT NULL) AND d.revoked_ms IS NULL FOR SHARE)
         INSERT INTO batches (device_id, sequence, batch_id, window_start_ms, window_end_ms, event_count, refused_paused, refused_exempt,
           received_ms, agent_version, payload_codec, payload)
         SELECT v.device_id, v.sequence, v.batch_id, v.window_start_ms, v.window_end_ms, v.event_count, v.refused_paused, v.refused_exempt,
           v.received_ms, v.agent_version, v.payload_codec, v.payload FROM v
         WHERE v.key_generation IS NULL OR EXISTS (SELECT 1 FROM live l WHERE l.device_id = v.device_id AND l.key_generation = v.key_generation)
         ON CONFLICT DO NOTHING RETURNING device_id, batch_id`,
        values,
      );
      const stored = new Set(inserted.rows.map((r) => `${r.device_id}\0${r.batch_id.toString('hex')}`));
      results = new Array(items.length);
      const unresolved: number[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < items.length; i++) {
        const id = `${items[i]!.row.deviceId}\0${Buffer.from(items[i]!.row.batchId).toString('hex')}`;
        // A batch twice in one group: the first is stored, the second is its duplicate.
        if (stored.has(id) && !seen.has(id)) results[i] = 'stored';
        else unresolved.push(i);
        seen.add(id);
      }
      if (unresolved.length > 0) {
        const q = await this.pool.query<{ device_id: string; sequence: string; batch_id: Buffer }>(
          'SELECT device_id, sequence, batch_id FROM batches WHERE (device_id, sequence) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))',
          [unresolved.map((i) => items[i]!.row.deviceId), unresolved.map((i) => items[i]!.row.sequence)],
        );
        const byKey = new Map(q.rows.map((r) => [`${r.device_id}\0${r.sequence}`, r.batch_id]));
        // Rows left out by the device check: not stored because the device is revoked or re-keyed (read after the fact; either way nothing was stored).
        const checked = unresolved.filter((i) => items[i]!.keyGeneration !== null);
        const live = new Map<string, number>();
        if (checked.length > 0) {
          const d = await this.pool.query<{ device_id: string; key_generation: number }>(
            'SELECT device_id, key_generation FROM devices WHERE device_id = ANY($1::text[]) AND revoked_ms IS NULL',
            [checked.map((i) => items[i]!.row.deviceId)],
          );
          for (const x of d.rows) live.set(x.device_id, Number(x.key_generation));
        }
        for (const i of unresolved) {
          const { row: r, keyGeneration } = items[i]!;
          const existing = byKey.get(`${r.deviceId}\0${r.sequence}`);
          if (existing !== undefined && Buffer.compare(existing, r.batchId) === 0) results[i] = 'duplicate';
          else if (keyGeneration !== null && live.get(r.deviceId) !== keyGeneration) results[i] = 'revoked';
          else results[i] = 'conflict';
        }
      }
    } catch (e) {
      for (const p of items) p.reject(e);
      return;
    }
    this.opts.onWrite?.((performance.now() - t0) / 1000, items.length);
    for (let i = 0; i < items.length; i++) items[i]!.resolve(results[i]!);
  }

  async loadDevices(): Promise<DeviceRecord[]> {
    const r = await this.pool.query<{
      device_id: string;
      enrolled_ms: string;
      revoked_ms: string | null;
      key_generation: number;
      timezone: string | null;
      device_key: Buffer | null;
    }>('SELECT device_id, enrolled_ms, revoked_ms, key_generation, timezone, device_key FROM devices');
    return r.rows.map((x) => ({
      deviceId: x.device_id,
      enrolledMs: Number(x.enrolled_ms),
      revokedMs: x.revoked_ms === null ? null : Number(x.revoked_ms),
      keyGeneration: Number(x.key_generation),
      timezone: x.timezone,
      key: x.device_key,
    }));
  }

  async enrollDevice(deviceId: string, atMs: number, timezone?: string, key?: Uint8Array): Promise<void> {
    await this.pool.query(
      `INSERT INTO devices (device_id, enrolled_ms, timezone, device_key) VALUES ($1, $2, $3, $4) ON CONFLICT (device_id)
         DO UPDATE SET timezone = COALESCE(excluded.timezone, devices.timezone), device_key = COALESCE(excluded.device_key, devices.device_key)`,
      [deviceId, atMs, timezone ?? null, key === undefined ? null : Buffer.from(key.buffer, key.byteOffset, key.byteLength)],
    );
  }

  async reinstateDevice(deviceId: string, keyGeneration: number): Promise<void> {
    await this.pool.query('UPDATE devices SET revoked_ms = NULL, device_key = NULL, key_generation = $1 WHERE device_id = $2', [
      keyGeneration,
      deviceId,
    ]);
  }

  async revokeDevice(deviceId: string, atMs: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO devices (device_id, enrolled_ms, revoked_ms) VALUES ($1, $2, $2) ON CONFLICT (device_id) DO UPDATE SET revoked_ms = excluded.revoked_ms',
      [deviceId, atMs],
    );
  }

  async loadPauses(): Promise<PauseRecord[]> {
    const r = await this.pool.query<{ device_id: string; start_ms: string; end_ms: string; ended_by: string }>(
      'SELECT device_id, start_ms, end_ms, ended_by FROM pause_windows ORDER BY device_id, start_ms',
    );
    return r.rows.map((x) => ({
      deviceId: x.device_id,
      startMs: Number(x.start_ms),
      endMs: Number(x.end_ms),
      endedBy: x.ended_by === 'resume' ? 'resume' : 'auto-resume',
    }));
  }

  async upsertPause(p: PauseRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO pause_windows (device_id, start_ms, end_ms, ended_by) VALUES ($1, $2, $3, $4) ON CONFLICT (device_id, start_ms) DO UPDATE SET end_ms = excluded.end_ms, ended_by = excluded.ended_by',
      [p.deviceId, p.startMs, p.endMs, p.endedBy],
    );
  }

  async loadExemptions(): Promise<ExemptionRecord[]> {
    const r = await this.pool.query<{ device_id: string; from_ms: string; until_ms: string | null }>(
      'SELECT device_id, from_ms, until_ms FROM exemptions',
    );
    return r.rows.map((x) => ({
      deviceId: x.device_id,
      fromMs: Number(x.from_ms),
      untilMs: x.until_ms === null ? null : Number(x.until_ms),
    }));
  }

  async setExemption(deviceId: string, e: ExemptionRecord | null): Promise<void> {
    if (e === null) await this.pool.query('DELETE FROM exemptions WHERE device_id = $1', [deviceId]);
    else {
      await this.pool.query(
        'INSERT INTO exemptions (device_id, from_ms, until_ms) VALUES ($1, $2, $3) ON CONFLICT (device_id) DO UPDATE SET from_ms = excluded.from_ms, until_ms = excluded.until_ms',
        [deviceId, e.fromMs, e.untilMs],
      );
    }
  }

  async sequenceGaps(deviceId?: string): Promise<SequenceGap[]> {
    const r = await this.pool.query<{ device_id: string; gap_from: string; gap_to: string }>(
      GAPS_SQL(deviceId !== undefined ? 'WHERE device_id = $1' : ''),
      deviceId !== undefined ? [deviceId] : [],
    );
    return r.rows.map((x) => ({ deviceId: x.device_id, fromSequence: Number(x.gap_from), toSequence: Number(x.gap_to) }));
  }

  async listBatches(deviceId?: string): Promise<BatchRow[]> {
    const r = await this.pool.query(
      `SELECT * FROM batches ${deviceId !== undefined ? 'WHERE device_id = $1' : ''} ORDER BY device_id, sequence`,
      deviceId !== undefined ? [deviceId] : [],
    );
    return r.rows.map((x: Record<string, unknown>) => ({
      deviceId: x.device_id as string,
      sequence: Number(x.sequence),
      batchId: new Uint8Array(x.batch_id as Buffer),
      windowStartMs: Number(x.window_start_ms),
      windowEndMs: Number(x.window_end_ms),
      eventCount: Number(x.event_count),
      refusedPaused: Number(x.refused_paused),
      refusedExempt: Number(x.refused_exempt),
      receivedMs: Number(x.received_ms),
      agentVersion: x.agent_version as string,
      payloadCodec: x.payload_codec as Codec,
      payload: new Uint8Array(x.payload as Buffer),
    }));
  }

  async totals(): Promise<StoreTotals> {
    const r = await this.pool.query<{ b: string; e: string; p: string }>(
      'SELECT COUNT(*) AS b, COALESCE(SUM(event_count), 0) AS e, COALESCE(SUM(refused_paused), 0) AS p FROM batches',
    );
    const x = r.rows[0]!;
    return { batches: Number(x.b), events: Number(x.e), refusedPaused: Number(x.p) };
  }

  /**
   * Writable: the server answers on the probe's own connection (opened again after a failure) and is neither a
   * standby nor read-only by default, which is what a failover to a replica would leave.
   */
  async ping(): Promise<void> {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
    try {
      this.probeClient ??= this.connectProbe();
      const client = await this.probeClient;
      const r = await client.query<{ writable: boolean }>(
        "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable",
      );
      if (r.rows[0]?.writable !== true)
        throw new StoreOpenError(
          'STORE_READ_ONLY',
          'PostgreSQL answers but is read-only (a standby, or default_transaction_read_only is on); point the store at the primary',
        );
    } catch (e) {
      const stale = this.probeClient;
      this.probeClient = null;
      void stale?.then((c) => c.end()).catch(() => {});
      throw postgresOpenFailure(this.opts.url, e);
    }
  }

  private connectProbe(): Promise<pg.Client> {
    const client = new this.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 10_000 });
    const connected = client.connect().then(() => client);
    // A connection the server drops while idle emits here; the next probe reports it and connects again.
    client.on('error', () => {
      if (this.probeClient === connected) this.probeClient = null;
      void client.end().catch(() => {});
    });
    return connected;
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    const schema = this.opts.schema ?? 'public';
    if (schema !== 'public') await this.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0 || this.writing > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    const probe = this.probeClient;
    this.probeClient = null;
    await probe?.then((c) => c.end()).catch(() => {});
    await this.pool.end();
  }
}
