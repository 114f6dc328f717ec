/**
 * The CLI kit: the flags several commands share, their value parsers, the
 * report folder every run owns, and the one way a command ends (print the
 * result as text or JSON, then exit 1 when thresholds failed). A command file
 * is flags → options → one library call → present.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_CODES, FleetsimError, RunError, UsageError } from '../errors.js';
import { defaultWorkerCount } from '../pool/index.js';
import { describeFailedThresholds, flagOverride, parseSetFlag, type ScenarioOverride, type ThresholdVerdict } from '../scenario/index.js';
import { wholeNumberText } from '../ranges.js';
import { folderTimestamp, wholeNumber } from './options.js';

/** Descriptions of the shared flags a command takes; a flag not named is not added. */
export interface SharedFlags {
  readonly workers?: string;
  /** What --out holds and its default, e.g. "Report folder [default: <outputs.dir>/<name>-<time>-<id>]". */
  readonly out?: string;
  readonly json?: string;
  readonly quiet?: string;
  readonly fleetSecret?: string;
}

export function withSharedFlags<T>(y: Argv<T>, f: SharedFlags): Argv<T> {
  let a = y;
  if (f.workers !== undefined) a = a.option('workers', { alias: 'w', default: defaultWorkerCount(), describe: f.workers }) as Argv<T>;
  if (f.out !== undefined) {
    a = a.option('out', { alias: 'o', type: 'string', describe: f.out }).option('overwrite', {
      type: 'boolean',
      default: false,
      describe:
        'Write into an --out folder that already holds files (otherwise refused, so no run overwrites another): first removes what a fleetsim command wrote there (its reports, its database, interrupted.json, its configurations/, agents/, corpus/ and full-path/ folders); other files stay',
    }) as Argv<T>;
  }
  if (f.json !== undefined) a = a.option('json', { type: 'boolean', default: false, describe: f.json }) as Argv<T>;
  if (f.quiet !== undefined) a = a.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: f.quiet }) as Argv<T>;
  if (f.fleetSecret !== undefined)
    a = a.option('fleet-secret', { type: 'string', describe: `${f.fleetSecret} [default: $FLEETSIM_FLEET_SECRET]` }) as Argv<T>;
  return a;
}

/**
 * Flags that change the scenario's own fields: `--set path=value`
 * (repeatable) and, with `sizes`, `--employees`/`--days` for its two
 * commonest. Their values are judged by the scenario schema, as if written in
 * the file, before any work.
 */
export function withScenarioFlags<T>(y: Argv<T>, o: { readonly sizes: boolean }): Argv<T> {
  let a = y.option('set', {
    type: 'string',
    describe:
      'Set any scenario field, as path=value with the value in YAML (repeatable): --set fleet.employees=500 --set policy.pauseCapMinutes=15',
  }) as Argv<T>;
  if (o.sizes) {
    a = a
      .option('employees', { alias: 'n', type: 'string', describe: 'Employees (laptops) in the fleet [default: fleet.employees]' })
      .option('days', { type: 'string', describe: 'Simulated days [default: simulation.days]' }) as Argv<T>;
  }
  return a;
}

/** The scenario fields the flags of withScenarioFlags set, in the order they apply. */
export function scenarioOverrides(argv: {
  readonly set?: unknown;
  readonly employees?: unknown;
  readonly days?: unknown;
}): ScenarioOverride[] {
  const sets = argv.set === undefined ? [] : Array.isArray(argv.set) ? argv.set : [argv.set];
  const out = sets.map((s) => parseSetFlag(String(s)));
  for (const [flag, path] of [
    ['employees', ['fleet', 'employees']],
    ['days', ['simulation', 'days']],
  ] as const) {
    const v = argv[flag];
    if (v === undefined) continue;
    if (Array.isArray(v)) throw new UsageError(`--${flag} is given ${v.length} times: give it once`);
    // Read as YAML, 0x10 and 1e3 would be numbers; as text, the schema refuses them like any other non-number.
    const text = String(v);
    out.push(Number.isNaN(wholeNumberText(text)) ? { path, value: text, flag: `--${flag} ${text}` } : flagOverride(flag, path, v));
  }
  return out;
}

/** --workers: 0 (the main thread) to 256. */
export const workersFlag = (value: unknown): number => wholeNumber('workers', value, 0, 256);

/** --fleet-secret, or $FLEETSIM_FLEET_SECRET when the flag is not given; undefined when neither is. */
export function fleetSecretFlag(value: unknown): string | undefined {
  const s = value === undefined ? process.env.FLEETSIM_FLEET_SECRET : String(value);
  return s === undefined || s === '' ? undefined : s;
}

