export * from './rules.js';
export * from './exemption.js';
