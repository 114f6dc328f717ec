import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { EMPLOYEE_SUMMARY_COLUMNS, generateFleet, summarizeGeneration } from '../../generate/index.js';
import { writeCsv, writeJson } from '../../report/index.js';
import { formatGenerate } from '../../report/text.js';
import { VERSION } from '../../version.js';
import { claimOutputFile, claimReportFolder, present, stopCleanlyOnSignals, withSharedFlags, workersFlag } from '../kit.js';
import { isoDate, nonEmpty, seedText, wholeNumber } from '../options.js';
import { createProgress } from '../progress.js';

/** Version of generate's summary.json. */
const GENERATE_SUMMARY_FORMAT = 'fleetsim-generate-summary/1';

interface GenerateArgs {
  employees: number;
  days: number;
  seed: string;
  'start-date': string;
  workers: number;
  trace?: string;
  out?: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
}

export const generateCommand: CommandParts<GenerateArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(y, {
      workers: 'Worker threads (0 = run in the main thread)',
      out: 'Output folder [default: reports/generate-<seed>-<time>-<id>]',
      json: 'Print the summary as one JSON object on stdout',
      quiet: 'No progress output',
    })
      .option('employees', { alias: 'n', default: 100, describe: 'Employees in the fleet (1 to 10,000,000)' })
      .option('days', { alias: 'd', default: 1, describe: 'Simulated days (1 to 366); weekends are days off' })
      .option('seed', {
        alias: 's',
        type: 'string',
        default: '1',
        describe: 'Seed: the same seed gives the same fleet and events, whatever --workers',
      })
      .option('start-date', {
        type: 'string',
        default: '2026-03-02',
        describe: 'Local date of the first simulated day (YYYY-MM-DD; 2026-03-02 is a Monday)',
      })
      .option('trace', {
        type: 'string',
        describe:
          'Also write every raw input event to this CSV file (employee_id,t_ms,type,key,x,y,button,context); ~250k rows per employee-day. An existing file is refused unless --overwrite; its scratch parts (<file>.parts) are removed however the run ends',
      })
      .example('$0 generate -n 1000 -d 5 --seed 42', 'A week of 1,000 employees')
      .example('$0 generate -n 3 --trace trace.csv', 'Raw events of three employees for one day')
      .epilog(
        'employees.csv has one row per employee. Exemption: exempt_at_enrolment = requested at enrolment and approved; ' +
          'exempt_at_end = exempt by the end of the generated days, also through an exemption ask (made when the pause cap cuts a pause short) ' +
          'approved and in effect by then (the default policy approves half the asks, from the start of the next local day), as fleetsim run reports exempt; ' +
          'exemption_asks = asks made. Events are what the employee produced, exempt or not.',
      ) as unknown as Argv<GenerateArgs>,
  handler: async (argv: ArgumentsCamelCase<GenerateArgs>) => {
    const employees = wholeNumber('employees', argv.employees, 1, 10_000_000);
    const days = wholeNumber('days', argv.days, 1, 366);
    const workers = workersFlag(argv.workers);
    const seed = seedText('seed', argv.seed);
    const startDate = isoDate('start-date', argv['start-date']);
    const tracePath =
      argv.trace === undefined
        ? undefined
        : claimOutputFile({
            flag: 'trace',
            given: nonEmpty('trace', argv.trace),
            overwrite: argv.overwrite,
            what: 'CSV file',
            example: 'trace.csv',
          });
    const outDir = claimReportFolder({ out: argv.out, overwrite: argv.overwrite, base: 'reports', stem: `generate-${seed}` });
    const progress = createProgress('generate', employees, { quiet: argv.quiet || argv.json });
    const scratchDir = tracePath === undefined ? undefined : `${tracePath}.parts`;
    const opts = { employees, days, seed, startDate, workers, ...(tracePath ? { tracePath, scratchDir } : {}) };
    let employeesDone = 0;
    const release = stopCleanlyOnSignals({
      command: 'generate',
      reportDir: outDir,
      stopProgress: () => progress.stop(),
      state: () => ({ employees, employees_done: employeesDone, ...(tracePath ? { trace: tracePath } : {}) }),
      // A trace cut short is no trace; its parts are scratch.
      removeAlso: () => {
        if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
        if (tracePath) rmSync(tracePath, { force: true });
      },
    });
    let result;
    try {
      result = await generateFleet(opts, (p) => {
        employeesDone = p.employeesDone;
        progress.update(p.employeesDone, `${(p.events / 1e6).toFixed(1)} M events`);
      });
    } finally {
      progress.stop();
      release();
    }
    const summary = summarizeGeneration(opts, result, VERSION);
    await writeCsv(join(outDir, 'employees.csv'), EMPLOYEE_SUMMARY_COLUMNS, result.employees);
    await writeJson(join(outDir, 'summary.json'), { format: GENERATE_SUMMARY_FORMAT, ...summary });
    present(
      argv.json,
      () => summary,
      () => formatGenerate(summary, outDir, argv.trace),
    );
  },
};
