import { availableParallelism } from 'node:os';

/** One thread per core the process may use: the default of every command's --workers. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/** Splits [0, n) into shards; the split never changes results, only balance and progress granularity. */
export function planShards(n: number, workers: number, shardSize?: number): { from: number; to: number }[] {
  const size = shardSize ?? Math.max(1, Math.min(100, Math.ceil(n / Math.max(1, workers * 8))));
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < n; from += size) out.push({ from, to: Math.min(n, from + size) });
  return out;
}

/**
 * The employees `--shard index/count` runs: a contiguous block of [0, n), the same on every machine whatever its
 * --workers (each machine of a cluster may have its own core count), so the shards of a run cover the fleet
 * exactly once and their merge is the whole run.
 */
export function shardRange(n: number, shard: { readonly index: number; readonly count: number }): { from: number; to: number } {
  return { from: Math.floor((shard.index * n) / shard.count), to: Math.floor(((shard.index + 1) * n) / shard.count) };
}
