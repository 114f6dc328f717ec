import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { RunError } from '../../errors.js';
import { EMPLOYEE_SUMMARY_COLUMNS, generateFleet, summarizeGeneration, type GenerateSummary } from '../../generate/index.js';
import { defaultWorkerCount } from '../../pool/index.js';
import { writeCsv, writeJson } from '../../report/index.js';
import { VERSION } from '../../version.js';
import { folderTimestamp, isoDate, nonEmpty, wholeNumber } from '../options.js';
import { createProgress } from '../progress.js';

interface GenerateArgs {
  employees: number;
  days: number;
  seed: string;
  'start-date': string;
  workers: number;
  trace?: string;
  out?: string;
  json: boolean;
  quiet: boolean;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  describe: 'Generate seeded synthetic employees and their input events (typing, mouse, work day, pauses)',
  builder: (y: Argv) =>
    y
      .option('employees', { alias: 'n', default: 100, describe: 'Employees in the fleet (1 to 10,000,000)' })
      .option('days', { alias: 'd', default: 1, describe: 'Simulated days (1 to 366); weekends are days off' })
      .option('seed', { alias: 's', type: 'string', default: '1', describe: 'Seed: the same seed gives the same fleet and events, whatever --workers' })
      .option('start-date', { type: 'string', default: '2026-03-02', describe: 'Local date of the first simulated day (YYYY-MM-DD; 2026-03-02 is a Monday)' })
      .option('workers', { alias: 'w', default: defaultWorkerCount(), describe: 'Worker threads (0 = run in the main thread)' })
      .option('trace', { type: 'string', describe: 'Also write every raw input event to this CSV file (employee_id,t_ms,type,key,x,y,button,context); ~250k rows per employee-day' })
      .option('out', { alias: 'o', type: 'string', describe: 'Output folder [default: reports/generate-<seed>-<time>]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary as one JSON object on stdout' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
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
    const workers = wholeNumber('workers', argv.workers, 0, 256);
    const seed = nonEmpty('seed', argv.seed);
    const startDate = isoDate('start-date', argv['start-date']);
    const outDir = resolve(argv.out ?? join('reports', `generate-${seed.replace(/[^\w.-]/g, '_')}-${folderTimestamp()}`));
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (err) {
      throw new RunError('IO', `cannot create output folder ${outDir}: ${(err as Error).message}`, { cause: err });
    }
    const progress = createProgress('generate', employees, { quiet: argv.quiet || argv.json });
    const opts = {
      employees,
      days,
      seed,
      startDate,
      workers,
      ...(argv.trace ? { tracePath: resolve(argv.trace) } : {}),
    };
    const result = await generateFleet(opts, (p) => progress.update(p.employeesDone, `${(p.events / 1e6).toFixed(1)} M events`));
    progress.stop();
    const summary = summarizeGeneration(opts, result, VERSION);
    await writeCsv(join(outDir, 'employees.csv'), EMPLOYEE_SUMMARY_COLUMNS, result.employees);
    await writeJson(join(outDir, 'summary.json'), summary);
    if (argv.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(formatSummary(summary, outDir, argv.trace));
  },
};

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function formatSummary(s: GenerateSummary, outDir: string, trace: string | undefined): string {
  const d = s.perEmployeeDay;
  const row = (name: string, x: { p10: number; p50: number; p90: number }) =>
    `  ${name.padEnd(26)} ${String(x.p10).padStart(10)} ${String(x.p50).padStart(10)} ${String(x.p90).padStart(10)}\n`;
  return (
    `fleetsim generate: ${s.employees} employees × ${s.days} day(s), seed ${s.seed}: ${s.events.toLocaleString('en-US')} events\n` +
    `  per worked employee-day         p10        p50        p90\n` +
    row('keystrokes', d.keystrokes) +
    row('clicks', d.clicks) +
    row('mouse moves', d.mouseMoves) +
    row('scroll events', d.scrolls) +
    row('active minutes', d.activeMinutes) +
    row('pauses', d.pauses) +
    row('typing speed (WPM)', s.wpm) +
    `  exempt: ${pct(s.exemptShareAtEnrolment)} at enrolment, ${pct(s.exemptShareAtEnd)} by the end of day ${s.days} ` +
    `(${s.exemptionAsks} exemption ask(s))   canaries planted: ${s.canariesPlanted}\n` +
    `  ${s.measured.wallSeconds} s wall on ${s.measured.workers} worker(s): ${s.measured.eventsPerSecond.toLocaleString('en-US')} events/s, ` +
    `${s.measured.employeeDaysPerMinute.toLocaleString('en-US')} employee-days/min\n` +
    `wrote ${join(outDir, 'employees.csv')}, ${join(outDir, 'summary.json')}${trace ? `, ${resolve(trace)}` : ''}\n`
  );
}
