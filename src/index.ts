/** The library API: what the CLI, the workers, the tests and users import. */
export * from './errors.js';
export * from './random/index.js';
export * from './events/index.js';
export * from './population/index.js';
export * from './policy/index.js';
export * from './behaviour/index.js';
export * from './metrics/activity.js';
export * from './metrics/ledger.js';
export * from './metrics/energy.js';
export * from './metrics/cpu.js';
export * from './run/index.js';
export * from './scenario/index.js';
export * from './auth/index.js';
export * from './ingest/index.js';
export * from './wire/index.js';
export * from './agent/index.js';
export * from './generate/index.js';
export { VERSION } from './version.js';
