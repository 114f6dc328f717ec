export * from './roles.js';
export * from './offices.js';
export * from './params.js';
export * from './typing-traits.js';
export * from './mouse-traits.js';
export * from './employee.js';
export * from './slices.js';
