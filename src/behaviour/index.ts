export * from './episode.js';
export * from './params.js';
export * from './pause.js';
export * from './schedule/index.js';
export * from './day.js';
export * from './typing/index.js';
export * from './mouse/index.js';
