import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { computeRunFigures, runFleet, type FleetRunResult } from '../../src/run/index.js';
import { fleetOptions } from '../helpers/fleet.js';

describe('run figures keep their significant digits however small', () => {
  let fleet: FleetRunResult;
  beforeAll(async () => {
    fleet = await runFleet(fleetOptions({ seed: 'summary', employees: 2 }));
  }, 30_000);

  it('bandwidth and CPU per hour of a short window: 4 significant digits, as battery figures have, not 3 decimals', () => {
    expect(fleet.laptops).toHaveLength(2);
    // What a 10-minute window gives: a few kB per laptop, a few ms of agent CPU.
    const [a, b] = [
      { bytes: 1_234, minutes: 7, cpuS: 0.000_412_34 },
      { bytes: 5_678, minutes: 9, cpuS: 0.000_987_65 },
    ];
    const tiny: FleetRunResult = {
      ...fleet,
      laptops: fleet.laptops.map((l, i) => {
        const x = i === 0 ? a : b;
        return {
          ...l,
          days_worked: 1,
          radio_bytes: x.bytes,
          active_minutes: x.minutes,
          work_hours: x.minutes / 60,
          agent_cpu_seconds: x.cpuS,
        };
      }),
    };
    const f = computeRunFigures(tiny, DEFAULT_ENERGY_MODEL.batteryWh);
    expect(f.bandwidth.mb_per_laptop_day).toMatchObject({ p10: 0.001234, p95: 0.005678, max: 0.005678, mean: 0.003456 });
    expect(f.bandwidth.kb_per_active_hour).toMatchObject({ p10: 10.58, max: 37.85 });
    expect(f.battery.cpu_s_per_hour).toMatchObject({ p10: 0.003534, max: 0.006584 });
  });

  it('large figures are rounded the same way: 4 significant digits', () => {
    const big: FleetRunResult = {
      ...fleet,
      laptops: fleet.laptops.map((l, i) => ({ ...l, days_worked: 1, radio_bytes: i === 0 ? 12_345_678 : 0.5e6 })),
    };
    const f = computeRunFigures(big, DEFAULT_ENERGY_MODEL.batteryWh);
    expect(f.bandwidth.mb_per_laptop_day).toMatchObject({ p10: 0.5, max: 12.35 });
  });
});
