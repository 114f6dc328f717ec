export * from './types.js';
export * from './keys.js';
export * from './block.js';
export * from './move-cap.js';
export * from './packed-queue.js';
export * from './byte-pool.js';
