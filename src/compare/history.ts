/**
 * The history store (`--history FILE`, SQLite): each compared candidate
 * replica appended with its git revision and scenario hash, so a later
 * comparison can take `--baseline history:last-10` as a rolling baseline.
 */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import type { Replica } from './compare.js';
import type { ReportKind } from './figures.js';

export interface HistoryEntry {
  readonly kind: ReportKind;
  readonly scenarioHash: string;
  readonly gitRev: string | null;
  readonly replica: Replica;
}

export interface HistoryRun {
  readonly id: number;
  readonly recordedAt: string;
  readonly gitRev: string | null;
  readonly replica: Replica;
}

export interface HistoryStore {
  append(e: HistoryEntry, recordedAt: string): number;
  /** The newest n runs of this kind and scenario, oldest first. */
  last(kind: ReportKind, scenarioHash: string, n: number): HistoryRun[];
  close(): void;
}

export function openHistory(file: string): HistoryStore {
  let db: Database.Database;
  try {
    db = new Database(file);
    db.exec(`CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, git_rev TEXT, scenario_hash TEXT NOT NULL, kind TEXT NOT NULL, folder TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS runs_scenario ON runs (kind, scenario_hash, id);
      CREATE TABLE IF NOT EXISTS figures (run_id INTEGER NOT NULL REFERENCES runs(id), unit TEXT NOT NULL, figure TEXT NOT NULL, value REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS figures_run ON figures (run_id);`);
  } catch (err) {
    throw new UsageError(`--history ${file}: cannot open it as a SQLite history store: ${(err as Error).message}`);
  }
  const insertRun = db.prepare('INSERT INTO runs (recorded_at, git_rev, scenario_hash, kind, folder) VALUES (?, ?, ?, ?, ?)');
  const insertFigure = db.prepare('INSERT INTO figures (run_id, unit, figure, value) VALUES (?, ?, ?, ?)');
  const selectRuns = db.prepare(
    'SELECT id, recorded_at, git_rev, folder FROM runs WHERE kind = ? AND scenario_hash = ? ORDER BY id DESC LIMIT ?',
  );
  const selectFigures = db.prepare('SELECT unit, figure, value FROM figures WHERE run_id = ?');
  const append = db.transaction((e: HistoryEntry, at: string): number => {
    const id = Number(insertRun.run(at, e.gitRev, e.scenarioHash, e.kind, e.replica.name).lastInsertRowid);
    for (const [unit, figures] of e.replica.units)
      for (const [figure, value] of Object.entries(figures)) if (Number.isFinite(value)) insertFigure.run(id, unit, figure, value);
    return id;
  });
  return {
    append: (e, at) => append(e, at),
    last(kind, hash, n) {
      const rows = selectRuns.all(kind, hash, n) as { id: number; recorded_at: string; git_rev: string | null; folder: string }[];
      return rows.reverse().map((r) => {
        const units = new Map<string, Record<string, number>>();
        for (const f of selectFigures.all(r.id) as { unit: string; figure: string; value: number }[]) {
          const u = units.get(f.unit) ?? {};
          u[f.figure] = f.value;
          units.set(f.unit, u);
        }
        return { id: r.id, recordedAt: r.recorded_at, gitRev: r.git_rev, replica: { name: `history:${r.id} (${r.folder})`, units } };
      });
    },
    close: () => db.close(),
  };
}

/** `history:last-10` → 10; null when the argument is not a history reference. */
export function historyCount(arg: string): number | null {
  if (!arg.startsWith('history:')) return null;
  const m = /^history:last-(\d{1,4})$/.exec(arg);
  if (!m || Number(m[1]) < 1)
    throw new UsageError(`--baseline ${arg}: expected history:last-N with N from 1 to 9999, e.g. history:last-10`);
  return Number(m[1]);
}

/** The git revision of the working directory (FLEETSIM_GIT_REV wins, for CI checkouts without .git); null outside a repository. */
export function gitRevision(cwd = process.cwd()): string | null {
  if (process.env.FLEETSIM_GIT_REV) return process.env.FLEETSIM_GIT_REV;
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim() ||
      null
    );
  } catch {
    return null;
  }
}
