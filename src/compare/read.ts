/**
 * Reads report folders of `fleetsim run`, `fleetsim load` and `fleetsim sweep`
 * into the plain sides compare.ts works on. The only I/O of compare.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { RESULTS_FORMAT } from '../run/index.js';
import { SWEEP_RESULTS_FORMAT } from '../sweep/index.js';
import type { FigureSpec, Replica, Side } from './compare.js';
import {
  loadFigures,
  loadUnitFigures,
  RUN_FIGURES,
  runReplica,
  sweepFigures,
  sweepReplica,
  type LaptopFigures,
  type LoadSummary,
  type ReportKind,
  type SweepReplicaRow,
} from './figures.js';

export interface ReadSide extends Side {
  readonly kind: ReportKind;
  readonly folders: readonly string[];
  readonly figures: readonly FigureSpec[];
  /** Seeds of the replicas (run, sweep), so a report can say whether the sides match. */
  readonly seeds: readonly string[];
  /** Per folder: a hash of what produced it (the resolved scenario; a load's profile and target), for the history store. */
  readonly scenarioHashes: readonly string[];
}

const hashOf = (v: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(v ?? null))
    .digest('hex')
    .slice(0, 16);

/** What produced a report, independent of when it ran and what it measured. */
function scenarioHash(folder: string, kind: ReportKind): string {
  const s = readJson(join(folder, 'summary.json')) as Record<string, unknown> | null;
  if (kind === 'run') return hashOf(s?.scenario_resolved ?? s?.scenarioResolved);
  if (kind === 'sweep') return hashOf([s?.name, s?.mode, s?.seed, s?.employees, s?.days, s?.replicas, s?.axes]);
  return hashOf([s?.profile, s?.mode, s?.target]);
}

const wildcard = /[*?[]/;

function globSegment(pattern: string): RegExp {
  let re = '';
  for (const c of pattern) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

/** Expands `*` and `?` in any path segment (sorted, folders only); a path without wildcards is returned as is. */
export function expandFolders(pattern: string): string[] {
  if (!wildcard.test(pattern)) return [resolve(pattern)];
  const abs = resolve(pattern);
  const parts = abs.split(sep);
  let paths = [isAbsolute(abs) ? sep : ''];
  for (const part of parts.slice(1)) {
    if (!wildcard.test(part)) {
      paths = paths.map((p) => join(p, part));
      continue;
    }
    const re = globSegment(part);
    paths = paths.flatMap((p) => {
      try {
        return readdirSync(p)
          .filter((n) => re.test(n))
          .sort()
          .map((n) => join(p, n));
      } catch {
        return [];
      }
    });
  }
  return paths.filter((p) => existsSync(p) && statSync(p).isDirectory());
}

/** The layouts of results.json compare reads, and the kind of report each belongs to. */
const RESULTS_KINDS: Readonly<Record<string, 'run' | 'sweep'>> = { [RESULTS_FORMAT]: 'run', [SWEEP_RESULTS_FORMAT]: 'sweep' };

/** A run's results.json, in the fields compare reads: each laptop's row as the run computed it. */
interface RunResultsFile {
  readonly seed: string;
  readonly result: { readonly laptops: readonly Readonly<Record<string, unknown>>[] };
}

/** A sweep's results.json: every cell's labels and the figures of each of its replicas. */
interface SweepResultsFile {
  readonly seed: string;
  readonly axes: readonly { readonly path: string }[];
  readonly cells: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly replicas: readonly (Readonly<Record<string, unknown>> & { readonly tvd?: Readonly<Record<string, number | null>> })[];
  }[];
}

/**
 * A report folder as compare found it: its kind and what its per-unit figures
 * are read from. results.json first: every run writes it, and sweeps since it
 * held their replicas, whatever outputs.csv says; the CSVs only in reports
 * written before that (results: null).
 */
type FoundReport =
  | { readonly kind: 'run'; readonly folder: string; readonly results: RunResultsFile | null }
  | { readonly kind: 'sweep'; readonly folder: string; readonly results: SweepResultsFile | null }
  | { readonly kind: 'load'; readonly folder: string; readonly summary: LoadSummary };

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** A folder's entries for a refusal: what the user pointed at, in a few names. */
function contents(folder: string): string {
  const names = readdirSync(folder).sort();
  if (names.length === 0) return 'it is empty';
  const shown = names.slice(0, 6).join(', ');
  return `it holds ${shown}${names.length > 6 ? ` and ${names.length - 6} more` : ''}`;
}

/** results.json checked in the fields compare relies on, so a damaged or foreign file is named as such, not read as figures. */
function readResults(
  path: string,
): { readonly kind: 'run'; readonly results: RunResultsFile } | { readonly kind: 'sweep'; readonly results: SweepResultsFile } {
  const data = readJson(path);
  const expected = `fleetsim compare reads ${RESULTS_FORMAT} (run) and ${SWEEP_RESULTS_FORMAT} (sweep)`;
  const notOurs = (what: string): never => {
    throw new UsageError(`${path} is not a fleetsim results file: ${what} (${expected})`);
  };
  if (!isObject(data)) return notOurs('not a JSON object');
  if (typeof data.format !== 'string') return notOurs('it has no "format"');
  const kind = RESULTS_KINDS[data.format];
  if (!kind) throw new UsageError(`${path} is format ${JSON.stringify(data.format)}; ${expected}`);
  if (typeof data.seed !== 'string') return notOurs('"seed" is not a text');
  if (kind === 'run') {
    const result = data.result;
    if (!isObject(result)) return notOurs('"result" is not an object');
    if (!Array.isArray(result.laptops) || !result.laptops.every((l) => isObject(l) && typeof l.employee_id === 'string'))
      return notOurs('"result.laptops" is not a list of laptops');
    return { kind, results: data as unknown as RunResultsFile };
  }
  if (!Array.isArray(data.axes) || !data.axes.every((a) => isObject(a) && typeof a.path === 'string'))
    return notOurs('"axes" is not a list of axes');
  if (
    !Array.isArray(data.cells) ||
    !data.cells.every(
      (c) =>
        isObject(c) &&
        isObject(c.labels) &&
        Array.isArray(c.replicas) &&
        c.replicas.every((x) => isObject(x) && typeof x.seed === 'string'),
    )
  )
    return notOurs('"cells" is not a list of cells with their replicas');
  return { kind, results: data as unknown as SweepResultsFile };
}

function findReport(folder: string): FoundReport {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${folder} is not a folder: name the report folder of a fleetsim run, load or sweep`);
  const results = join(folder, 'results.json');
  if (existsSync(results)) return { folder, ...readResults(results) };
  if (existsSync(join(folder, 'laptops.csv'))) return { kind: 'run', folder, results: null };
  if (existsSync(join(folder, 'replicas.csv'))) return { kind: 'sweep', folder, results: null };
  const s = readJson(join(folder, 'summary.json'));
  if (isObject(s) && 'latency' in s && 'throughput' in s) return { kind: 'load', folder, summary: s as unknown as LoadSummary };
  // A run's or sweep's summary alone: the report, less the file that holds each unit's figures.
  const format = isObject(s) && typeof s.format === 'string' ? s.format : '';
  if (format.startsWith('fleetsim-run-summary/') || (isObject(s) && ('scenario_resolved' in s || 'scenarioResolved' in s)))
    throw new UsageError(
      `${folder} is a fleetsim run report without results.json or laptops.csv: compare reads each laptop's figures from one of them (every run writes results.json; copy the whole report folder, or run it again)`,
    );
  if (format.startsWith('fleetsim-sweep-summary/'))
    throw new UsageError(
      `${folder} is a fleetsim sweep report without results.json or replicas.csv: compare reads each replica's figures from one of them (sweeps write results.json since this version; run it again)`,
    );
  throw new UsageError(
    `${folder} is not a report folder of fleetsim run or sweep (results.json; laptops.csv or replicas.csv from versions before it) or of fleetsim load (summary.json with latency and throughput); ${contents(folder)}`,
  );
}

