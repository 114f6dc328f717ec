import { RunError } from '../../errors.js';
import type { LaptopRow } from '../shard-tally.js';

/** What a paced worker was given and gave back: its employee ranges, and one row per employee of them in index order. */
export interface PacedPart {
  readonly ranges: readonly { readonly from: number; readonly to: number }[];
  readonly laptops: readonly LaptopRow[];
}

/**
 * The rows of a paced run's workers in employee order. Paced workers take
 * the run's shards in turn (worker 0 shards 0, 2, …; worker 1 shards 1, 3, …)
 * so that each runs its laptops side by side; joined worker by worker, the
 * rows would follow the worker count. In employee order laptops.csv is the
 * same whatever --workers, as a virtual-time run's is.
 */
export function laptopsInFleetOrder(parts: readonly PacedPart[]): LaptopRow[] {
  const pieces: { from: number; rows: readonly LaptopRow[] }[] = [];
  for (const p of parts) {
    let at = 0;
    for (const r of p.ranges) {
      pieces.push({ from: r.from, rows: p.laptops.slice(at, at + r.to - r.from) });
      at += r.to - r.from;
    }
    if (at !== p.laptops.length) {
      throw new RunError('WORKER_FAILED', `a paced worker returned ${p.laptops.length} laptop rows for ${at} employees`);
    }
  }
  return pieces.sort((a, b) => a.from - b.from).flatMap((x) => x.rows);
}
