export * from './shard.js';
export * from './fleet.js';
export * from './summary.js';
