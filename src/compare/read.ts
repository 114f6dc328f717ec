/**
 * Reads report folders of `fleetsim run`, `fleetsim load` and `fleetsim sweep`
 * into the plain sides compare.ts works on. The only I/O of compare.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import type { FigureSpec, Replica, Side } from './compare.js';
import {
  loadFigures,
  loadUnitFigures,
  RUN_FIGURES,
  runReplica,
  sweepFigures,
  sweepReplica,
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

export function reportKind(folder: string): ReportKind {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`${folder} is not a folder: name the report folder of a fleetsim run, load or sweep`);
  if (existsSync(join(folder, 'laptops.csv'))) return 'run';
  if (existsSync(join(folder, 'replicas.csv'))) return 'sweep';
  if (existsSync(join(folder, 'latency.csv')) || existsSync(join(folder, 'summary.json'))) {
    const s = readJson(join(folder, 'summary.json'));
    if (s && typeof s === 'object' && 'latency' in s && 'throughput' in s) return 'load';
  }
  throw new UsageError(
    `${folder} is not a report folder of fleetsim run (laptops.csv), sweep (replicas.csv) or load (summary.json with latency)`,
  );
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

const num = (x: string | undefined) => (x === undefined || x === '' ? Number.NaN : x === 'true' ? 1 : x === 'false' ? 0 : Number(x));

function readRun(folder: string): { replica: Replica; seed: string } {
  const summary = readJson(join(folder, 'summary.json')) as {
    seed?: string;
    scenario_resolved?: unknown;
    scenarioResolved?: unknown;
  } | null;
  const seed = summary?.seed ?? basename(folder);
  const batteryWh = findNumber(summary?.scenario_resolved ?? summary?.scenarioResolved, 'batteryWh') ?? Number.NaN;
  const rows = readCsv(join(folder, 'laptops.csv'));
  const measuredPath = join(folder, 'laptops-measured.csv');
  const measured = new Map(existsSync(measuredPath) ? readCsv(measuredPath).map((r) => [r.employee_id ?? '', r]) : []);
  const laptops = rows.map((r) => {
    const id = r.employee_id ?? '';
    const all = { ...r, ...(measured.get(id) ?? {}) };
    return { id, row: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, num(v)])) };
  });
  return { replica: runReplica(folder, seed, laptops, batteryWh), seed };
}

function readSweep(folder: string): { replica: Replica; seed: string; figures: FigureSpec[] } {
  const summary = readJson(join(folder, 'summary.json')) as { seed?: string; axes?: { path: string }[] } | null;
  const axes = (summary?.axes ?? []).map((a) => a.path);
  const rows = readCsv(join(folder, 'replicas.csv')) as SweepReplicaRow[];
  return { replica: sweepReplica(folder, rows, axes), seed: summary?.seed ?? basename(folder), figures: sweepFigures(rows, axes) };
}

function readLoad(folder: string): { replica: Replica; figures: FigureSpec[] } {
  const s = readJson(join(folder, 'summary.json')) as LoadSummary;
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
  const kinds = folders.map(reportKind);
  const kind = kinds[0]!;
  const scenarioHashes = folders.map((f) => scenarioHash(f, kind));
  const other = kinds.findIndex((k) => k !== kind);
  if (other >= 0)
    throw new UsageError(
      `${what}: ${folders[0]} is a ${kind} report but ${folders[other]} is a ${kinds[other]} report; compare reports of one kind`,
    );
  if (kind === 'run') {
    const reps = folders.map(readRun);
    return {
      kind,
      folders,
      pairable: true,
      figures: RUN_FIGURES,
      replicas: reps.map((r) => r.replica),
      seeds: reps.map((r) => r.seed),
      scenarioHashes,
    };
  }
  if (kind === 'sweep') {
    const reps = folders.map(readSweep);
    const figures = [...new Map(reps.flatMap((r) => r.figures).map((f) => [f.key, f])).values()];
    return { kind, folders, pairable: true, figures, replicas: reps.map((r) => r.replica), seeds: reps.map((r) => r.seed), scenarioHashes };
  }
  const reps = folders.map(readLoad);
  const figures = [...new Map(reps.flatMap((r) => r.figures).map((f) => [f.key, f])).values()];
  return { kind, folders, pairable: false, figures, replicas: reps.map((r) => r.replica), seeds: [], scenarioHashes };
}

/** The folder names as given, shortened for tables. */
export const shortName = (folder: string) => `${basename(dirname(folder))}/${basename(folder)}`;
