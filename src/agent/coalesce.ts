/**
 * Mouse-move reduction. A laptop reports 125–1000 moves per second of
 * movement; most are redundant for training data. Two modes:
 * - 'rate': keep at most one move per 1000/maxRateHz ms, always keeping the
 *   last move before anything else happens (the endpoint of the movement);
 * - 'path': Ramer–Douglas–Peucker over each movement (moves between other
 *   events or gaps), so every dropped point lies within maxErrorPx of the
 *   kept polyline, endpoints always kept.
 * Moves arrive one movement at a time; `simplify*` return the indices to keep.
 */
export type CoalesceConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'rate'; readonly maxRateHz: number }
  | { readonly mode: 'path'; readonly maxErrorPx: number };

/** Indices (0..n-1) kept by the rate cap over one movement. */
export function simplifyByRate(t: Float64Array, n: number, maxRateHz: number, keep: Uint8Array): number {
  const minGap = 1000 / maxRateHz;
  let kept = 0;
  let lastT = -Infinity;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    if (last || (t[i] as number) - lastT >= minGap) {
      keep[i] = 1;
      lastT = t[i] as number;
      kept++;
    } else keep[i] = 0;
  }
  return kept;
}

/** Ramer–Douglas–Peucker with an explicit stack (no recursion: movements can be long). */
export function simplifyByPath(x: Int32Array, y: Int32Array, n: number, maxErrorPx: number, keep: Uint8Array, stack: Int32Array): number {
  if (n <= 2) {
    for (let i = 0; i < n; i++) keep[i] = 1;
    return n;
  }
  keep.fill(0, 0, n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let kept = 2;
  const eps2 = maxErrorPx * maxErrorPx;
  let sp = 0;
  stack[sp++] = 0;
  stack[sp++] = n - 1;
  while (sp > 0) {
    const b = stack[--sp] as number;
    const a = stack[--sp] as number;
    const ax = x[a] as number;
    const ay = y[a] as number;
    const dx = (x[b] as number) - ax;
    const dy = (y[b] as number) - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD2 = eps2;
    for (let i = a + 1; i < b; i++) {
      const px = (x[i] as number) - ax;
      const py = (y[i] as number) - ay;
      let d2: number;
      if (len2 === 0) d2 = px * px + py * py;
      else {
        // Distance to the segment (not the infinite line): overshoots beyond an endpoint count.
        const u = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - u * dx;
        const ey = py - u * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      kept++;
      stack[sp++] = a;
      stack[sp++] = worst;
      stack[sp++] = worst;
      stack[sp++] = b;
    }
  }
  return kept;
}

/** Largest distance of any point to the polyline through the kept points (for tests and reports). */
export function maxDeviationPx(x: Int32Array, y: Int32Array, n: number, keep: Uint8Array): number {
  let worst = 0;
  let a = 0;
  for (let b = 1; b < n; b++) {
    if (!keep[b]) continue;
    for (let i = a + 1; i < b; i++) {
      const dx = (x[b] as number) - (x[a] as number);
      const dy = (y[b] as number) - (y[a] as number);
      const px = (x[i] as number) - (x[a] as number);
      const py = (y[i] as number) - (y[a] as number);
      const len2 = dx * dx + dy * dy;
      const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
      worst = Math.max(worst, Math.hypot(px - u * dx, py - u * dy));
    }
    a = b;
  }
  return worst;
}
