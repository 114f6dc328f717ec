import { defineConfig } from 'vitest/config';
import { E2E_SUITES } from './test/e2e-suites.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...E2E_SUITES],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
