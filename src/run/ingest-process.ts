import { readFileSync } from 'node:fs';
import { createIngestServer } from '../ingest/index.js';
import { enrollAll, type IngestProcessConfig } from './ingest-target.js';

/**
 * The ingest service as a process of its own (for the ingest-restart fault):
 * starts from the config file, enrolls the listed devices, prints
 * `READY <url>` on stdout, and drains and exits on SIGTERM. SIGKILL is the
 * point: whatever it acknowledged must be in the store when it comes back.
 */
export async function serveIngestProcess(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as IngestProcessConfig;
  const server = createIngestServer(config.options);
  const address = await server.start();
  await enrollAll(config.enroll, (d) => server.enroll(d.id, { timezone: d.timezone }));
  process.stdout.write(`READY ${address.url}\n`);
  process.once('SIGTERM', () => {
    void server.stop({ drainTimeoutMs: 10_000 }).then(() => process.exit(0));
  });
}
