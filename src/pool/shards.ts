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
