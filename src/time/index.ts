export * from './zones.js';
export * from './calendar.js';
export * from './wall-clock.js';
