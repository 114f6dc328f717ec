/**
 * Single-thread costs of an upload's stages in this process, on the bench's
 * corpus (signature check, inflate, decode, the SQLite insert), and the fsync
 * latency of the filesystem the stores use.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEVICE_HEADER,
  RequestSigner,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  createRequestSigner,
  newDeviceKey,
  parseSignedHeaders,
} from '../../src/auth/index.js';
import { SqliteStore } from '../../src/ingest/index.js';
import { SqliteEngine } from '../../src/ingest/store/sqlite.js';
import type { WriteOp } from '../../src/ingest/store/write-message.js';
import { decodeBody } from '../../src/ingest/decode-body.js';
import { decodeBatch, decompress, scanBatch } from '../../src/wire/index.js';
import { percentile } from './closed-loop.js';
import { threadCpuSeconds } from './output.js';
import { UPLOAD_LINE, type Upload } from './ingest-corpus.js';

/** fsync latency of 40 KB appends on the filesystem the stores use (a group commit's WAL append is of that order). */
export function fsyncLatencyMs(dir: string): { p50: number; p90: number } {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(40_000, 1);
  const ms = new Float64Array(30);
  try {
    for (let i = 0; i < ms.length; i++) {
      writeSync(fd, chunk);
      const t = performance.now();
      fsyncSync(fd);
      ms[i] = performance.now() - t;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  ms.sort();
  return { p50: percentile(ms, 0.5), p90: percentile(ms, 0.9) };
}

/** Per-stage CPU cost on this thread, on the same corpus: where a request's time goes. */
export async function stageCosts(
  uploads: readonly Upload[],
  tmp: string,
): Promise<{ verify_signature_us: number; decompress_us: number; decode_us: number; scan_us: number; sqlite_insert_us: number }> {
  const sample = uploads.slice(0, Math.min(2000, uploads.length));
  const time = (f: () => void) => {
    f();
    const t = performance.now();
    f();
    return Number((((performance.now() - t) * 1000) / sample.length).toFixed(2));
  };
  const keys = sample.map(() => newDeviceKey());
  const signed = sample.map((u, i) => {
    const h = createRequestSigner({ deviceId: u.deviceId, key: keys[i]! }, () => 1e12)({ ...UPLOAD_LINE, body: u.body });
    const p = parseSignedHeaders(h[DEVICE_HEADER], h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], 1e12, 1);
    if ('failure' in p) throw new Error(p.message);
    return p;
  });
  const raws = sample.map((u) => decompress('br', u.body, { maxOutputBytes: 8 << 20 }));
  // The service keeps each device's signer (its HMAC states): verifying is the per-request part.
  const verifiers = keys.map((k) => new RequestSigner(k));
  const verify = time(() => sample.forEach((u, i) => verifiers[i]!.verify(signed[i]!, UPLOAD_LINE, u.body)));
  const inflate = time(() => sample.forEach((u) => decompress('br', u.body, { maxOutputBytes: 8 << 20 })));
  const decode = time(() => raws.forEach((r) => decodeBatch(r, { maxEvents: 100_000 })));
  const scan = time(() => raws.forEach((r) => scanBatch(r, { maxEvents: 100_000 })));
  // The store's own transaction, timed by its write observer: one group of the whole sample, as group commit does under load.
  let insertSeconds = 0;
  let round = 0;
  const store = new SqliteStore({ path: join(tmp, 'stage.db'), onWrite: (s) => (insertSeconds += s), maxGroupRows: sample.length });
  const group = () => {
    round++;
    const decoded = raws.map((r) => decodeBatch(r));
    const all = decoded.map((b, i) =>
      store.insertBatch({
        deviceId: `stage-${round}-${i}`,
        sequence: 0,
        batchId: randomBytes(16),
        windowStartMs: b.header.windowStartMs,
        windowEndMs: b.header.windowEndMs,
        eventCount: b.events.length,
        refusedPaused: 0,
        refusedExempt: 0,
        receivedMs: 0,
        agentVersion: b.header.agentVersion,
        payloadCodec: 'br',
        payload: sample[i]!.body,
      }),
    );
    return all;
  };
  await Promise.all(group());
  insertSeconds = 0;
  await Promise.all(group());
  await store.close();
  return {
    verify_signature_us: verify,
    decompress_us: inflate,
    decode_us: decode,
    scan_us: scan,
    sqlite_insert_us: Number(((insertSeconds * 1e6) / sample.length).toFixed(2)),
  };
}

/**
 * CPU of the work server-side policy needs and nothing else: inflate every body (bomb-safe) and check its batch
 * once, with the service's own function for it (decodeBody: every wire rule, keeping what policy reads), on this
 * thread, in µs per upload. The reference the service's own CPU per upload is held to (the bench's
 * service_over_inflate_decode): a cheaper decoder lowers it too. Each body once, as in the service: no loop over
 * a hot cache. Timed on this thread's clock (threadCpuSeconds), so V8's helpers marking the bench's heap do not count.
 */
export function inflateDecodeCpuUs(uploads: readonly Upload[], limits: { maxDecodedBytes: number; maxEvents: number }): number {
  const pass = () => {
    for (const u of uploads)
      if (!decodeBody('br', u.body, limits).ok) throw new Error('the bench corpus holds a batch the service refuses');
  };
  // One pass to compile and warm the code paths (the service runs warmed up too), one measured, on this thread's
  // clock: V8's helpers marking this process's heap (the whole corpus) are not the work (output.ts, threadCpuSeconds).
  pass();
  const c0 = threadCpuSeconds();
  pass();
  return ((threadCpuSeconds() - c0) * 1e6) / uploads.length;
}

/**
 * CPU (user + kernel, this thread) of storing each upload's body durably and nothing else: SqliteEngine, the
 * writer thread's own engine, on a fresh file with the service's settings (WAL, synchronous=FULL, 16 KiB pages),
 * committing groups of `groupRows` rows as group commit forms them under load, fsync included; each row keyed as
 * the service stores it (the upload's device, sequence and window, in the corpus's arrival order). In µs per upload;
 * the first half of the uploads warms the file and the code, the second half is timed.
 */
export function sqliteInsertCpuUs(uploads: readonly Upload[], tmp: string, groupRows: number, tag = 0): number {
  const engine = new SqliteEngine(join(tmp, `floor-${groupRows}-${tag}.db`), 'full');
  try {
    const ops: WriteOp[] = uploads.map((u) => ({
      kind: 'batch',
      keyGeneration: null,
      row: {
        deviceId: u.deviceId,
        sequence: u.sequence,
        batchId: randomBytes(16),
        windowStartMs: u.windowStartMs,
        windowEndMs: u.windowEndMs,
        eventCount: u.events,
        refusedPaused: 0,
        refusedExempt: 0,
        receivedMs: 1e12,
        agentVersion: 'bench',
        payloadCodec: 'br',
        payload: u.body,
      },
    }));
    const group = Math.max(1, Math.round(groupRows));
    const half = ops.length >> 1;
    for (let i = 0; i < half; i += group) engine.applyGroup(ops.slice(i, Math.min(i + group, half)));
    const c0 = threadCpuSeconds();
    for (let i = half; i < ops.length; i += group) engine.applyGroup(ops.slice(i, i + group));
    return ((threadCpuSeconds() - c0) * 1e6) / (ops.length - half);
  } finally {
    engine.close();
  }
}
