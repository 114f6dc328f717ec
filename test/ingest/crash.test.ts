/**
 * Durability as an SRE would test it: `fleetsim serve` as a child process,
 * uploads from several concurrent clients, kill -9 in the middle, restart on
 * the same file; every batch that was answered 2xx must be there. And the
 * graceful path: SIGTERM while uploads are in flight drains them and exits 0.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../src/auth/index.js';
import { SqliteStore } from '../../src/ingest/index.js';
import { enroll, makeBatch, spawnServe, tempDir, upload } from './helpers.js';

const tmp = tempDir('fleetsim-crash-');
afterAll(() => tmp.cleanup());

interface Acked {
  deviceId: string;
  sequence: number;
  batchId: string;
}

/** Upload loops, one per device, each sequence after the previous answer, until stopped or `max` batches each. */
function uploaders(url: string, devices: DeviceCredentials[], max: number) {
  const acked: Acked[] = [];
  const failures: string[] = [];
  let stop = false;
  const loops = devices.map(async (d) => {
    for (let seq = 0; seq < max && !stop; seq++) {
      const b = makeBatch({ deviceId: d.deviceId, sequence: seq, events: 500, startMs: Date.now() - 3_600_000 + seq * 1000 });
      try {
        const r = await upload(url, d, b.body, Date.now());
        if (r.status === 200) acked.push({ deviceId: d.deviceId, sequence: seq, batchId: Buffer.from(b.batchId).toString('hex') });
        else failures.push(`${r.status} ${r.json.code}`);
      } catch (e) {
        failures.push((e as Error).message);
        return;
      }
    }
  });
  return { acked, failures, done: Promise.all(loops), halt: () => (stop = true) };
}

async function storedKeys(path: string): Promise<Set<string>> {
  const store = new SqliteStore({ path });
  const rows = await store.listBatches();
  await store.close();
  return new Set(rows.map((r) => `${r.deviceId}/${r.sequence}/${Buffer.from(r.batchId).toString('hex')}`));
}

describe('durability of fleetsim serve', () => {
  it('keeps every acknowledged batch through kill -9 during uploads, and acknowledges their retries as duplicates after restart', async () => {
    const db = join(tmp.dir, 'crash.db');
    const first = await spawnServe(['--store', `sqlite:${db}`]);
    const devices = await Promise.all(Array.from({ length: 8 }, (_, i) => enroll(first.url, `crash-laptop-${i}`)));
    const run = uploaders(first.url, devices, 10_000);
    // Let uploads run until a few hundred are acknowledged, then kill the server mid-stream.
    const deadline = Date.now() + 10_000;
    while (run.acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    run.halt();
    await run.done;
    const acked = [...run.acked];
    expect(acked.length).toBeGreaterThanOrEqual(300);
    // Some uploads were cut off by the kill: the clients saw errors, not acknowledgements.
    expect(run.failures.length).toBeGreaterThan(0);

    const second = await spawnServe(['--store', `sqlite:${db}`]);
    try {
      const stored = await storedKeys(db);
      const missing = acked.filter((a) => !stored.has(`${a.deviceId}/${a.sequence}/${a.batchId}`));
      expect(missing).toEqual([]);
      // Device keys survive the restart (enrollment is stored); a retry of an acknowledged batch is a duplicate.
      const d = devices[0]!;
      const last = acked.filter((a) => a.deviceId === d.deviceId).at(-1)!;
      const b = makeBatch({ deviceId: d.deviceId, sequence: last.sequence, events: 500, batchId: Buffer.from(last.batchId, 'hex') });
      const r = await upload(second.url, d, b.body, Date.now());
      expect(r.status).toBe(200);
      expect(r.json.status).toBe('duplicate');
    } finally {
      second.child.kill('SIGKILL');
      await new Promise((r) => second.child.once('exit', r));
    }
  });

  it('drains in-flight uploads on SIGTERM, commits them, and exits 0', async () => {
    const db = join(tmp.dir, 'term.db');
    const srv = await spawnServe(['--store', `sqlite:${db}`]);
    const devices = await Promise.all(Array.from({ length: 8 }, (_, i) => enroll(srv.url, `term-laptop-${i}`)));
    const run = uploaders(srv.url, devices, 10_000);
    const until = Date.now() + 10_000;
    while (run.acked.length < 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const exited = new Promise<number | null>((r) => srv.child.once('exit', (code) => r(code)));
    srv.child.kill('SIGTERM');
    const code = await exited;
    run.halt();
    await run.done;
    expect(code).toBe(0);
    expect(srv.output()).toContain('stopped; every acknowledged batch is committed');
    const stored = await storedKeys(db);
    for (const a of run.acked) expect(stored.has(`${a.deviceId}/${a.sequence}/${a.batchId}`)).toBe(true);
    // Uploads that arrived during the drain were told to go elsewhere (503) or found the socket closed; none was half-stored.
    for (const f of run.failures) expect(f).toMatch(/^503 INGEST_SHUTTING_DOWN|ECONNREFUSED|ECONNRESET|socket hang up/);
  });
});
