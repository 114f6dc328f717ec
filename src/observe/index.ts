export * from './types.js';
export { ObserveError, type ObserveErrorCode } from './errors.js';
export { observeProcessTree, readProcessSample, DEFAULT_OBSERVE_INTERVAL_MS, type ObserveOptions } from './proc-observer.js';
export { parseStat, parseStatus, parseSchedstat, parseSmapsRollupPss, parseChildren, type ProcStat, type ProcStatus } from './proc-parse.js';
export { TreeAccount, DEFAULT_CLOCK_TICKS_PER_SECOND, type ProcessSample, type ThreadSample, type TreeSample } from './tree-account.js';
export { readPackageEnergy, energyBetween, startPackageEnergy, DEFAULT_POWERCAP_ROOT, type RaplSnapshot, type RaplZoneCounter } from './rapl.js';
export { measuredBattery, DEFAULT_DAY_SCALE, type DayScale, type MeasuredWindow, type MeasuredBattery } from './measured-energy.js';
