/**
 * The store contract, run against SQLite (always) and PostgreSQL (when
 * FLEETSIM_TEST_PG_URL is set; .ci/run installs and starts one).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, type BatchRow, type BatchStore } from '../../src/ingest/index.js';
import { PAGE_SIZE_BYTES } from '../../src/ingest/store/sqlite.js';
import { tempDir } from './helpers.js';

const PG_URL = process.env.FLEETSIM_TEST_PG_URL;
if (!PG_URL) {
  process.stderr.write('test/ingest/store.test.ts: FLEETSIM_TEST_PG_URL is not set; the PostgreSQL store tests are skipped (.ci/run sets it)\n');
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
    deviceId, sequence, batchId, windowStartMs: 1_772_500_000_000 + sequence * 60_000, windowEndMs: 1_772_500_060_000 + sequence * 60_000,
    eventCount: 100 + sequence, refusedPaused: 0, refusedExempt: 0, receivedMs: 1_772_600_000_000, agentVersion: 'v1', payloadCodec: 'gzip',
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
    expect(rows[0]).toMatchObject({ deviceId: 'dev-a', sequence: 0, eventCount: 100, windowStartMs: r.windowStartMs, payloadCodec: 'gzip' });
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
    expect(devices).toContainEqual({ deviceId: 'dev-x', enrolledMs: 1000, revokedMs: null, keyGeneration: 0, timezone: null });
    expect(devices).toContainEqual({ deviceId: 'dev-y', enrolledMs: 3000, revokedMs: 3000, keyGeneration: 0, timezone: null });
    expect(devices).toContainEqual({ deviceId: 'dev-z', enrolledMs: 4000, revokedMs: null, keyGeneration: 0, timezone: 'Asia/Kolkata' });
    await store.reinstateDevice('dev-y', 1);
    // Enrolling again without a timezone keeps the one stored; with one, replaces it.
    await store.enrollDevice('dev-z', 5000);
    await store.enrollDevice('dev-x', 5000, 'Europe/Berlin');
    devices = await store.loadDevices();
    expect(devices).toContainEqual({ deviceId: 'dev-y', enrolledMs: 3000, revokedMs: null, keyGeneration: 1, timezone: null });
    expect(devices).toContainEqual({ deviceId: 'dev-z', enrolledMs: 4000, revokedMs: null, keyGeneration: 0, timezone: 'Asia/Kolkata' });
    expect(devices).toContainEqual({ deviceId: 'dev-x', enrolledMs: 1000, revokedMs: null, keyGeneration: 0, timezone: 'Europe/Berlin' });
    await store.upsertPause({ deviceId: 'dev-x', startMs: 10, endMs: 1_800_010, endedBy: 'auto-resume' });
    await store.upsertPause({ deviceId: 'dev-x', startMs: 10, endMs: 600_010, endedBy: 'resume' });
    expect(await store.loadPauses()).toEqual([{ deviceId: 'dev-x', startMs: 10, endMs: 600_010, endedBy: 'resume' }]);
    await store.setExemption('dev-x', { deviceId: 'dev-x', fromMs: 5, untilMs: null });
    expect(await store.loadExemptions()).toEqual([{ deviceId: 'dev-x', fromMs: 5, untilMs: null }]);
    await store.setExemption('dev-x', null);
    expect(await store.loadExemptions()).toEqual([]);
  });

  it('totals stored batches and events', async () => {
    const t = await store.totals();
    expect(t.batches).toBe(1 + 1 + 300 + 7);
    expect(t.events).toBeGreaterThan(30_000);
  });
});

describe('sqlite store files from an earlier version', () => {
  it('gains the device key-generation and timezone columns on open, keeping every device', async () => {
    const Database = (await import('better-sqlite3')).default;
    const tmp = tempDir();
    const path = join(tmp.dir, 'old.db');
    const db = new Database(path);
    db.exec('CREATE TABLE devices (device_id TEXT PRIMARY KEY, enrolled_ms INTEGER NOT NULL, revoked_ms INTEGER)');
    db.prepare('INSERT INTO devices VALUES (?, ?, ?)').run('old-laptop', 1000, null);
    db.close();
    const store = new SqliteStore({ path });
    try {
      expect(await store.loadDevices()).toEqual([{ deviceId: 'old-laptop', enrolledMs: 1000, revokedMs: null, keyGeneration: 0, timezone: null }]);
      await store.enrollDevice('new-laptop', 2000, 'Europe/London');
      expect(await store.loadDevices()).toContainEqual({ deviceId: 'new-laptop', enrolledMs: 2000, revokedMs: null, keyGeneration: 0, timezone: 'Europe/London' });
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
    db.exec('CREATE TABLE t (x INTEGER)');
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