export function reportKind(folder: string): ReportKind {
  return findReport(folder).kind;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function readCsv(path: string): Record<string, string>[] {
  try {
    return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (err) {
    throw new UsageError(`${path} could not be read as CSV: ${(err as Error).message}`);
  }
}

/** Finds a key anywhere in a JSON value (batteryWh sits in the resolved scenario's energy model). */
function findNumber(v: unknown, key: string): number | null {
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    if (k === key && typeof x === 'number') return x;
    const inner = findNumber(x, key);
    if (inner !== null) return inner;
  }
  return null;
}

/** A CSV cell as a number: empty is "no value" (NaN), booleans 1 and 0. */
const num = (x: string | undefined) => (x === undefined || x === '' ? Number.NaN : x === 'true' ? 1 : x === 'false' ? 0 : Number(x));

/** A results.json laptop as the numbers of its CSV row would read: null is "no value" (NaN), booleans 1 and 0; text left out. */
function laptopNumbers(l: Readonly<Record<string, unknown>>): LaptopFigures {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(l))
    if (typeof v === 'number') out[k] = v;
    else if (typeof v === 'boolean') out[k] = v ? 1 : 0;
    else if (v === null) out[k] = Number.NaN;
  return out;
}

/** laptops.csv joined with laptops-measured.csv, the layout of reports without results.json. */
function csvLaptops(folder: string): { id: string; row: LaptopFigures }[] {
  const rows = readCsv(join(folder, 'laptops.csv'));
  const measuredPath = join(folder, 'laptops-measured.csv');
  const measured = new Map(existsSync(measuredPath) ? readCsv(measuredPath).map((r) => [r.employee_id ?? '', r]) : []);
  return rows.map((r) => {
    const id = r.employee_id ?? '';
    const all = { ...r, ...(measured.get(id) ?? {}) };
    return { id, row: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, num(v)])) };
  });
}

