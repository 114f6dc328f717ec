import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { E2E_SUITES } from './test/e2e-suites.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...E2E_SUITES],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one fork per core less one: on CI's two cores, a single fork, and
    // most suites wait on child processes and sockets rather than the CPU.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
