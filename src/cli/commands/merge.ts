import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { mergeLoadDirs, readLoadResult } from '../../load/merge.js';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../load/thresholds.js';
import { writeLoadReport } from '../../report/load-report.js';
import { mergeRuns } from '../../run/index.js';
import { VERSION } from '../../version.js';

interface MergeArgs {
  dirs: string[];
  out?: string;
  json: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Combine the reports of `fleetsim run --shard K/N` (or `fleetsim load --shard K/N`) into the report of the whole run',
  builder: (y: Argv) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'Report folders of every shard of one run' })
      .option('out', { alias: 'o', type: 'string', describe: 'Folder for the merged report (required)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the merged figures as one JSON object' })
      .example('$0 merge reports/r-shard0of2 reports/r-shard1of2 --out reports/r', 'Merge two shards')
      .example('$0 merge reports/load-steady-*-shard*of4 --out reports/load', 'Merge four load generators\' shards') as unknown as Argv<MergeArgs>,
  handler: async (argv: ArgumentsCamelCase<MergeArgs>) => {
    if (!argv.out) throw new UsageError('merge needs --out FOLDER for the merged report');
    const dirs = argv.dirs.map((d) => resolve(d));
    if (dirs.length > 0 && readLoadResult(dirs[0]!) !== null) return mergeLoad(dirs, resolve(argv.out), argv.json);
    const r = await mergeRuns(dirs, resolve(argv.out));
    if (argv.json) process.stdout.write(`${JSON.stringify({ reportDir: r.reportDir, thresholdsPassed: r.thresholdsPassed, thresholds: r.thresholds, ledger: r.figures.ledger })}\n`);
    else process.stdout.write(`merged ${argv.dirs.length} shard reports: ${r.figures.laptops} laptops, ${r.figures.events.toLocaleString('en-US')} events → ${r.reportDir}\n`);
    if (!r.thresholdsPassed) {
      throw new FleetsimError('THRESHOLDS_FAILED', `thresholds failed: ${r.thresholds.filter((t) => !t.pass).map((t) => t.expression).join('; ')}`, EXIT_CODES.thresholdsFailed);
    }
  },
};

/** Load shards: the merged result, the shards' thresholds evaluated on it, and the same exit codes as `fleetsim load`. */
async function mergeLoad(dirs: readonly string[], out: string, json: boolean): Promise<void> {
  const { result, thresholdExpressions } = mergeLoadDirs(dirs);
  const evaluated = evaluateLoadThresholds(result, parseLoadThresholds(thresholdExpressions), []);
  const { files } = await writeLoadReport(out, { result, thresholds: evaluated.outcomes, versions: { fleetsim: VERSION, node: process.version } });
  if (json) {
    const { histograms: _h, timeline: _t, ...rest } = result;
    process.stdout.write(`${JSON.stringify({ ...rest, thresholds: evaluated.outcomes, thresholdsPassed: evaluated.passed, reportDir: out })}\n`);
  } else {
    process.stdout.write(
      `merged ${dirs.length} load shards: ${result.requests.sent.toLocaleString('en-US')} sent, ${result.requests.accepted.toLocaleString('en-US')} accepted, p99 ${result.latency.all.p99_ms ?? '—'} ms, ${result.valid ? 'valid' : 'INVALID'} → ${files.find((f) => f.endsWith('report.html'))}\n`,
    );
  }
  if (!result.valid) throw new FleetsimError('LOAD_INVALID', `the merged run is invalid, its figures would flatter the target: ${result.invalid_reasons.join('; ')}`, EXIT_CODES.runFailed);
  if (!evaluated.passed) {
    const failed = evaluated.outcomes.filter((t) => !t.pass);
    throw new FleetsimError('THRESHOLDS_FAILED', `${failed.length} of ${evaluated.outcomes.length} thresholds failed: ${failed.map((t) => `${t.expression} (actual ${t.actual ?? 'n/a'})`).join('; ')}`, EXIT_CODES.thresholdsFailed);
  }
}
