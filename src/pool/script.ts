/**
 * Where compiled thread and process entry points live: every one is a thin file under the
 * top-level workers/ folder. They always run the compiled JavaScript in dist/workers (built by
 * `npm install` and before `npm test`), also when the calling code runs from TypeScript sources
 * under vitest. Below the services in the layer order: orchestration (generate, run, load,
 * sweep) and the ingest service (decode threads, the SQLite writer thread) both start threads.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError } from '../errors.js';

export function workerScript(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.split(/[\\/]/).includes('dist');
  const path = fromDist ? resolve(here, '../../workers', `${name}.js`) : resolve(here, '../../dist/workers', `${name}.js`);
  if (!existsSync(path)) {
    throw new RunError('WORKER_FAILED', `worker script ${path} is missing: run "npm run build" (npm install does it) and try again`);
  }
  return path;
}
