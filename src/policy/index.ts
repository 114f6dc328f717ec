export * from './rules.js';
export * from './exemption.js';
export * from './limits.js';
