export * from './agent.js';
export * from './clock.js';
export * from './config.js';
export * from './content-filter.js';
export * from './coalesce.js';
export * from './transport.js';
export * from './uploader.js';
export * from './http-transport.js';
