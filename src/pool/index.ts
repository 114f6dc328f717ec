export * from './script.js';
export * from './shards.js';
export * from './tasks.js';
