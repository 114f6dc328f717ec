// Writer thread of the SQLite store: group-commits the store's writes off the event loop. Logic lives in src/ingest/store/sqlite-writer.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { SqliteWriterData } from '../src/ingest/store/sqlite.js';
import { serveSqliteWriter } from '../src/ingest/store/sqlite-writer.js';

serveSqliteWriter(parentPort!, workerData as SqliteWriterData);
