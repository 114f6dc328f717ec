/**
 * Intervals over few replicas: a share's 95 % interval stays within [0, 1]
 * (with 2 replicas Student's t(0.975, 1) = 12.7 stretches mean ± half-width
 * far past 100 %), and the sweep warns when there are too few replicas.
 */
import { describe, expect, it } from 'vitest';
import { sweepHtml } from '../../src/report/sweep-report.js';
import { formatSweep } from '../../src/report/text.js';
import {
  MIN_REPLICAS_FOR_INTERVALS,
  SHARE,
  cellResult,
  cellTable,
  estimate,
  fewReplicasNote,
  sweepThresholds,
  type ReplicaFigures,
  type SweepResult,
} from '../../src/sweep/index.js';

/** One replica whose every share is `y`, for a cell with a clear spread between two replicas. */
function replica(replica: number, y: number): ReplicaFigures {
  return {
    replica,
    seed: `s/replica-${replica}`,
    produced: 1000,
    captured: 1000 * y,
    yield: y,
    captured_active_hours_per_employee: 0.2 * y,
    exempt_share: 1 - y,
    pauses_per_employee_day: 3 * (1 - y),
    tvd: { department: 1 - y },
    groups: { department: { Eng: [500, 500 * y], Sales: [500, 500] } },
  };
}

function twoReplicaSweep(): SweepResult {
  const cells = [
    cellResult(0, { 'policy.pauseCapMinutes': 15 }, { 'policy.pauseCapMinutes': '15' }, [replica(0, 0.99), replica(1, 0.9)], []),
  ];
  return {
    name: 'few',
    mode: 'fast',
    seed: 's',
    employees: 10,
    days: 1,
    replicas: 2,
    axes: [{ path: 'policy.pauseCapMinutes', labels: ['15'] }],
    cells,
    thresholds: sweepThresholds('fast', [], cells),
    employeeDays: 20,
    events: 2000,
    wallMs: 1,
    workers: 0,
  };
}

describe('95 % intervals of shares over few replicas', () => {
  it('keeps a share within [0, 1]: the t-interval clamped, its half-width kept', () => {
    const e = estimate([0.99, 0.9], SHARE);
    // mean 0.945, t(0.975, 1) · sd / √2 = 12.706 · 0.0636 / 1.414 = 0.572: the raw interval runs from 0.37 to 1.52.
    expect(e.ci95).toBeCloseTo(0.5718, 3);
    expect(e.low).toBeCloseTo(0.945 - 0.5718, 3);
    expect(e.high).toBe(1);
    expect(estimate([0.01, 0.1], SHARE).low).toBe(0);
    // An interval inside the range is the plain t-interval.
    const inside = estimate([0.5, 0.52, 0.51, 0.49, 0.5], SHARE);
    expect(inside.low).toBeCloseTo(inside.mean - inside.ci95!, 12);
    expect(inside.high).toBeCloseTo(inside.mean + inside.ci95!, 12);
    // No interval from one replica.
    expect(estimate([0.5], SHARE)).toMatchObject({ ci95: null, low: null, high: null });
  });

  it('gives every share of a cell (yield, exempt share, TVD, group shares and yields) an interval within [0, 1]', () => {
    const c = twoReplicaSweep().cells[0]!;
    const shares = [
      c.yield,
      c.exempt_share,
      c.tvd.department!,
      ...c.groups.department!.flatMap((g) => [g.yield, g.produced_share, g.captured_share]),
    ];
    for (const e of shares) {
      expect(e.low!).toBeGreaterThanOrEqual(0);
      expect(e.high!).toBeLessThanOrEqual(1);
    }
    // Counts per person or per day cannot be negative either.
    expect(c.pauses_per_employee_day.low).toBeGreaterThanOrEqual(0);
    expect(c.captured_active_hours_per_employee.low).toBeGreaterThanOrEqual(0);
  });

  it('puts the bounds in the cell table (cells.csv, --json) beside the half-width', () => {
    const row = cellTable(twoReplicaSweep())[0]!;
    expect(row.yield_ci95).toBeCloseTo(0.5718, 3);
    expect(row.yield_ci95_low).toBeCloseTo(0.3732, 3);
    expect(row.yield_ci95_high).toBe(1);
    expect(Object.keys(row).indexOf('yield_ci95_low')).toBe(Object.keys(row).indexOf('yield_ci95') + 1);
  });

  it('prints and draws no yield above 100 %', () => {
    const r = twoReplicaSweep();
    const text = formatSweep(r, ['/x/summary.json']);
    expect(text).toMatch(/94\.50 \(37\.32–100\.00\)/);
    expect(text).not.toMatch(/± 57/);
    const html = sweepHtml(r);
    expect(html).toContain('94.50 (37.32–100.00)');
    expect(html).not.toMatch(/± 57/);
  });
});

describe('a sweep with few replicas says its intervals are wide', () => {
  it(`warns below ${MIN_REPLICAS_FOR_INTERVALS} replicas, in the terminal and in report.html`, () => {
    expect(MIN_REPLICAS_FOR_INTERVALS).toBe(5);
    expect(fewReplicasNote(2)).toMatch(
      /2 replicas per cell: the 95 % intervals are wide and unreliable .*t\(0\.975, 1\) = 12\.71.*--replicas 5/,
    );
    expect(fewReplicasNote(1)).toMatch(/1 replica per cell: no interval/);
    expect(fewReplicasNote(5)).toBeNull();
    const r = twoReplicaSweep();
    expect(formatSweep(r, ['/x/summary.json'])).toContain(fewReplicasNote(2)!);
    expect(sweepHtml(r)).toContain(fewReplicasNote(2)!);
  });
});
