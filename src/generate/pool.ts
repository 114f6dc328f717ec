import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { RunError } from '../errors.js';

/**
 * Path of a compiled worker entry point. Workers always run the compiled
 * JavaScript in dist/ (built by `npm install` and before `npm test`), also
 * when the calling code runs from TypeScript sources under vitest.
 */
export function workerScript(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.split(/[\\/]/).includes('dist');
  const path = fromDist ? resolve(here, '../../workers', `${name}.js`) : resolve(here, '../../dist/workers', `${name}.js`);
  if (!existsSync(path)) {
    throw new RunError('WORKER_FAILED', `worker script ${path} is missing: run "npm run build" (npm install does it) and try again`);
  }
  return path;
}

export function createPool(name: string, threads: number): Piscina {
  return new Piscina({ filename: workerScript(name), minThreads: threads, maxThreads: threads, idleTimeout: 1_000 });
}
