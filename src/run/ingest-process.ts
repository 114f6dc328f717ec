import { readFileSync } from 'node:fs';
import { createIngestServer } from '../ingest/index.js';
import { enrollAll, INGEST_PROCESS_KEYS_PREFIX, INGEST_PROCESS_SECRET_ENV, type IngestProcessConfig } from './ingest-target.js';

/**
 * The ingest service as a process of its own (for the ingest-restart fault):
 * starts from the config file, enrolls the listed devices, prints their
 * keys (`KEYS {"id":"hex",…}`, first start only) and `READY <url>` on stdout, and drains and exits on SIGTERM. SIGKILL is the
 * point: whatever it acknowledged must be in the store when it comes back.
 */
export async function serveIngestProcess(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as IngestProcessConfig;
  const fleetSecret = process.env[INGEST_PROCESS_SECRET_ENV] ?? '';
  const server = createIngestServer({ ...config.options, fleetSecret });
  const address = await server.start();
  const keys: Record<string, string> = {};
  await enrollAll(
    config.enroll,
    async (d) => (keys[d.id] = Buffer.from((await server.enroll(d.id, { timezone: d.timezone })).key).toString('hex')),
  );
  if (config.enroll.length > 0) process.stdout.write(`${INGEST_PROCESS_KEYS_PREFIX}${JSON.stringify(keys)}\n`);
  process.stdout.write(`READY ${address.url}\n`);
  const stop = () => void server.stop({ drainTimeoutMs: 10_000 }).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  // The run that started this process closed its end of stdin, or died: stop with it.
  process.stdin.on('end', stop);
  process.stdin.resume();
}
