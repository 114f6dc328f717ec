import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { compareReports, GateNotJudgedError, percentText, type GateOpenReason } from '../../compare/index.js';
import { runComparePair } from '../../compare/run-pair.js';
import { defaultWorkerCount } from '../../pool/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { claimReportFolder } from '../kit.js';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { compareJson, formatCompare, writeCompareReport } from '../../report/compare-report.js';
import { writeScenarioReport } from '../../report/run-report.js';
import { wholeNumber } from '../options.js';
import { decimalFormHint, decimalText } from '../../ranges.js';

interface CompareArgs {
  a?: string;
  b?: string;
  baseline?: string[];
  candidate?: string[];
  failOn?: string | string[];
  tolerance?: string | string[];
  confidence: unknown;
  resamples: unknown;
  erraticCv: unknown;
  seed: string;
  json: boolean;
  out?: string;
  overwrite: boolean;
  scenario?: string;
  replicas?: unknown;
  workers: unknown;
  history?: string;
}

const fraction = (flag: string, v: unknown): number => {
  const percent = typeof v === 'string' && v.endsWith('%');
  const written = percent ? v.slice(0, -1) : v;
  const x = decimalText(written) / (percent ? 100 : 1);
  if (!(x > 0 && x < 1))
    throw new UsageError(
      `--${flag} takes a fraction between 0 and 1 (or a percentage), e.g. 0.9 or 90%; got ${String(v)}${decimalFormHint(written)}`,
    );
  return x;
};

/** What makes a gate judgeable, for the reasons it could not be judged. */
function openAdvice(reasons: readonly GateOpenReason[], erraticCv: number): string {
  const advice: string[] = [];
  if (reasons.includes('too_few_values') || reasons.includes('no_interval'))
    advice.push(
      'A verdict needs at least 2 values a side: for load reports, 2 or more replica folders per side (--baseline A1 A2 --candidate B1 B2).',
    );
  if (reasons.includes('one_replica'))
    advice.push('An "erratic" gate needs 2 or more replica folders on a side (--baseline A1 A2 --candidate B1 B2).');
  if (reasons.includes('erratic'))
    advice.push(
      `An erratic figure's replicas of a side disagree by more than --erratic-cv (${percentText(erraticCv)}), too much to tell better from worse: run more replicas on a quieter machine, or raise --erratic-cv if that spread is expected; a gate "<figure> erratic" fails on it instead.`,
    );
  return advice.join(' ');
}

