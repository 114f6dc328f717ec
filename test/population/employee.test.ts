import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POPULATION_PARAMS, DEPARTMENT_NAMES, createEmployee, createEmployees } from '../../src/population/index.js';
import { isKnownTimezone } from '../../src/time/index.js';

const P = DEFAULT_POPULATION_PARAMS;
let big: ReturnType<typeof createEmployees> = [];
beforeAll(() => {
  big = createEmployees('big', 0, 20_000, P);
});

describe('synthetic employees', () => {
  it('are a function of (seed, index) alone, whatever slice of the fleet is built', () => {
    const whole = createEmployees('s1', 0, 50, P);
    const slice = createEmployees('s1', 20, 30, P);
    expect(slice).toEqual(whole.slice(20, 30));
    expect(createEmployee('s1', 7, P)).toEqual(whole[7]);
    expect(createEmployee('s2', 7, P)).not.toEqual(whole[7]);
  });

  it('have unique ids and e-mail addresses and known timezones', () => {
    const fleet = createEmployees('uniq', 0, 2000, P);
    expect(new Set(fleet.map((e) => e.id)).size).toBe(2000);
    expect(new Set(fleet.map((e) => e.email)).size).toBe(2000);
    for (const e of fleet) {
      expect(isKnownTimezone(e.timezone)).toBe(true);
      expect(e.email).toMatch(/^[a-z0-9]+\.[a-z0-9]+\.\d+@example\.com$/);
    }
  });

  it('follow the department mix (n = 20,000; each share within 1.5 points)', () => {
    const fleet = big;
    const weights = P.departmentMix as Record<string, number>;
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    for (const d of DEPARTMENT_NAMES) {
      const share = fleet.filter((e) => e.department === d).length / fleet.length;
      expect(Math.abs(share - (weights[d] ?? 0) / total)).toBeLessThan(0.015);
    }
  });

  it('draw roles only from their department’s mix', () => {
    for (const e of createEmployees('roles', 0, 3000, P)) {
      expect(Object.keys(P.roleMix[e.department] ?? {})).toContain(e.role);
    }
  });

  it('have an exemption request share near the parameter (5 % ± 1 point, n = 20,000)', () => {
    const fleet = big;
    expect(Math.abs(fleet.filter((e) => e.exemptionRequested).length / fleet.length - P.exemptionRequestShare)).toBeLessThan(0.01);
  });

  it('draw pause habits from the mixture: 60 % never pause (± 1.5 points)', () => {
    const fleet = big;
    expect(Math.abs(fleet.filter((e) => e.pause.pausesPerDay === 0).length / fleet.length - 0.6)).toBeLessThan(0.015);
  });
});