/** --admin-secret, or $FLEETSIM_ADMIN_SECRET when the flag is not given; undefined when neither is. */
export function adminSecretFlag(value: unknown): string | undefined {
  const s = value === undefined ? process.env.FLEETSIM_ADMIN_SECRET : String(value);
  return s === undefined || s === '' ? undefined : s;
}

/** A folder-name-safe form of a scenario or seed name. */
export const safeName = (s: string): string => s.replace(/[^\w.-]/g, '_');

/**
 * The report folder of one run, created now, before any work, so the run owns
 * it: --out if given (refused if it is a file, a dangling link, cannot be
 * written, or already holds files unless --overwrite), else
 * <base>/<stem>-<time>-<id>, where a short random id keeps two runs started in
 * the same second apart. Problems are I/O errors (exit 3) naming the folder.
 */
export function claimReportFolder(o: {
  readonly out: string | undefined;
  readonly overwrite: boolean;
  readonly base: string;
  readonly stem: string;
  /** Files or folders the command reads: --overwrite refuses to remove what holds one (load's --corpus in --out). */
  readonly inputs?: readonly (string | undefined)[];
}): string {
  if (o.out !== undefined)
    return claimGiven(
      o.out,
      o.overwrite,
      (o.inputs ?? []).filter((i): i is string => i !== undefined),
    );
  const parent = resolve(o.base);
  makeParent(parent, `the report folder's parent ${parent}`);
  for (let attempt = 0; ; attempt++) {
    // A real random id, not simulation randomness: it only names the folder.
    const dir = join(parent, `${safeName(o.stem)}-${folderTimestamp()}-${randomBytes(3).toString('hex')}`);
    try {
      mkdirSync(dir);
      created.add(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
      throw ioError(`cannot create the report folder ${dir}`, err);
    }
  }
}

/** Folders this process created, so a run that fails before writing anything takes its empty folder away again. */
const created = new Set<string>();

/**
 * Runs work that fills a claimed report folder; when it fails with the folder
 * still empty (a target refused, a scenario the run cannot carry out), the
 * folder goes too, if this process made it: a failed start leaves nothing.
 */
export async function fillReportFolder<T>(dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (created.has(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function claimGiven(out: string, overwrite: boolean, inputs: readonly string[] = []): string {
  // A bad flag value, not an I/O failure: exit 2 before any work.
  if (out.trim() === '') throw new UsageError('--out is empty: give the folder the report should go to');
  const dir = resolve(out);
  let link;
  try {
    link = lstatSync(dir);
  } catch {
    link = null;
  }
  if (link?.isSymbolicLink()) {
    let target;
    try {
      target = statSync(dir);
    } catch {
      throw new RunError('IO', `--out ${out} is a symbolic link to nothing: remove it, or point it at a folder`);
    }
    link = target;
  }
  if (link && !link.isDirectory()) throw new RunError('IO', `--out ${out} is a file, not a folder: choose another --out`);
  if (link) {
    if (!overwrite && readdirSync(dir).length > 0) {
      throw new RunError(
        'IO',
        `--out ${out} already holds files (another run's report?): choose a new folder, or add --overwrite to write into it`,
      );
    }
    if (overwrite) clearEarlierReport(dir, out, inputs);
  } else {
    makeParent(dirname(dir), `--out ${out}: its parent folder`);
    try {
      mkdirSync(dir);
      created.add(dir);
    } catch (err) {
      throw ioError(`--out ${out}: cannot create the folder`, err);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw ioError(`--out ${out}: cannot write there`, err);
  }
  return dir;
}

/**
 * A file a command writes (generate's --trace, schema's --out), checked
 * before any work: the path of a file in an existing folder; an existing file
 * only with --overwrite, as for a report folder. A folder given is a usage
 * error (exit 2) naming a file to give instead, the rest I/O (exit 3), as
 * for --out.
 */
export function claimOutputFile(o: {
  readonly flag: string;
  readonly given: string;
  readonly overwrite: boolean;
  /** What the file is ("CSV file") and a name for one ("trace.csv"), for the message about a folder. */
  readonly what: string;
  readonly example: string;
}): string {
  const { flag, given } = o;
  const path = resolve(given);
  let st;
  try {
    st = statSync(path);
  } catch {
    st = null;
  }
  if (st?.isDirectory())
    throw new UsageError(`--${flag} ${given} is a folder: give the path of the ${o.what} to write, e.g. ${join(given, o.example)}`);
  if (st && !o.overwrite)
    throw new RunError('IO', `--${flag} ${given} already exists: choose a new file, or add --overwrite to replace it`);
  let parent;
  try {
    parent = statSync(dirname(path));
  } catch {
    parent = null;
  }
  if (!parent?.isDirectory()) throw new RunError('IO', `--${flag} ${given}: its folder ${dirname(path)} does not exist`);
  return path;
}

/** Files a run keeps only while it runs: the embedded service's database and the child service's config. */
export const TEMPORARY_FILES = ['ingest.sqlite', 'ingest.sqlite-wal', 'ingest.sqlite-shm', 'ingest.sqlite-journal', 'ingest-process.json'];

/**
 * What fleetsim commands write at the top of a report folder (run, sweep,
 * load, generate, merge), and the folders of their own they make there. This,
 * and only this, is what --overwrite clears before a command writes: an
 * earlier run's database would otherwise be reopened by the new run, and its
 * interrupted.json or a report file the new command does not write would sit
 * beside the new report as if it were part of it. A user's own files stay.
 */
export const REPORT_FOLDER_ENTRIES: { readonly files: readonly string[]; readonly folders: readonly string[] } = {
  files: [
    ...TEMPORARY_FILES,
    'interrupted.json',
    'summary.json',
    'results.json',
    'report.html',
    'laptops.csv',
    'laptops-measured.csv',
    'groups.csv',
    'hours.csv',
    'cells.csv',
    'by_group.csv',
    'replicas.csv',
    'latency.csv',
    'errors.csv',
    'timeline.csv',
    'ramp.csv',
    'employees.csv',
  ],
  folders: ['configurations', 'agents', 'corpus', 'full-path'],
};

function clearEarlierReport(dir: string, out: string, inputs: readonly string[]): void {
  // A report's files only where a fleetsim command wrote a report: elsewhere a summary.json or a corpus/ folder is
  // the user's. The run's database goes in any case (the new run would reopen it).
  const names = isFleetsimReport(dir) ? [...REPORT_FOLDER_ENTRIES.files, ...REPORT_FOLDER_ENTRIES.folders] : TEMPORARY_FILES;
  for (const name of names) {
    const path = join(dir, name);
    const input = inputs.map((i) => resolve(i)).find((i) => i === path || i.startsWith(`${path}/`));
    if (input !== undefined)
      throw new UsageError(
        `--out ${out} --overwrite would remove ${name}, which holds ${input}, an input of this command: write the report elsewhere`,
      );
  }
  for (const name of names) {
    try {
      // A link is removed, never followed: what it points to is not this folder's.
      rmSync(join(dir, name), { recursive: REPORT_FOLDER_ENTRIES.folders.includes(name), force: true });
    } catch (err) {
      throw ioError(`--out ${out} --overwrite: cannot remove the earlier ${name}`, err);
    }
  }
}

/** Whether a folder holds a report a fleetsim command wrote: its summary.json or interrupted.json says so. */
function isFleetsimReport(dir: string): boolean {
  for (const f of ['summary.json', 'interrupted.json']) {
    try {
      const format = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { format?: unknown } | null)?.format;
      if (typeof format === 'string' && format.startsWith('fleetsim-')) return true;
    } catch {
      // Absent, unreadable or not JSON: not a mark of fleetsim's.
    }
  }
  return false;
}

function makeParent(dir: string, what: string): void {
  try {
    makeFolders(dir);
  } catch (err) {
    throw ioError(`${what} cannot be created`, err);
  }
}

/**
 * mkdir -p, one folder at a time: Node's recursive mkdirSync never returns for a path under /proc
 * (ENOENT, retried forever on Node 20), and a mistyped --out must be an error, not a hung command.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function ioError(what: string, err: unknown): RunError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'ENOTDIR' || e.code === 'EEXIST'
        ? 'a part of the path is a file'
        : e.code === 'EROFS'
          ? 'read-only file system'
          : e.code === 'ENOENT'
            ? 'no such folder'
            : (e.message ?? String(err));
  return new RunError('IO', `${what}: ${why}`, { cause: err });
}

/** The one output path: the result as one JSON line (--json) or as text, on stdout. */
export function present(json: boolean, asJson: () => unknown, asText: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(asJson())}\n` : asText());
}

/** Exit 1 (THRESHOLDS_FAILED) when a threshold failed, with every failure named. */
export function failOnThresholds(v: ThresholdVerdict): void {
  if (!v.passed) throw new FleetsimError('THRESHOLDS_FAILED', describeFailedThresholds(v), EXIT_CODES.thresholdsFailed);
}

/** Version of interrupted.json, the mark a run stopped by a signal leaves in its report folder. */
export const INTERRUPTED_FORMAT = 'fleetsim-interrupted/1';

/**
 * Exit code of a command whose stdout or stderr was closed under it (`fleetsim
 * validate … | head -1`): 128 + SIGPIPE's number, as shells report a program
 * that a closed pipe ended, so `set -o pipefail` sees it and no one mistakes
 * it for a failed threshold (1).
 */
export const EXIT_OUTPUT_CLOSED = EXIT_CODES.outputClosed;

/** What stops a long command cleanly: a signal, or (as SIGPIPE) its output closed under it. */
type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGPIPE';

/** 128 + the signal's number, as shells report a process it ended. */
function stopExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? EXIT_CODES.interruptedBySigint : signal === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_OUTPUT_CLOSED;
}

/** The clean stops of the long commands now running (stopCleanlyOnSignals), for stopForClosedOutput. */
const runningStops = new Set<(signal: 'SIGPIPE') => void>();

/**
 * Ends the process once its output is closed (closed-output.ts): a long
 * command stops as on a signal (its report folder marked interrupted, its
 * database removed), any other just ends; exit EXIT_OUTPUT_CLOSED either way.
 */
export function stopForClosedOutput(): void {
  if (runningStops.size === 0) process.exit(EXIT_OUTPUT_CLOSED);
  // A clean stop exits by itself, after its `finish` (load writes what it measured); should one hang, exit anyway.
  setTimeout(() => process.exit(EXIT_OUTPUT_CLOSED), 10_000).unref();
  for (const stop of runningStops) stop('SIGPIPE');
}

/**
 * While a long command runs, SIGINT (Ctrl-C) and SIGTERM stop it cleanly:
 * the progress bar stops and the terminal's cursor comes back, the report
 * folder gets interrupted.json saying what ran and how far it got, the
 * run's temporary files (its database) go, and the process exits 130
 * (SIGINT) or 143 (SIGTERM), as shells report a death by those signals.
 * A closed stdout or stderr stops it the same way, recorded as SIGPIPE and
 * exiting EXIT_OUTPUT_CLOSED (141).
 * `finish`, when given, runs first (a command that can still write what it
 * measured so far does it there); a second signal meanwhile exits at once.
 * Returns the function that removes the handlers once the work is done.
 */
export function stopCleanlyOnSignals(o: {
  readonly command: string;
  readonly reportDir: string;
  readonly stopProgress: () => void;
  readonly state: () => Record<string, unknown>;
  /** Files of the command's own to remove too (generate's trace parts). */
  readonly removeAlso?: () => void;
  readonly finish?: (signal: StopSignal) => Promise<void>;
  /** What the folder holds after the stop, for the closing message; default: a partial report (load writes one). */
  readonly kept?: () => string;
}): () => void {
  const startedAt = new Date().toISOString();
  let finishing = false;
  const handler = (signal: StopSignal): void => {
    if (finishing) process.exit(stopExitCode(signal));
    try {
      o.stopProgress();
    } catch {
      // The bar may already be gone; the cursor is restored below either way.
    }
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
    if (!o.finish) return markAndExit(signal);
    finishing = true;
    o.finish(signal).then(
      () => markAndExit(signal),
      (err: unknown) => {
        process.stderr.write(`fleetsim ${o.command}: could not write what was measured: ${(err as Error).message}\n`);
        markAndExit(signal);
      },
    );
  };
  const markAndExit = (signal: StopSignal): void => {
    try {
      writeFileSync(
        join(o.reportDir, 'interrupted.json'),
        `${JSON.stringify({ format: INTERRUPTED_FORMAT, interrupted: true, command: o.command, signal, started_at: startedAt, interrupted_at: new Date().toISOString(), ...o.state() }, null, 2)}\n`,
      );
      for (const f of TEMPORARY_FILES) rmSync(join(o.reportDir, f), { force: true });
      o.removeAlso?.();
    } catch (err) {
      process.stderr.write(`fleetsim ${o.command}: could not mark ${o.reportDir} as interrupted: ${(err as Error).message}\n`);
    }
    const why = signal === 'SIGPIPE' ? 'stopped because its output was closed' : `interrupted by ${signal}`;
    const kept = o.kept?.() ?? `the partial report in ${o.reportDir} is marked interrupted (interrupted.json)`;
    process.stderr.write(`fleetsim ${o.command}: ${why}; ${kept}\n`);
    process.exit(stopExitCode(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  runningStops.add(handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    runningStops.delete(handler);
  };
}
