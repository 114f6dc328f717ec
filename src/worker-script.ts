/**
 * Where compiled worker entry points live. Workers always run the compiled
 * JavaScript in dist/workers (built by `npm install` and before `npm test`),
 * also when the calling code runs from TypeScript sources under vitest. Kept
 * at the bottom of the tree: orchestration (generate, run, load) and the
 * ingest service both start workers.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError } from './errors.js';

export function workerScript(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.split(/[\\/]/).includes('dist');
  const path = fromDist ? resolve(here, '../workers', `${name}.js`) : resolve(here, '../dist/workers', `${name}.js`);
  if (!existsSync(path)) {
    throw new RunError('WORKER_FAILED', `worker script ${path} is missing: run "npm run build" (npm install does it) and try again`);
  }
  return path;
}
