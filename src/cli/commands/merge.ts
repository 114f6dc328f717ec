import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { mergeRuns } from '../../run/index.js';

interface MergeArgs {
  dirs: string[];
  out?: string;
  json: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Combine the reports of `fleetsim run --shard K/N` into the report of the whole run',
  builder: (y: Argv) =>
    y
      .positional('dirs', { type: 'string', array: true, describe: 'Report folders of every shard of one run' })
      .option('out', { alias: 'o', type: 'string', describe: 'Folder for the merged report (required)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the merged figures as one JSON object' })
      .example('$0 merge reports/r-shard0of2 reports/r-shard1of2 --out reports/r', 'Merge two shards') as unknown as Argv<MergeArgs>,
  handler: async (argv: ArgumentsCamelCase<MergeArgs>) => {
    if (!argv.out) throw new UsageError('merge needs --out FOLDER for the merged report');
    const r = await mergeRuns(argv.dirs.map((d) => resolve(d)), resolve(argv.out));
    if (argv.json) process.stdout.write(`${JSON.stringify({ reportDir: r.reportDir, thresholdsPassed: r.thresholdsPassed, thresholds: r.thresholds, ledger: r.figures.ledger })}\n`);
    else process.stdout.write(`merged ${argv.dirs.length} shard reports: ${r.figures.laptops} laptops, ${r.figures.events.toLocaleString('en-US')} events → ${r.reportDir}\n`);
    if (!r.thresholdsPassed) {
      throw new FleetsimError('THRESHOLDS_FAILED', `thresholds failed: ${r.thresholds.filter((t) => !t.pass).map((t) => t.expression).join('; ')}`, EXIT_CODES.thresholdsFailed);
    }
  },
};
