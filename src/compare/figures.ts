/**
 * What is compared for each kind of report folder, and how a folder's plain
 * data becomes per-unit figures. Pure: the I/O lives in read.ts.
 *
 * - run: one unit per laptop (seed/employee id), pairable across sides when the
 *   seed and fleet match; figures per laptop.
 * - load: one unit per replica folder (the reports keep percentiles, not
 *   per-request latencies), never paired: the distribution compared is that of
 *   the replicas' summary figures.
 * - sweep: per cell (matched by its labels), one unit per replica seed, paired
 *   when both sweeps ran the same replica seeds.
 */
import type { FigureSpec, Replica } from './compare.js';

export type ReportKind = 'run' | 'load' | 'sweep';

const FATES = ['stored', 'redacted', 'coalesced', 'dropped_paused', 'dropped_exempt', 'spooled', 'lost'] as const;

export const RUN_FIGURES: readonly FigureSpec[] = [
  { key: 'bandwidth.mb_per_laptop_day', alias: 'bytes', label: 'MB uploaded per laptop-day', unit: 'MB', better: 'lower' },
  { key: 'battery.cpu_s_per_hour', alias: 'cpu', label: 'agent CPU s per laptop-hour', unit: 's', better: 'lower', measured: true },
  { key: 'battery.wakeups_per_min', alias: 'wakeups', label: 'wake-ups per active minute', unit: '/min', better: 'lower' },
  { key: 'battery.wh_per_day', alias: 'energy', label: 'energy per laptop-day', unit: 'Wh', better: 'lower', measured: true },
  { key: 'battery.pct_per_day', alias: 'battery', label: '% of battery per laptop-day', unit: '%', better: 'lower', measured: true },
  // Per acknowledged event, each laptop's own percentile: the price of batching longer.
  { key: 'freshness.p50_s', alias: 'freshness', label: 'freshness p50 (s from input to acknowledged upload)', unit: 's', better: 'lower' },
  {
    key: 'freshness.p95_s',
    alias: 'freshness.p95',
    label: 'freshness p95 (s from input to acknowledged upload)',
    unit: 's',
    better: 'lower',
  },
  { key: 'yield.captured', alias: 'yield', label: 'captured share of produced events', unit: '', better: 'higher' },
  ...FATES.map((f): FigureSpec => ({
    key: `ledger.${f}_share`,
    alias: f,
    label: `share of events ${f.replace('_', ' ')}`,
    unit: '',
    better: f === 'lost' || f === 'spooled' ? 'lower' : 'either',
  })),
];

/** A laptop row of laptops.csv joined with laptops-measured.csv, numbers parsed. */
export type LaptopFigures = Readonly<Record<string, number>>;

const ratio = (x: number, y: number) => (y > 0 ? x / y : Number.NaN);

export function runUnitFigures(row: LaptopFigures, batteryWh: number): Record<string, number> {
  const r = (k: string) => row[k] ?? Number.NaN;
  const produced = r('produced');
  const worked = r('days_worked');
  const out: Record<string, number> = {
    'bandwidth.mb_per_laptop_day': ratio(r('radio_bytes') / 1e6, worked),
    'battery.cpu_s_per_hour': ratio(r('agent_cpu_seconds'), r('work_hours')),
    'battery.wakeups_per_min': ratio(r('wakeups'), r('active_minutes')),
    'battery.pct_per_day': worked > 0 ? r('battery_pct_per_day') : Number.NaN,
    'battery.wh_per_day': worked > 0 ? (r('battery_pct_per_day') / 100) * batteryWh : Number.NaN,
    'freshness.p50_s': r('freshness_p50_s'),
    'freshness.p95_s': r('freshness_p95_s'),
    'yield.captured': ratio(produced - r('dropped_paused') - r('dropped_exempt') - r('lost') - r('spooled'), produced),
  };
  for (const f of FATES) out[`ledger.${f}_share`] = ratio(r(f), produced);
  return out;
}

/** A run folder's laptops, keyed by seed and employee id: equal keys are the same laptop with the same people and input. */
export function runReplica(
  name: string,
  seed: string,
  laptops: readonly { readonly id: string; readonly row: LaptopFigures }[],
  batteryWh: number,
): Replica {
  return { name, units: new Map(laptops.map((l) => [`${seed}/${l.id}`, runUnitFigures(l.row, batteryWh)])) };
}

