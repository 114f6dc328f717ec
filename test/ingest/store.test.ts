/**
 * The store contract, run against SQLite (always) and PostgreSQL (when
 * FLEETSIM_TEST_PG_URL is set; .ci/run installs and starts one).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, type BatchRow, type BatchStore } from '../../src/ingest/index.js';
import { PAGE_SIZE_BYTES } from '../../src/ingest/store/sqlite.js';
import { tempDir } from './helpers.js';

const PG_URL = process.env.FLEETSIM_TEST_PG_URL;
if (!PG_URL) {
  process.stderr.write(
    'test/ingest/store.test.ts: FLEETSIM_TEST_PG_URL is not set; the PostgreSQL store tests are skipped (.ci/run sets it)\n',
  );
}

interface Backend {
  name: string;
  open: () => Promise<BatchStore>;
  cleanup: () => Promise<void>;
}

function sqliteBackend(): Backend {
  const tmp = tempDir();
  return { name: 'sqlite', open: async () => new SqliteStore({ path: join(tmp.dir, 'store.db') }), cleanup: async () => tmp.cleanup() };
}

function pgBackend(): Backend {
  const schema = `fleetsim_test_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    open: () => PostgresStore.open({ url: PG_URL!, schema }),
    cleanup: async () => {
      const s = await PostgresStore.open({ url: PG_URL!, schema });
      await s.dropSchema();
      await s.close();
    },
  };
}

function row(deviceId: string, sequence: number, batchId = randomBytes(16)): BatchRow {
  return {
    deviceId,
    sequence,
    batchId,
    windowStartMs: 1_772_500_000_000 + sequence * 60_000,
    windowEndMs: 1_772_500_060_000 + sequence * 60_000,
    eventCount: 100 + sequence,
    refusedPaused: 0,
    refusedExempt: 0,
    receivedMs: 1_772_600_000_000,
    agentVersion: 'v1',
    payloadCodec: 'gzip',
    payload: randomBytes(300 + sequence),
  };
}

const backends: (() => Backend)[] = [sqliteBackend, ...(PG_URL ? [pgBackend] : [])];

describe.each(backends.map((b) => [b().name, b] as const))('%s store', (_name, make) => {
  const backend = make();
  let store: BatchStore;
  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
    await backend.cleanup();
  });

  it('stores a batch once: a retry with the same batch id is a duplicate, another batch under a taken sequence is a conflict', async () => {
    const r = row('dev-a', 0);
    expect(await store.insertBatch(r)).toBe('stored');
    expect(await store.insertBatch(r)).toBe('duplicate');
    expect(await store.insertBatch({ ...r, batchId: randomBytes(16) })).toBe('conflict');
    // Batch ids are unique per device: another device's batch with the same id is its own.
    expect(await store.insertBatch({ ...r, deviceId: 'dev-other', sequence: 5 })).toBe('stored');
    const rows = await store.listBatches('dev-a');
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.payload).equals(Buffer.from(r.payload))).toBe(true);
    expect(rows[0]).toMatchObject({
      deviceId: 'dev-a',
      sequence: 0,
      eventCount: 100,
      windowStartMs: r.windowStartMs,
      payloadCodec: 'gzip',
    });
  });

  it('group-commits concurrent inserts and classifies each one (duplicates inside one group too)', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => row('dev-b', i));
    const results = await Promise.all([...rows, rows[7]!, rows[8]!].map((r) => store.insertBatch(r)));
    expect(results.filter((x) => x === 'stored')).toHaveLength(300);
    expect(results.slice(300)).toEqual(['duplicate', 'duplicate']);
    expect(store.queueDepth()).toBe(0);
  });

  it('shows gaps in sequence numbers per device', async () => {
    for (const s of [0, 1, 2, 5, 6, 9]) await store.insertBatch(row('dev-gaps', s));
    await store.insertBatch(row('dev-late', 3));
    expect(await store.sequenceGaps('dev-gaps')).toEqual([
      { deviceId: 'dev-gaps', fromSequence: 3, toSequence: 4 },
      { deviceId: 'dev-gaps', fromSequence: 7, toSequence: 8 },
    ]);
    const all = await store.sequenceGaps();
    expect(all).toContainEqual({ deviceId: 'dev-late', fromSequence: 0, toSequence: 2 });
    expect(all.filter((g) => g.deviceId === 'dev-b')).toEqual([]);
  });

  it('keeps devices, revocations, reinstatements, timezones, pause windows and exemptions', async () => {
    await store.enrollDevice('dev-x', 1000);
    await store.enrollDevice('dev-x', 2000);
    await store.revokeDevice('dev-y', 3000);
    await store.enrollDevice('dev-z', 4000, 'Asia/Kolkata');
    let devices = await store.loadDevices();
    expect(devices).toContainEqual({ deviceId: 'dev-x', enrolledMs: 1000, revokedMs: null, keyGeneration: 0, timezone: null, key: null });
    expect(devices).toContainEqual({ deviceId: 'dev-y', enrolledMs: 3000, revokedMs: 3000, keyGeneration: 0, timezone: null, key: null });
    expect(devices).toContainEqual({
      deviceId: 'dev-z',
      enrolledMs: 4000,
      revokedMs: null,
      keyGeneration: 0,
      timezone: 'Asia/Kolkata',
      key: null,
    });
    await store.reinstateDevice('dev-y', 1);
    // Enrolling again without a timezone keeps the one stored; with one, replaces it.
    await store.enrollDevice('dev-z', 5000);
    await store.enrollDevice('dev-x', 5000, 'Europe/Berlin');
    devices = await store.loadDevices();
    expect(devices).toContainEqual({ deviceId: 'dev-y', enrolledMs: 3000, revokedMs: null, keyGeneration: 1, timezone: null, key: null });
    expect(devices).toContainEqual({
      deviceId: 'dev-z',
      enrolledMs: 4000,
      revokedMs: null,
      keyGeneration: 0,
      timezone: 'Asia/Kolkata',
      key: null,
    });
    expect(devices).toContainEqual({
      deviceId: 'dev-x',
      enrolledMs: 1000,
      revokedMs: null,
      keyGeneration: 0,
      timezone: 'Europe/Berlin',
      key: null,
    });
    await store.upsertPause({ deviceId: 'dev-x', startMs: 10, endMs: 1_800_010, endedBy: 'auto-resume' });
    await store.upsertPause({ deviceId: 'dev-x', startMs: 10, endMs: 600_010, endedBy: 'resume' });
    expect(await store.loadPauses()).toEqual([{ deviceId: 'dev-x', startMs: 10, endMs: 600_010, endedBy: 'resume' }]);
    await store.setExemption('dev-x', { deviceId: 'dev-x', fromMs: 5, untilMs: null });
    expect(await store.loadExemptions()).toEqual([{ deviceId: 'dev-x', fromMs: 5, untilMs: null }]);
    await store.setExemption('dev-x', null);
    expect(await store.loadExemptions()).toEqual([]);
  });

  it('keeps each device key it is given, so a restarted service verifies enrolled devices; reinstating drops it', async () => {
    const key = randomBytes(32);
    await store.enrollDevice('dev-k', 6000, 'UTC', key);
    await store.close();
    store = await backend.open();
    expect(await store.loadDevices()).toContainEqual({
      deviceId: 'dev-k',
      enrolledMs: 6000,
      revokedMs: null,
      keyGeneration: 0,
      timezone: 'UTC',
      key,
    });
    // Enrolling without a key (no new one drawn) keeps the stored key.
    await store.enrollDevice('dev-k', 7000);
    expect((await store.loadDevices()).find((d) => d.deviceId === 'dev-k')?.key).toEqual(key);
    await store.revokeDevice('dev-k', 8000);
    await store.reinstateDevice('dev-k', 1);
    expect(await store.loadDevices()).toContainEqual({
      deviceId: 'dev-k',
      enrolledMs: 6000,
      revokedMs: null,
      keyGeneration: 1,
      timezone: 'UTC',
      key: null,
    });
    const next = randomBytes(32);
    await store.enrollDevice('dev-k', 9000, undefined, next);
    expect((await store.loadDevices()).find((d) => d.deviceId === 'dev-k')?.key).toEqual(next);
  });

  it('stores an authenticated upload only if its device is still unrevoked at the key generation it was checked under', async () => {
    await store.enrollDevice('dev-r', 1000, undefined, randomBytes(32));
    expect(await store.insertBatch(row('dev-r', 0), 0)).toBe('stored');
    // Revoked after the upload was authenticated (the caller's memory may not know yet): the store refuses it in the transaction.
    await store.revokeDevice('dev-r', 2000);
    expect(await store.insertBatch(row('dev-r', 1), 0)).toBe('revoked');
    // Reinstated: an upload checked under the revoked generation stays refused; one under the new generation is stored.
    await store.reinstateDevice('dev-r', 1);
    expect(await store.insertBatch(row('dev-r', 2), 0)).toBe('revoked');
    expect(await store.insertBatch(row('dev-r', 3), 1)).toBe('stored');
    // A device the store never enrolled stores nothing under a generation; without one (no authentication) the row is stored.
    expect(await store.insertBatch(row('dev-never', 0), 0)).toBe('revoked');
    expect((await store.listBatches('dev-r')).map((b) => b.sequence)).toEqual([0, 3]);
    expect(await store.listBatches('dev-never')).toEqual([]);
  });

  it('totals stored batches and events', async () => {
    const t = await store.totals();
    expect(t.batches).toBe(1 + 1 + 300 + 7 + 2);
    expect(t.events).toBeGreaterThan(30_000);
  });
});

describe('sqlite store files from an earlier version', () => {
  it('gains the device key-generation, timezone and key columns on open, keeping every device (without a key: it enrolls again)', async () => {
    const Database = (await import('better-sqlite3')).default;
    const tmp = tempDir();
    const path = join(tmp.dir, 'old.db');
    const db = new Database(path);
    db.exec('CREATE TABLE devices (device_id TEXT PRIMARY KEY, enrolled_ms INTEGER NOT NULL, revoked_ms INTEGER)');
    db.prepare('INSERT INTO devices VALUES (?, ?, ?)').run('old-laptop', 1000, null);
    db.close();
    const store = new SqliteStore({ path });
    try {
      expect(await store.loadDevices()).toEqual([
        { deviceId: 'old-laptop', enrolledMs: 1000, revokedMs: null, keyGeneration: 0, timezone: null, key: null },
      ]);
      await store.enrollDevice('new-laptop', 2000, 'Europe/London');
      expect(await store.loadDevices()).toContainEqual({
        deviceId: 'new-laptop',
        enrolledMs: 2000,
        revokedMs: null,
        keyGeneration: 0,
        timezone: 'Europe/London',
        key: null,
      });
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });

  it('drops the service-wide batch id index of an earlier version for one per device', async () => {
    const Database = (await import('better-sqlite3')).default;
    const tmp = tempDir();
    const path = join(tmp.dir, 'old-index.db');
    const first = new SqliteStore({ path });
    const id = Buffer.alloc(16, 3);
    await first.insertBatch(row('dev-1', 0, id));
    await first.close();
    const db = new Database(path);
    db.exec('DROP INDEX batches_device_batch_id; CREATE UNIQUE INDEX batches_batch_id ON batches (batch_id)');
    db.close();
    const store = new SqliteStore({ path });
    try {
      expect(await store.insertBatch(row('dev-2', 0, id))).toBe('stored');
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });
  it('keeps the page size of an earlier file (4 KiB, WAL) and stores in it; new files get 16 KiB pages', async () => {
    const Database = (await import('better-sqlite3')).default;
    const tmp = tempDir();
    const oldPath = join(tmp.dir, 'old-pages.db');
    const newPath = join(tmp.dir, 'new-pages.db');
    const db = new Database(oldPath);
    db.pragma('page_size = 4096');
    db.pragma('journal_mode = WAL');
    // The devices table as the first version wrote it (a file of other tables is refused as another application's).
    db.exec('CREATE TABLE devices (device_id TEXT PRIMARY KEY, enrolled_ms INTEGER NOT NULL, revoked_ms INTEGER)');
    db.close();
    const pageSize = (path: string) => {
      const d = new Database(path, { readonly: true });
      try {
        return d.pragma('page_size', { simple: true });
      } finally {
        d.close();
      }
    };
    const older = new SqliteStore({ path: oldPath });
    const fresh = new SqliteStore({ path: newPath });
    try {
      const big = { ...row('dev-1', 0), payload: randomBytes(20_000) };
      expect(await older.insertBatch(big)).toBe('stored');
      expect(await fresh.insertBatch(big)).toBe('stored');
      expect((await older.listBatches('dev-1'))[0]!.payload).toEqual(new Uint8Array(big.payload));
      expect((await fresh.listBatches('dev-1'))[0]!.payload).toEqual(new Uint8Array(big.payload));
    } finally {
      await older.close();
      await fresh.close();
    }
    try {
      expect(pageSize(oldPath)).toBe(4096);
      expect(pageSize(newPath)).toBe(PAGE_SIZE_BYTES);
    } finally {
      tmp.cleanup();
    }
  });
});

describe.runIf(PG_URL)('postgres store and a revoke committing while an upload is being stored', () => {
  it('does not store the upload: the insert waits on the device row and sees the revoke', async () => {
    const schema = `fleetsim_test_${randomBytes(6).toString('hex')}`;
    const store = await PostgresStore.open({ url: PG_URL!, schema });
    const admin = new pg.Client({ connectionString: PG_URL!, options: `-c search_path=${schema}` });
    await admin.connect();
    try {
      await store.enrollDevice('dev-race', 1000, undefined, randomBytes(32));
      // The revoke's transaction holds the device row, uncommitted, while the upload (authenticated before it) is stored.
      await admin.query('BEGIN');
      await admin.query('UPDATE devices SET revoked_ms = 2000 WHERE device_id = $1', ['dev-race']);
      let settled = false;
      const insert = store.insertBatch(row('dev-race', 0), 0).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      // Without the lock the insert would have read the unrevoked row and committed already.
      expect(settled).toBe(false);
      await admin.query('COMMIT');
      expect(await insert).toBe('revoked');
      expect(await store.listBatches('dev-race')).toEqual([]);
    } finally {
      await admin.end();
      await store.dropSchema();
      await store.close();
    }
  });
});
