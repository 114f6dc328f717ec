import { describe, expect, it } from 'vitest';
import { METRIC_PATHS, evaluateThresholds, figureAt, parseScenario, parseThreshold } from '../../src/scenario/index.js';

describe('thresholds', () => {
  it('parses the issue’s examples', () => {
    for (const [src, metric, op, value] of [
      ['ingest.p99_ms < 200', 'ingest.p99_ms', '<', 200],
      ['bandwidth.mb_per_laptop_day.p95 < 1', 'bandwidth.mb_per_laptop_day.p95', '<', 1],
      ['battery.pct_per_day.p95<0.1', 'battery.pct_per_day.p95', '<', 0.1],
      ['ledger.lost == 0', 'ledger.lost', '==', 0],
      ['  leaks.canaries   ==   0  ', 'leaks.canaries', '==', 0],
      ['yield.overall >= 8e-1', 'yield.overall', '>=', 0.8],
      ['ingest.errors != -1', 'ingest.errors', '!=', -1],
    ] as const) {
      const r = parseThreshold(src);
      expect(r).toEqual({ ok: true, threshold: { metric, op, value, source: src.trim() } });
    }
  });

  it('refuses unknown metrics (with a suggestion), comparators and numbers', () => {
    expect(parseThreshold('ingest.p99 < 200')).toMatchObject({
      ok: false,
      message: expect.stringContaining('did you mean "ingest.p99_ms"?'),
    });
    expect(parseThreshold('ledger.lost => 0')).toMatchObject({ ok: false, message: 'comparator must be one of < <= > >= == !=, got "=>"' });
    expect(parseThreshold('ledger.lost < 1 2')).toMatchObject({ ok: false });
    expect(parseThreshold('ledger.lost <')).toMatchObject({ ok: false, message: 'must end with a number after <, got nothing' });
    expect(parseThreshold('< 3')).toMatchObject({ ok: false });
  });

  it('evaluates against plain figures; a missing figure fails', () => {
    const s = parseScenario(
      'name: x\nthresholds:\n  - ingest.p99_ms < 200\n  - ledger.lost == 0\n  - leaks.canaries == 0\n  - battery.pct_per_day.p95 < 0.1\n',
    );
    const figures = { ingest: { p99_ms: 150 }, ledger: { lost: 0 }, battery: { pct_per_day: { p95: 0.2 } } };
    const r = evaluateThresholds(s.thresholds, figures);
    expect(r.passed).toBe(false);
    expect(r.outcomes.map((o) => [o.expression, o.actual, o.pass])).toEqual([
      ['ingest.p99_ms < 200', 150, true],
      ['ledger.lost == 0', 0, true],
      ['leaks.canaries == 0', null, false],
      ['battery.pct_per_day.p95 < 0.1', 0.2, false],
    ]);
    expect(evaluateThresholds(s.thresholds.slice(0, 2), figures).passed).toBe(true);
    expect(figureAt({ a: { b: '3' } }, 'a.b')).toBeNull();
    expect(figureAt({ a: { toString: 3 } }, 'a.constructor')).toBeNull();
  });

  it('every known metric path parses', () => {
    for (const m of METRIC_PATHS) expect(parseThreshold(`${m} >= 0`).ok).toBe(true);
  });
});