function readRun(folder: string, results: RunResultsFile | null): { replica: Replica; seed: string } {
  const summary = readJson(join(folder, 'summary.json')) as {
    seed?: string;
    scenario_resolved?: unknown;
    scenarioResolved?: unknown;
  } | null;
  const seed = results?.seed ?? summary?.seed ?? basename(folder);
  const batteryWh = findNumber(summary?.scenario_resolved ?? summary?.scenarioResolved, 'batteryWh') ?? Number.NaN;
  const laptops = results
    ? results.result.laptops.map((l) => ({ id: l.employee_id as string, row: laptopNumbers(l) }))
    : csvLaptops(folder);
  return { replica: runReplica(folder, seed, laptops, batteryWh), seed };
}

/** A sweep's results.json as rows of replicas.csv: axis labels, replica, seed and figures (TVDs as tvd_<dimension>). */
function sweepRows(results: SweepResultsFile): SweepReplicaRow[] {
  return results.cells.flatMap((c) =>
    c.replicas.map((x): SweepReplicaRow => {
      const row: Record<string, string | number | null> = { ...c.labels };
      for (const [k, v] of Object.entries(x)) if (typeof v === 'number' || typeof v === 'string' || v === null) row[k] = v;
      for (const [d, v] of Object.entries(x.tvd ?? {})) row[`tvd_${d}`] = v;
      return row;
    }),
  );
}

function readSweep(folder: string, results: SweepResultsFile | null): { replica: Replica; seed: string; figures: FigureSpec[] } {
  const summary = readJson(join(folder, 'summary.json')) as { seed?: string; axes?: { path: string }[] } | null;
  const axes = (results?.axes ?? summary?.axes ?? []).map((a) => a.path);
  const rows: readonly SweepReplicaRow[] = results ? sweepRows(results) : readCsv(join(folder, 'replicas.csv'));
  return {
    replica: sweepReplica(folder, rows, axes),
    seed: results?.seed ?? summary?.seed ?? basename(folder),
    figures: sweepFigures(rows, axes),
  };
}

function readLoad(folder: string, s: LoadSummary): { replica: Replica; figures: FigureSpec[] } {
  // The folder is the unit: a load report keeps percentiles, not each request.
  return { replica: { name: folder, units: new Map([[`load:${folder}`, loadUnitFigures(s)]]) }, figures: loadFigures(s) };
}

/** Reads one side: folders (or globs) of one kind of report. */
export function readSide(patterns: readonly string[], what: string): ReadSide {
  const folders = patterns.flatMap((p) => {
    const found = expandFolders(p);
    if (found.length === 0) throw new UsageError(`${what}: "${p}" matches no folder`);
    return found;
  });
  if (folders.length === 0) throw new UsageError(`${what}: name at least one report folder`);
  // A folder named twice (or matched by two globs; folders are resolved paths) would count as two replicas that agree perfectly.
  const twice = folders.find((f, i) => folders.indexOf(f) !== i);
  if (twice !== undefined)
    throw new UsageError(`${what}: ${twice} is named twice: name each replica folder once, or it counts as two replicas`);
  const reports = folders.map(findReport);
  const kind = reports[0]!.kind;
  const other = reports.findIndex((r) => r.kind !== kind);
  if (other >= 0)
    throw new UsageError(
      `${what}: ${folders[0]} is a ${kind} report but ${folders[other]} is a ${reports[other]!.kind} report; compare reports of one kind`,
    );
  const scenarioHashes = folders.map((f) => scenarioHash(f, kind));
  const runs = reports.flatMap((r) => (r.kind === 'run' ? [readRun(r.folder, r.results)] : []));
  if (kind === 'run')
    return {
      kind,
      folders,
      pairable: true,
      figures: RUN_FIGURES,
      replicas: runs.map((r) => r.replica),
      seeds: runs.map((r) => r.seed),
      scenarioHashes,
    };
  const sweeps = reports.flatMap((r) => (r.kind === 'sweep' ? [readSweep(r.folder, r.results)] : []));
  if (kind === 'sweep') {
    const figures = [...new Map(sweeps.flatMap((r) => r.figures).map((f) => [f.key, f])).values()];
    return {
      kind,
      folders,
      pairable: true,
      figures,
      replicas: sweeps.map((r) => r.replica),
      seeds: sweeps.map((r) => r.seed),
      scenarioHashes,
    };
  }
  const loads = reports.flatMap((r) => (r.kind === 'load' ? [readLoad(r.folder, r.summary)] : []));
  const figures = [...new Map(loads.flatMap((r) => r.figures).map((f) => [f.key, f])).values()];
  return { kind, folders, pairable: false, figures, replicas: loads.map((r) => r.replica), seeds: [], scenarioHashes };
}

/** The folder names as given, shortened for tables. */
export const shortName = (folder: string) => `${basename(dirname(folder))}/${basename(folder)}`;