/** The figures a load summary.json offers: latency per request type, error rate, throughput, the ramp's knee. */
export interface LoadSummary {
  readonly latency: Readonly<
    Record<string, { readonly p50_ms: number | null; readonly p99_ms: number | null; readonly p999_ms: number | null }>
  >;
  readonly errors: { readonly rate: number };
  readonly throughput: Readonly<Record<string, number>>;
  readonly ramp?: { readonly knee_rate_per_s: number | null } | null;
}

export function loadFigures(s: LoadSummary): FigureSpec[] {
  const out: FigureSpec[] = [];
  for (const type of Object.keys(s.latency).sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b))))
    for (const [p, name] of [
      ['p50_ms', 'p50'],
      ['p99_ms', 'p99'],
      ['p999_ms', 'p99.9'],
    ] as const)
      out.push({
        key: `latency.${type}.${p}`,
        alias: `${type === 'all' ? '' : `${type}.`}${name === 'p99.9' ? 'p999' : name}`,
        label: `${type} latency ${name}`,
        unit: 'ms',
        better: 'lower',
        measured: true,
      });
  out.push({ key: 'errors.rate', alias: 'errors', label: 'error rate', unit: '', better: 'lower', measured: true });
  for (const k of Object.keys(s.throughput).sort())
    out.push({ key: `throughput.${k}`, alias: k, label: `throughput ${k.replace(/_/g, ' ')}`, unit: '', better: 'higher', measured: true });
  if (s.ramp)
    out.push({ key: 'ramp.knee_rate_per_s', alias: 'knee', label: 'throughput at the knee', unit: '/s', better: 'higher', measured: true });
  return out;
}

export function loadUnitFigures(s: LoadSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, l] of Object.entries(s.latency)) {
    out[`latency.${type}.p50_ms`] = l.p50_ms ?? Number.NaN;
    out[`latency.${type}.p99_ms`] = l.p99_ms ?? Number.NaN;
    out[`latency.${type}.p999_ms`] = l.p999_ms ?? Number.NaN;
  }
  out['errors.rate'] = s.errors.rate;
  for (const [k, v] of Object.entries(s.throughput)) out[`throughput.${k}`] = v;
  if (s.ramp) out['ramp.knee_rate_per_s'] = s.ramp.knee_rate_per_s ?? Number.NaN;
  return out;
}

/**
 * One replica of one sweep cell: its axis labels (keyed by axis path), replica, seed and figures.
 * A row of replicas.csv (every value text) or one built from results.json (numbers, null where a figure has no data).
 */
export type SweepReplicaRow = Readonly<Record<string, string | number | null>>;

/** A figure a row holds: neither missing nor an empty CSV cell nor JSON null. */
const hasValue = (v: string | number | null | undefined): v is string | number => v !== undefined && v !== null && v !== '';

const SWEEP_FIGURES = [
  { name: 'yield', label: 'yield', better: 'higher' },
  { name: 'exempt_share', label: 'exempt share', better: 'lower' },
  { name: 'captured_active_hours_per_employee', label: 'captured active hours per employee', better: 'higher' },
  // Representativeness: total variation distance of the captured mix from the produced one, 0 = unbiased.
  { name: 'tvd_department', label: 'bias by department (TVD)', better: 'lower' },
  { name: 'tvd_local_hour', label: 'bias by local hour (TVD)', better: 'lower' },
] as const;

/** Cell name from its axis labels, so two sweeps of the same grid match cell for cell. */
export function sweepCellName(row: SweepReplicaRow, axes: readonly string[]): string {
  return axes.map((a) => `${a}=${row[a] ?? ''}`).join(' · ');
}

export function sweepFigures(rows: readonly SweepReplicaRow[], axes: readonly string[]): FigureSpec[] {
  const cells = [...new Set(rows.map((r) => sweepCellName(r, axes)))];
  const present = SWEEP_FIGURES.filter((f) => rows.some((r) => hasValue(r[f.name])));
  return cells.flatMap((cell, i) =>
    present.map((f): FigureSpec => ({
      key: `cell[${cell}].${f.name}`,
      alias: `cell${i}.${f.name}`,
      label: `${f.label} — ${cell}`,
      unit: '',
      better: f.better,
    })),
  );
}

export function sweepReplica(name: string, rows: readonly SweepReplicaRow[], axes: readonly string[]): Replica {
  const units = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const id = String(r.seed ?? r.replica ?? '');
    const u = units.get(id) ?? {};
    for (const f of SWEEP_FIGURES) {
      const v = r[f.name];
      if (hasValue(v)) u[`cell[${sweepCellName(r, axes)}].${f.name}`] = Number(v);
    }
    units.set(id, u);
  }
  return { name, units };
}
