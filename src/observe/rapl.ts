/**
 * Package energy from Intel RAPL through the powercap sysfs interface
 * (Documentation/power/powercap/powercap.rst): each top-level zone
 * intel-rapl:N is one CPU package, with a cumulative energy_uj counter that
 * wraps at max_energy_range_uj. Absent in most VMs and containers, and
 * readable only by root since Linux 5.10 (CVE-2020-8694): both are reported
 * as unavailable with the reason, never as zero.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnergyReading } from './types.js';

export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';

export interface RaplZoneCounter {
  /** e.g. "intel-rapl:0 (package-0)". */
  readonly zone: string;
  readonly energy_uj: number;
  readonly max_energy_range_uj: number;
}

/** A reading of every package counter at one instant. */
export type RaplSnapshot =
  { readonly kind: 'counters'; readonly zones: readonly RaplZoneCounter[] } | { readonly kind: 'unavailable'; readonly reason: string };

const PACKAGE_ZONE = /^intel-rapl:\d+$/;

export function readPackageEnergy(root: string = DEFAULT_POWERCAP_ROOT): RaplSnapshot {
  let names: string[];
  try {
    names = readdirSync(root)
      .filter((n) => PACKAGE_ZONE.test(n))
      .sort();
  } catch (e) {
    return {
      kind: 'unavailable',
      reason: `${root} cannot be listed (${(e as NodeJS.ErrnoException).code ?? String(e)}): no powercap interface on this machine`,
    };
  }
  if (names.length === 0) return { kind: 'unavailable', reason: `no intel-rapl:N zone under ${root}` };
  const zones: RaplZoneCounter[] = [];
  for (const n of names) {
    const dir = join(root, n);
    let energy: string;
    let range: string;
    let label = '';
    try {
      energy = readFileSync(join(dir, 'energy_uj'), 'utf8').trim();
      range = readFileSync(join(dir, 'max_energy_range_uj'), 'utf8').trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      const hint = code === 'EACCES' ? ' (energy_uj is readable by root only since Linux 5.10)' : '';
      return { kind: 'unavailable', reason: `${dir}/energy_uj unreadable: ${code}${hint}` };
    }
    try {
      label = readFileSync(join(dir, 'name'), 'utf8').trim();
    } catch {
      // The name is only a label; the counter is what matters.
    }
    if (!/^\d+$/.test(energy) || !/^\d+$/.test(range) || Number(range) <= 0) {
      return { kind: 'unavailable', reason: `${dir}: energy_uj "${energy}" / max_energy_range_uj "${range}" are not positive integers` };
    }
    zones.push({ zone: label ? `${n} (${label})` : n, energy_uj: Number(energy), max_energy_range_uj: Number(range) });
  }
  return { kind: 'counters', zones };
}

/**
 * Joules between two snapshots, summed over packages. A counter lower at the
 * end than at the start wrapped once (at max_energy_range_uj); a window long
 * enough to wrap twice (hours at full power) cannot be told apart, so keep
 * windows shorter than that.
 */
export function energyBetween(start: RaplSnapshot, end: RaplSnapshot): EnergyReading {
  if (start.kind === 'unavailable') return start;
  if (end.kind === 'unavailable') return end;
  let uj = 0;
  for (const z of end.zones) {
    const s = start.zones.find((x) => x.zone === z.zone);
    if (s === undefined) return { kind: 'unavailable', reason: `RAPL zone ${z.zone} appeared during the window` };
    uj += z.energy_uj >= s.energy_uj ? z.energy_uj - s.energy_uj : z.max_energy_range_uj - s.energy_uj + z.energy_uj;
  }
  return { kind: 'rapl', joules: uj / 1e6, zone: end.zones.map((z) => z.zone).join(' + ') };
}

/** Starts a measurement window: stop() reads the counters again and returns the joules in between. */
export function startPackageEnergy(root: string = DEFAULT_POWERCAP_ROOT): { stop(): EnergyReading } {
  const start = readPackageEnergy(root);
  return { stop: () => energyBetween(start, readPackageEnergy(root)) };
}
