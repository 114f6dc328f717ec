export * from './csv.js';
export * from './json.js';
