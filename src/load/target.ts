/**
 * The target of a load run: the URL rule and enrollment are src/targets'
 * (shared with `fleetsim run`'s url targets); the device ids are load's own.
 */
export { enrollDevices, isLoopbackHost, parseTarget, type HttpTarget as LoadTarget } from '../targets/index.js';

/** Device ids of a load run: distinct per run tag so a rerun never collides with earlier sequences. */
export function loadDeviceIds(runTag: string, n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = `load-${runTag}-${String(i).padStart(6, '0')}`;
  return ids;
}
