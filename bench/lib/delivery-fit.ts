/**
 * The delivery term's coefficients from measured rows: a reader's delivery
 * CPU is a cost per read plus a cost per event read, C = a·reads + b·events,
 * fitted over rows whose reads and events differ (the same input read at
 * different intervals, with and without a move cap) by least squares with
 * a, b ≥ 0; wake-ups per read is the rows' wake-ups over their reads.
 */
export interface ReadCostRow {
  /** The agent's reads of its input. */
  readonly reads: number;
  /** Events it read. */
  readonly events: number;
  /** Delivery CPU µs (the idle agent and the in-process capture already subtracted). */
  readonly cpuUs: number;
  /** Delivery wake-ups (the idle agent's subtracted). */
  readonly wakeups: number;
}

export interface ReadCostFit {
  readonly cpuUsPerRead: number;
  readonly cpuUsPerEvent: number;
  readonly wakeupsPerRead: number;
  /** Root mean square of the CPU residuals, µs per row. */
  readonly rmsResidualUs: number;
}

/** null when no row has reads. */
export function fitReadCost(rows: readonly ReadCostRow[]): ReadCostFit | null {
  const used = rows.filter((r) => r.reads > 0);
  if (used.length === 0) return null;
  let srr = 0;
  let sre = 0;
  let see = 0;
  let src = 0;
  let sec = 0;
  let reads = 0;
  let wakeups = 0;
  for (const r of used) {
    srr += r.reads * r.reads;
    sre += r.reads * r.events;
    see += r.events * r.events;
    src += r.reads * r.cpuUs;
    sec += r.events * r.cpuUs;
    reads += r.reads;
    wakeups += r.wakeups;
  }
  const residual = (a: number, b: number) => used.reduce((s, r) => s + (r.cpuUs - a * r.reads - b * r.events) ** 2, 0);
  // Non-negative least squares in two unknowns: the unconstrained optimum if it is feasible, else the better edge.
  const candidates: [number, number][] = [[Math.max(0, src / srr), 0]];
  if (see > 0) candidates.push([0, Math.max(0, sec / see)]);
  const det = srr * see - sre * sre;
  if (det > 1e-9 * srr * see) {
    const a = (src * see - sec * sre) / det;
    const b = (sec * srr - src * sre) / det;
    if (a >= 0 && b >= 0) candidates.push([a, b]);
  }
  let best = candidates[0]!;
  for (const c of candidates) if (residual(c[0], c[1]) < residual(best[0], best[1])) best = c;
  return {
    cpuUsPerRead: best[0],
    cpuUsPerEvent: best[1],
    wakeupsPerRead: Math.max(0, wakeups / reads),
    rmsResidualUs: Math.sqrt(residual(best[0], best[1]) / used.length),
  };
}
