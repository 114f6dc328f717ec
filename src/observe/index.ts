/**
 * The observer: what an agent under test costs the laptop, measured from
 * /proc (CPU, wake-ups, memory of the process tree), RAPL where present, and
 * turned into battery figures with the energy model. The /proc parsers and the
 * tree accounting are internal (import them from their files in tests).
 */
export * from './types.js';
export { ObserveError, type ObserveErrorCode } from './errors.js';
export { observeProcessTree, DEFAULT_OBSERVE_INTERVAL_MS, type ObserveOptions } from './proc-observer.js';
export {
  readPackageEnergy,
  energyBetween,
  startPackageEnergy,
  DEFAULT_POWERCAP_ROOT,
  type RaplSnapshot,
  type RaplZoneCounter,
} from './rapl.js';
export { measuredBattery, DEFAULT_DAY_SCALE, type DayScale, type MeasuredWindow, type MeasuredBattery } from './measured-energy.js';
