export * from './csv.js';
export * from './json.js';
export * from './html.js';
export * from './run-report.js';
export * from './sweep-report.js';
