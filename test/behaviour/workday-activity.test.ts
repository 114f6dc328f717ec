import { beforeAll, describe, expect, it } from 'vitest';
import { generateFleet, type EmployeeSummary } from '../../src/generate/index.js';

/**
 * Whole-day figures measured from generated events (not from plans or traits):
 * 600 employees, one weekday each, counted by the same code that writes employees.csv.
 */
let staff: EmployeeSummary[] = [];
beforeAll(async () => {
  const r = await generateFleet({ employees: 600, days: 1, seed: 'workday-activity', startDate: '2026-03-03', workers: 0 });
  staff = r.employees.filter((e) => e.active_minutes > 0);
}, 120_000);

function quantile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.round(p * (s.length - 1))]!;
}

describe('a working day, measured from the events', () => {
  it('active minutes per day: median 135 ± 12 and P(> 240 min) 10 % ± 4 points (Wellnomics 2007; RescueTime 2019: LogNormal(ln 135, 0.45))', () => {
    const minutes = staff.map((e) => e.active_minutes);
    expect(Math.abs(quantile(minutes, 0.5) - 135)).toBeLessThanOrEqual(12);
    expect(Math.abs(minutes.filter((m) => m > 240).length / minutes.length - 0.1)).toBeLessThanOrEqual(0.04);
  });

  it('clicks per active hour: median 320 ± 10 %, p10 150 ± 20 %, p90 690 ± 20 % (Balabit 478/h and esure 214/h bracket the LogNormal(ln 320, 0.6) default)', () => {
    const perHour = staff.map((e) => (e.clicks / e.active_minutes) * 60);
    expect(quantile(perHour, 0.5)).toBeGreaterThan(320 * 0.9);
    expect(quantile(perHour, 0.5)).toBeLessThan(320 * 1.1);
    expect(Math.abs(quantile(perHour, 0.1) / 150 - 1)).toBeLessThan(0.2);
    expect(Math.abs(quantile(perHour, 0.9) / 690 - 1)).toBeLessThan(0.2);
  });

  it('keystrokes per day: median in the 6–9 k band derived in BEHAVIOUR.md, and inside the 4–23 k anchors', () => {
    const keys = staff.map((e) => e.keystrokes);
    expect(quantile(keys, 0.5)).toBeGreaterThanOrEqual(6000);
    expect(quantile(keys, 0.5)).toBeLessThanOrEqual(9000);
    expect(quantile(keys, 0.25)).toBeGreaterThanOrEqual(3000);
    expect(quantile(keys, 0.75)).toBeLessThanOrEqual(23000);
  });

  it('keystrokes per active hour are higher for support agents than for designers (keyboard share by role, assumption 30–50 %)', () => {
    const rate = (role: string) => {
      const r = staff.filter((e) => e.role === role);
      return r.reduce((a, e) => a + e.keystrokes, 0) / r.reduce((a, e) => a + e.active_minutes / 60, 0);
    };
    expect(rate('support')).toBeGreaterThan(rate('designer') * 1.2);
  });

  it('mouse moves per active second ≈ 19 % moving × device rate (Balabit): median 16–26 for a fleet of mostly 125 Hz mice', () => {
    const perSecond = staff.map((e) => e.mouse_moves / (e.active_minutes * 60));
    expect(quantile(perSecond, 0.5)).toBeGreaterThan(16);
    expect(quantile(perSecond, 0.5)).toBeLessThan(26);
  });
});
