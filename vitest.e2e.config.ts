import { defineConfig } from 'vitest/config';
import { E2E_SUITES } from './test/e2e-suites.js';

export default defineConfig({
  test: {
    include: [...E2E_SUITES],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
