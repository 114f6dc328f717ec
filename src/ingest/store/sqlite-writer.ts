/**
 * The SQLite store's writer thread: group commit without stalling the event
 * loop that serves uploads. Writes arrive as messages; every write that has
 * arrived by the time the thread gets to it goes into one transaction (one
 * fsync with synchronous=FULL); the ids of the group are reported back only
 * after COMMIT has returned.
 */
import type { MessagePort } from 'node:worker_threads';
import { unpackWrites, type WriteOp } from './write-message.js';
import { SqliteEngine, type SqliteWriterData, type WriterReply, type WriterRequest } from './sqlite.js';

/** Opens the database and serves write requests on `port` until asked to close. */
export function serveSqliteWriter(port: MessagePort, { path, sync, maxGroupRows }: SqliteWriterData): void {
  const engine = new SqliteEngine(path, sync);
  let ids: number[] = [];
  let ops: WriteOp[] = [];
  let scheduled = false;
  let closing = false;

  function flush(): void {
    scheduled = false;
    while (ops.length > 0) {
      const n = Math.min(ops.length, maxGroupRows);
      const groupIds = ids.slice(0, n);
      const groupOps = ops.slice(0, n);
      ids = ids.slice(n);
      ops = ops.slice(n);
      const t0 = performance.now();
      let reply: WriterReply;
      try {
        const results = engine.applyGroup(groupOps);
        reply = { ids: groupIds, results, seconds: (performance.now() - t0) / 1000 };
      } catch (e) {
        reply = { ids: groupIds, error: (e as Error).message, seconds: (performance.now() - t0) / 1000 };
      }
      port.postMessage(reply);
    }
    if (closing) {
      engine.close();
      port.close();
    }
  }

  port.on('message', (m: WriterRequest) => {
    if ('close' in m) {
      closing = true;
      flush();
      return;
    }
    const group = unpackWrites(m.packed);
    ids.push(...group.ids);
    ops.push(...group.ops);
    // Messages that arrived together are all delivered before setImmediate runs: they form the group.
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  port.postMessage({ ready: true } satisfies WriterReply);
}
