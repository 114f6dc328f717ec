export * from './shard.js';
export * from './fleet.js';
export * from './pool.js';
export * from './summary.js';
