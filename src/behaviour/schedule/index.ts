export * from './clock.js';
export * from './workday.js';
