import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENERGY_MODEL, estimateEnergy } from '../../src/metrics/energy.js';
import { energyBetween, measuredBattery, readPackageEnergy, startPackageEnergy, type ProcessObservation } from '../../src/observe/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-powercap-'));
  dirs.push(d);
  return d;
}
function zone(root: string, name: string, energy: string, range = '262143328850', label = 'package-0'): void {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'energy_uj'), `${energy}\n`);
  writeFileSync(join(root, name, 'max_energy_range_uj'), `${range}\n`);
  writeFileSync(join(root, name, 'name'), `${label}\n`);
}

describe('RAPL package energy', () => {
  it('is unavailable, with the reason, where the powercap directory is absent or holds no package zone', () => {
    const missing = readPackageEnergy('/nonexistent/powercap');
    expect(missing.kind).toBe('unavailable');
    expect(missing.kind === 'unavailable' && missing.reason).toMatch(/\/nonexistent\/powercap cannot be listed \(ENOENT\)/);
    const root = tempRoot();
    mkdirSync(join(root, 'dtpm'));
    const empty = startPackageEnergy(root).stop();
    expect(empty).toEqual({ kind: 'unavailable', reason: `no intel-rapl:N zone under ${root}` });
  });

  it('is unavailable where a counter is not a number', () => {
    const root = tempRoot();
    zone(root, 'intel-rapl:0', 'n/a');
    const r = readPackageEnergy(root);
    expect(r.kind === 'unavailable' && r.reason).toMatch(/not positive integers/);
  });

  it('sums package zones, skips sub-zones, and unwraps a counter that wrapped', () => {
    const root = tempRoot();
    zone(root, 'intel-rapl:0', '1000000', '5000000');
    zone(root, 'intel-rapl:1', '4500000', '5000000', 'package-1');
    zone(root, 'intel-rapl:0:0', '7', '5000000', 'core');
    const start = readPackageEnergy(root);
    zone(root, 'intel-rapl:0', '3500000', '5000000');
    zone(root, 'intel-rapl:1', '500000', '5000000', 'package-1');
    const r = energyBetween(start, readPackageEnergy(root));
    // 2.5 J on package 0; package 1 wrapped: 0.5 J to the top and 0.5 J after.
    expect(r).toEqual({ kind: 'rapl', joules: 3.5, zone: 'intel-rapl:0 (package-0) + intel-rapl:1 (package-1)' });
  });

  it('on this machine: reports what /sys/class/powercap offers, never a made-up zero', () => {
    const r = startPackageEnergy().stop();
    if (r.kind === 'rapl') expect(r.joules).toBeGreaterThanOrEqual(0);
    else expect(r.reason.length).toBeGreaterThan(10);
  });
});

describe('measuredBattery', () => {
  const obs: ProcessObservation = {
    wall_ms: 600_000,
    cpu_user_s: 0.2,
    cpu_system_s: 0.1,
    voluntary_switches: 1200,
    involuntary_switches: 40,
    minor_faults: 300,
    major_faults: 0,
    rss_peak_bytes: 5e7,
    pss_peak_bytes: 1e7,
    threads_peak: 7,
    processes_seen: 1,
    samples: 2401,
  };
  it('scales a 10-minute window to an 8-hour day through the energy model', () => {
    const m = measuredBattery({ observation: obs, radio_bytes: 20_000, transmissions: 2, active_minutes: 8 });
    const e = estimateEnergy({ cpuSeconds: 0.3, wakeups: 1200, radioBytes: 20_000, transmissions: 2 }, DEFAULT_ENERGY_MODEL);
    expect(m.cpu_seconds_per_laptop_hour).toBeCloseTo(1.8, 9);
    expect(m.wakeups_per_active_minute).toBe(150);
    expect(m.day_factor).toBeCloseTo(48, 9);
    expect(m.energy_j_per_day).toBeCloseTo(e.joules * 48, 9);
    expect(m.battery_pct_per_day).toBeCloseTo(e.batteryPct * 48, 9);
  });
  it('scales by active minutes when asked', () => {
    const m = measuredBattery(
      { observation: obs, radio_bytes: 0, transmissions: 0, active_minutes: 8 },
      { kind: 'active_minutes', active_minutes_per_day: 240 },
    );
    expect(m.day_factor).toBe(30);
  });
  it('refuses an empty window, negative bytes and a scale out of range', () => {
    expect(() => measuredBattery({ observation: { ...obs, wall_ms: 0 }, radio_bytes: 0, transmissions: 0, active_minutes: 0 })).toThrow(
      /window is 0 ms long/,
    );
    expect(() => measuredBattery({ observation: obs, radio_bytes: -1, transmissions: 0, active_minutes: 0 })).toThrow(
      /radio_bytes must be a finite number >= 0, got -1/,
    );
    expect(() =>
      measuredBattery({ observation: obs, radio_bytes: 0, transmissions: 0, active_minutes: 1 }, { kind: 'work_hours', hours_per_day: 25 }),
    ).toThrow(/hours_per_day must be in \(0, 24\], got 25/);
    expect(() =>
      measuredBattery(
        { observation: obs, radio_bytes: 0, transmissions: 0, active_minutes: 0 },
        { kind: 'active_minutes', active_minutes_per_day: 300 },
      ),
    ).toThrow(/at least one active minute/);
  });
});
