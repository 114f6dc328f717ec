export * from './laptop-day.js';
export * from './transports.js';
export * from './shard.js';
export * from './fleet-run.js';
export * from './summary.js';
export * from './scenario-run.js';
export * from './merge.js';
export * from './agent-settings.js';
