export * from './stream.js';
export * from './distributions.js';
export * from './seed.js';
