import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_PARAMS, planWorkday } from '../../src/behaviour/schedule/index.js';
import { createCalendar, localDayStartMs } from '../../src/time/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { createStream } from '../../src/random/index.js';

const P = DEFAULT_POPULATION_PARAMS;
const MIN = 60_000;
// 2026-03-02 is a Monday.
const cal = createCalendar(
  '2026-03-02',
  P.offices.map((o) => o.timezone),
);

describe('work-day plans', () => {
  const plans = Array.from({ length: 400 }, (_, i) => {
    const e = createEmployee('sched', i, P);
    return { e, plan: planWorkday(e, 0, cal, createStream('sched', i, 'day0'), DEFAULT_SCHEDULE_PARAMS) };
  });

  it('keep activity sessions inside working hours, sorted, apart, and out of lunch', () => {
    for (const { plan } of plans) {
      expect(plan.working).toBe(true);
      let prevEnd = -Infinity;
      for (const s of plan.sessions) {
        expect(s.startMs).toBeGreaterThanOrEqual(plan.arriveMs);
        expect(s.endMs).toBeLessThanOrEqual(plan.leaveMs);
        expect(s.startMs).toBeGreaterThan(prevEnd);
        if (plan.lunch) expect(s.endMs <= plan.lunch.startMs || s.startMs >= plan.lunch.endMs).toBe(true);
        prevEnd = s.endMs;
      }
    }
  });

  it('start work around 8:45 local (assumption: N(8:45, 45 min) habit + 15 min daily jitter)', () => {
    const starts = plans.map(({ e, plan }) => (plan.arriveMs - localDayStartMs(cal, e.timezone, 0)) / MIN);
    const mean = starts.reduce((a, b) => a + b, 0) / starts.length;
    expect(Math.abs(mean - 525)).toBeLessThan(10);
  });

  it('plan active minutes per day as LogNormal(ln 135, 0.45): median 135 ± 12, P(> 240) ≈ 10 % ± 4 (Wellnomics 2007; RescueTime 2019)', () => {
    // Minutes touched by sessions: the way active minutes are measured from events.
    const active = plans
      .map(({ plan }) => plan.sessions.reduce((a, s) => a + Math.ceil((s.endMs - s.startMs) / MIN), 0))
      .sort((a, b) => a - b);
    const median = active[Math.floor(active.length / 2)]!;
    expect(Math.abs(median - 135)).toBeLessThan(12);
    const over240 = active.filter((m) => m > 240).length / active.length;
    expect(Math.abs(over240 - 0.1)).toBeLessThan(0.04);
  });

  it('have no work on local weekends', () => {
    const e = createEmployee('sched', 1, P);
    // Days 5 and 6 from Monday 2 March are Saturday and Sunday.
    expect(planWorkday(e, 5, cal, createStream('w'), DEFAULT_SCHEDULE_PARAMS).working).toBe(false);
    expect(planWorkday(e, 6, cal, createStream('w'), DEFAULT_SCHEDULE_PARAMS).sessions).toEqual([]);
  });

  it('show morning and afternoon peaks and a lunch dip in when people are active', () => {
    const byHour = new Float64Array(24);
    for (const { e, plan } of plans) {
      const dayStart = localDayStartMs(cal, e.timezone, 0);
      for (const s of plan.sessions) for (let t = s.startMs; t < s.endMs; t += MIN) byHour[Math.floor((t - dayStart) / (60 * MIN))]! += 1;
    }
    expect(byHour[10]!).toBeGreaterThan(byHour[12]! * 1.2);
    expect(byHour[15]!).toBeGreaterThan(byHour[12]! * 1.1);
    expect(byHour[10]!).toBeGreaterThan(byHour[15]!);
  });
});
