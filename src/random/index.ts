export * from './stream.js';
export * from './distributions.js';
