/**
 * The sweep grid: the Cartesian product of a scenario's sweep axes, each cell
 * the base scenario with one value per axis set. Pure: no I/O.
 */
import { UsageError } from '../errors.js';
import type { Scenario, SweepAxis } from '../scenario/index.js';

/** One grid point: the values it sets, and the scenario it runs. */
export interface SweepCell {
  /** 0-based position in the grid (axes in file order, the last axis varying fastest). */
  readonly index: number;
  /** Value per axis path, as the scenario gives it (what `--json` prints). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Short text per axis path (a label the file gives, or the value written compactly). */
  readonly labels: Readonly<Record<string, string>>;
  readonly scenario: Scenario;
}

/** Replica r's seed: the same for every cell (common random numbers), so cells differ by their rules, not by noise. */
export function replicaSeed(seed: string, replica: number): string {
  return `${seed}/replica-${replica}`;
}

export function valueLabel(axis: SweepAxis, i: number): string {
  const given = axis.labels?.[i];
  if (given !== undefined) return given;
  const v = axis.values[i];
  if (v === null) return 'none';
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
      .join(' ');
  }
  return String(v);
}

/** The scenario with one sweep value applied. Only paths the scenario schema's sweep section can name are accepted. */
export function applyAxisValue(s: Scenario, path: string, value: unknown): Scenario {
  const parts = path.split('.');
  if (parts[0] === 'policy' && parts.length === 2) {
    return { ...s, rules: { ...s.rules, [parts[1]!]: value } };
  }
  if (parts[0] === 'fleet' && parts[1] === 'pause' && parts.length === 3) {
    return { ...s, population: { ...s.population, pause: { ...s.population.pause, [parts[2]!]: value } } };
  }
  if (path === 'fleet.exemptionRequestShare') {
    return { ...s, population: { ...s.population, exemptionRequestShare: value as number } };
  }
  if (path === 'agent') return { ...s, agent: value as Scenario['agent'] };
  throw new UsageError(
    `sweep axis ${JSON.stringify(path)} is not supported: sweep policy.*, fleet.pause.*, fleet.exemptionRequestShare or agents`,
  );
}

/** Every cell of the scenario's sweep (one cell, the scenario itself, when it has no sweep section or no axes). */
export function expandGrid(s: Scenario): SweepCell[] {
  const axes = s.sweep?.axes ?? [];
  const cells: SweepCell[] = [];
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  for (let index = 0; index < total; index++) {
    let rest = index;
    const pick: number[] = new Array(axes.length);
    for (let k = axes.length - 1; k >= 0; k--) {
      const n = axes[k]!.values.length;
      pick[k] = rest % n;
      rest = Math.floor(rest / n);
    }
    let scenario = s;
    const values: Record<string, unknown> = {};
    const labels: Record<string, string> = {};
    axes.forEach((axis, k) => {
      const i = pick[k]!;
      scenario = applyAxisValue(scenario, axis.path, axis.values[i]);
      values[axis.path] = axis.labels?.[i] ?? axis.values[i];
      labels[axis.path] = valueLabel(axis, i);
    });
    cells.push({ index, values, labels, scenario });
  }
  return cells;
}
