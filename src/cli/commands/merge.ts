import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { mergeLoadDirs, readLoadResult } from '../../load/merge.js';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../load/thresholds.js';
import { loadJson, writeLoadReport } from '../../report/load-report.js';
import { runJson, writeScenarioReport } from '../../report/run-report.js';
import { formatLoadMerge, formatRunMerge } from '../../report/text.js';
import { checkShardFolder, mergeRuns } from '../../run/index.js';
import { VERSION } from '../../version.js';
import { claimReportFolder, failOnThresholds, present, withSharedFlags } from '../kit.js';

/** What merge reads in a shard's report folder (run and load shards). */
const SHARD_ENTRIES = ['summary.json', 'results.json', 'configurations'];

interface MergeArgs {
  dirs: string[];
  out?: string;
  overwrite: boolean;
  json: boolean;
}

export const mergeCommand: CommandParts<MergeArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(y.positional('dirs', { type: 'string', array: true, describe: 'Report folders of every shard of one run' }), {
      out: 'Folder for the merged report (required)',
      json: 'Print the merged figures as one JSON object',
    })
      .example('$0 merge reports/r-shard0of2 reports/r-shard1of2 --out reports/r', 'Merge two shards')
      .example(
        '$0 merge reports/load-steady-*-shard*of4 --out reports/load',
        "Merge four load generators' shards",
      ) as unknown as Argv<MergeArgs>,
  handler: async (argv: ArgumentsCamelCase<MergeArgs>) => {
    if (argv.out === undefined) throw new UsageError('merge needs --out FOLDER for the merged report');
    const dirs = argv.dirs.map((d) => resolve(d));
    // Reading the shards writes nothing; the output folder is claimed once they are known to merge. What merge reads
    // of each shard is named as an input, so --overwrite with --out at a shard refuses rather than replace that shard.
    const inputs = dirs.flatMap((d) => SHARD_ENTRIES.map((name) => join(d, name)));
    const claim = () => claimReportFolder({ out: argv.out, overwrite: argv.overwrite, base: '.', stem: 'merge', inputs });
    for (const d of dirs) checkShardFolder(d);
    if (dirs.length > 0 && readLoadResult(dirs[0]!) !== null) return mergeLoad(dirs, claim, argv.json);
    const r = await mergeRuns(dirs, resolve(argv.out));
    const out = claim();
    await writeScenarioReport(out, r);
    present(
      argv.json,
      () => runJson(out, r),
      () => formatRunMerge(argv.dirs.length, r, out) + (r.configurations ? `${r.configurations.table.recommendation}\n` : ''),
    );
    failOnThresholds({ passed: r.thresholdsPassed, outcomes: r.thresholds });
  },
};

/** Load shards: the merged result, the shards' thresholds evaluated on it, and the same exit codes as `fleetsim load`. */
async function mergeLoad(dirs: readonly string[], claim: () => string, json: boolean): Promise<void> {
  const { result, thresholdExpressions } = mergeLoadDirs(dirs);
  const verdict = evaluateLoadThresholds(result, parseLoadThresholds(thresholdExpressions), []);
  const out = claim();
  const { files } = await writeLoadReport(out, {
    result,
    thresholds: verdict.outcomes,
    versions: { fleetsim: VERSION, node: process.version },
  });
  present(
    json,
    () => loadJson(out, result, verdict),
    () => formatLoadMerge(dirs.length, result, files),
  );
  if (result.target_failed)
    throw new FleetsimError(
      'LOAD_TARGET_FAILED',
      `the target failed the merged run: ${result.invalid_reasons.join('; ')}`,
      EXIT_CODES.loadTargetFailed,
    );
  if (!result.valid)
    throw new FleetsimError(
      'LOAD_INVALID',
      `the merged run is invalid, its figures would flatter the target: ${result.invalid_reasons.join('; ')}`,
      EXIT_CODES.runFailed,
    );
  failOnThresholds(verdict);
}
