import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxDeviationPx, simplifyByPath, simplifyByRate } from '../../src/agent/coalesce.js';

const point = fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }));

describe('path coalescing (Ramer–Douglas–Peucker)', () => {
  it('keeps every dropped point within the error bound of the kept path, and both endpoints (fast-check, 500 random paths)', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 400 }), fc.double({ min: 0.5, max: 20, noNaN: true }), (pts, eps) => {
        const n = pts.length;
        const x = Int32Array.from(pts.map((p) => p[0]));
        const y = Int32Array.from(pts.map((p) => p[1]));
        const keep = new Uint8Array(n);
        const kept = simplifyByPath(x, y, n, eps, keep, new Int32Array(2 * n + 8));
        expect(keep[0]).toBe(1);
        expect(keep[n - 1]).toBe(1);
        expect(kept).toBe(keep.reduce((a, b) => a + b, 0));
        expect(maxDeviationPx(x, y, n, keep)).toBeLessThanOrEqual(eps + 1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('reduces a smooth 125 Hz movement to a handful of points at 2 px', () => {
    const n = 120;
    const x = new Int32Array(n);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      // A gently curved minimum-jerk-like path of 800 px.
      const s = i / (n - 1);
      const u = s * s * s * (10 - 15 * s + 6 * s * s);
      x[i] = Math.round(100 + 800 * u);
      y[i] = Math.round(300 + 60 * Math.sin(Math.PI * u));
    }
    const keep = new Uint8Array(n);
    const kept = simplifyByPath(x, y, n, 2, keep, new Int32Array(2 * n + 8));
    expect(kept).toBeLessThan(n / 5);
    expect(maxDeviationPx(x, y, n, keep)).toBeLessThanOrEqual(2);
  });
});

describe('rate coalescing', () => {
  it('keeps at most one move per 1000/Hz ms, always the last (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 240 }),
        (gaps, hz) => {
          const t = new Float64Array(gaps.length);
          gaps.reduce((acc, g, i) => (t[i] = acc + g), 0);
          const keep = new Uint8Array(t.length);
          simplifyByRate(t, t.length, hz, keep);
          expect(keep[t.length - 1]).toBe(1);
          let last = -Infinity;
          for (let i = 0; i < t.length - 1; i++) {
            if (!keep[i]) continue;
            expect(t[i]! - last).toBeGreaterThanOrEqual(1000 / hz - 1e-9);
            last = t[i]!;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
