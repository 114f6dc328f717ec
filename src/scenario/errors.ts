import { EXIT_CODES, FleetsimError } from '../errors.js';

/** What kind of mistake an issue is; stable, for tests and tools. */
export type ScenarioIssueKind =
  | 'file' // the file could not be read
  | 'syntax' // YAML/JSON syntax, duplicate keys, aliases
  | 'empty' // no content at all
  | 'unknown_field'
  | 'required'
  | 'type'
  | 'range'
  | 'enum'
  | 'threshold'
  | 'invalid';

/** One problem in a scenario file, located as precisely as the file allows. */
export interface ScenarioIssue {
  readonly kind: ScenarioIssueKind;
  readonly file: string;
  /** The command-line flag that set the value (`--set fleet.employees=0`, `--days 0`), when the file did not. */
  readonly flag?: string;
  /** 1-based; 0 when the issue has no position (a missing file, a value not read from text). */
  readonly line: number;
  readonly column: number;
  /** Field path, dotted with [i] for list items ("policy.pauseCapMinutes", "faults[1].at"); '' for the whole file. */
  readonly path: string;
  /** The full sentence: what is wrong, what is allowed, what was given. */
  readonly message: string;
  /** The offending value as written (rendered), when there is one. */
  readonly given?: string;
  /** What would have been accepted. */
  readonly allowed?: string;
}

/**
 * `scenarios/x.yaml:12:5 policy.pauseCapMinutes: must be a number from 1 to 1440, got -5`;
 * `--set policy.pauseCapMinutes=-5: …`, `--days 0 (simulation.days): …` when a flag set it.
 */
export function formatIssue(i: ScenarioIssue): string {
  if (i.flag !== undefined)
    return i.path && !i.flag.includes(` ${i.path}=`) ? `${i.flag} (${i.path}): ${i.message}` : `${i.flag}: ${i.message}`;
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return i.path ? `${where} ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

/** Issues in reading order: by file, then line, then column. */
export function sortIssues(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  return [...issues].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/** An invalid scenario: every issue found, not just the first. Exit code 2 (bad input). */
export class ScenarioError extends FleetsimError {
  override readonly name = 'ScenarioError';
  readonly issues: readonly ScenarioIssue[];
  constructor(issues: readonly ScenarioIssue[]) {
    // One problem can break several checks that share a sentence (a whole number beyond 2^53 breaks zod's
    // safe-integer range and the field's maximum): a reader counts problems, so each is listed once.
    const seen = new Set<string>();
    const sorted = sortIssues(issues).filter((i) => {
      const key = `${i.file}\n${i.flag ?? ''}\n${i.line}:${i.column}\n${i.path}\n${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const files = [...new Set(sorted.map((i) => i.file))];
    const head =
      sorted.length === 1 ? `invalid scenario ${files.join(', ')}:` : `invalid scenario ${files.join(', ')} (${sorted.length} problems):`;
    super('SCENARIO_INVALID', `${head}\n${sorted.map((i) => `  ${formatIssue(i)}`).join('\n')}`, EXIT_CODES.badInput);
    this.issues = sorted;
  }
}

/** Renders a value as the file's author would recognise it, short. */
export function renderGiven(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : `the timestamp ${v.toISOString()}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}