/** A flag given once is a string, given again an array (not greedy: `--fail-on "cpu worse" A B` keeps A and B). */
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const compareCommand: CommandParts<CompareArgs> = {
  builder: (y: Argv) =>
    y
      .positional('a', { type: 'string', describe: 'Baseline report folder (or a quoted glob of replica folders)' })
      .positional('b', { type: 'string', describe: 'Candidate report folder (or a quoted glob)' })
      .option('baseline', { type: 'string', array: true, describe: 'Baseline replica folders (instead of A)' })
      .option('candidate', { type: 'string', array: true, describe: 'Candidate replica folders (instead of B)' })
      .option('fail-on', {
        type: 'string',
        describe:
          'Gate: "<figure>[.mean|.median|.p95] <worse|better|changed|erratic>"; exit 1 when it trips, 2 when it cannot be judged: too few values on a side, or an erratic figure (only an erratic gate judges one) (repeatable; * = every figure)',
      })
      .option('tolerance', {
        type: 'string',
        describe: 'Relative effect that counts as no change: 3% for every figure, or cpu=3% for one (repeatable) [default: 5%]',
      })
      .option('confidence', { default: 0.9, describe: 'Confidence of the intervals' })
      .option('resamples', { default: 2000, describe: 'Bootstrap resamples' })
      .option('erratic-cv', {
        default: 0.1,
        describe:
          'A side whose per-replica means vary by more than this (sd ÷ mean) is erratic for that figure, and not judged: a worse, better or changed gate on it is NOT JUDGED (exit 2), never passed',
      })
      .option('seed', {
        type: 'string',
        default: 'fleetsim-compare',
        describe: 'Seed of the bootstrap (the same inputs and seed give the same intervals)',
      })
      .option('scenario', {
        type: 'string',
        describe: "Run a scenario's compare section (baseline and candidate overrides), interleaved, then compare the runs",
      })
      .option('replicas', { describe: 'With --scenario: runs per side [default: compare.replicas]' })
      .option('workers', { alias: 'w', default: defaultWorkerCount(), describe: 'With --scenario: worker threads per run' })
      .option('history', {
        type: 'string',
        describe:
          "SQLite history store: append the candidate's replicas (with git revision and scenario hash); --baseline history:last-N compares against the last N of the same scenario",
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as one JSON object on stdout' })
      .option('out', { alias: 'o', type: 'string', describe: 'Write compare.csv, compare.json and report.html to this folder' })
      .option('overwrite', {
        type: 'boolean',
        default: false,
        describe: '--out may be a folder that already holds files (an earlier comparison): write into it',
      })
      .example('$0 compare reports/base reports/cand', 'Two run reports of the same scenario and seed: paired per laptop')
      .example(
        '$0 compare --baseline r/a1 r/a2 r/a3 --candidate r/b1 r/b2 r/b3 --fail-on "battery.pct_per_day.p95 worse"',
        'Replicas on each side; exit 1 when battery p95 is worse',
      )
      .example(
        '$0 compare --scenario batching.yaml --replicas 3',
        "Run the scenario's baseline and candidate 3 times each (BCBCBC), then compare",
      )
      .example(
        '$0 compare "reports/base-*" "reports/cand-*" --tolerance cpu=3% --out reports/cmp',
        'Globs, a tighter CPU tolerance, an HTML report',
      )
      .epilog(
        'Exit codes: 0 every gate passed; 1 a --fail-on gate tripped; 2 bad flags or folders, or a gate that could not be judged (too few values on a side, or an erratic figure); 3 --out cannot be written (a file, no permission, or a folder that holds files without --overwrite); 4 internal error.',
      ) as unknown as Argv<CompareArgs>,
  handler: async (argv: ArgumentsCamelCase<CompareArgs>) => {
    if (argv.a !== undefined && argv.baseline) throw new UsageError('name the baseline once: either A or --baseline');
    if (argv.b !== undefined && argv.candidate) throw new UsageError('name the candidate once: either B or --candidate');
    let baseline = argv.baseline ?? (argv.a !== undefined ? [argv.a] : []);
    let candidate = argv.candidate ?? (argv.b !== undefined ? [argv.b] : []);
    let outDir: string | undefined;
    if (argv.scenario !== undefined) {
      if (baseline.length || candidate.length) throw new UsageError('--scenario runs both sides itself: name no report folders with it');
      const scenario = loadScenarioFile(argv.scenario);
      const replicas = argv.replicas === undefined ? undefined : wholeNumber('replicas', argv.replicas, 1, 100);
      const workers = wholeNumber('workers', argv.workers, 0, 256);
      outDir = claimReportFolder({
        out: argv.out,
        overwrite: argv.overwrite,
        base: scenario.outputs.dir,
        stem: `${scenario.name}-compare`,
      });
      const runs = await runComparePair(scenario, {
        reportDir: outDir,
        workers,
        writeReport: writeScenarioReport,
        ...(replicas !== undefined ? { replicas } : {}),
        onRun: (side, i, n) => {
          if (!argv.json) process.stderr.write(`fleetsim compare: ${side} ${i + 1} of ${n}\n`);
        },
      });
      baseline = runs.baseline;
      candidate = runs.candidate;
    } else if (argv.replicas !== undefined)
      throw new UsageError('--replicas applies to --scenario only; with report folders, name the replica folders');
    if (baseline.length === 0 || candidate.length === 0)
      throw new UsageError('name both sides: fleetsim compare A B, or --baseline … --candidate …');
    // Claimed before any work, as every command's --out: an existing report is not replaced without --overwrite, and
    // never one this comparison reads.
    if (argv.scenario === undefined && argv.out !== undefined)
      outDir = claimReportFolder({
        out: argv.out,
        overwrite: argv.overwrite,
        base: '.',
        stem: 'compare',
        inputs: [...baseline, ...candidate, argv.history],
      });
    const report = compareReports({
      baseline,
      candidate,
      confidence: fraction('confidence', argv.confidence),
      resamples: wholeNumber('resamples', argv.resamples, 100, 1_000_000),
      erraticCv: fraction('erratic-cv', argv.erraticCv),
      seed: argv.seed,
      tolerances: list(argv.tolerance),
      failOn: list(argv.failOn),
      ...(argv.history !== undefined ? { history: resolve(argv.history) } : {}),
    });
    const files = outDir ? await writeCompareReport(outDir, report) : [];
    if (argv.json) process.stdout.write(`${JSON.stringify(compareJson(report))}\n`);
    else process.stdout.write(formatCompare(report, files));
    const failed = report.gates.filter((g) => g.tripped.length > 0);
    const open = report.gates.filter((g) => !g.judged);
    const openText = open.map((g) => `"${g.expression}" (${g.unjudged.join('; ')})`).join('; ');
    // A tripped gate is a failure whatever else is open; a gate that could not be judged must never read as passed.
    if (failed.length)
      throw new FleetsimError(
        'THRESHOLDS_FAILED',
        `${failed.length} of ${report.gates.length} gates failed: ${failed.map((g) => `"${g.expression}" (${g.tripped.join(', ')})`).join('; ')}${open.length ? `; ${open.length} could not be judged: ${openText}` : ''}`,
        EXIT_CODES.thresholdsFailed,
      );
    if (open.length)
      throw new GateNotJudgedError(
        `${open.length} of ${report.gates.length} gates could not be judged: ${openText}. ${openAdvice(
          open.flatMap((g) => g.reasons),
          report.result.erratic_cv,
        )}`,
      );
  },
};
