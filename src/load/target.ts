/**
 * The devices of a load run. The target itself (the URL rule, enrollment) is
 * src/targets', shared with `fleetsim run`'s url targets.
 */

/** Device ids of a load run: distinct per run tag so a rerun never collides with earlier sequences. */
export function loadDeviceIds(runTag: string, n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = `load-${runTag}-${String(i).padStart(6, '0')}`;
  return ids;
}
