export * from './workday.js';
