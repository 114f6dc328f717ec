export * from './protocol.js';
export { TapDriver, type TapDriverOptions } from './driver.js';
export { TapSource, type TapSourceEvents, type TapSourceOptions } from './source.js';
