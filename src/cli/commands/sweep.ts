import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { defaultWorkerCount } from '../../pool/index.js';
import { writeSweepReport } from '../../report/sweep-report.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { cellTable, runSweep, type SweepResult } from '../../sweep/index.js';
import { folderTimestamp, wholeNumber } from '../options.js';
import { createProgress } from '../progress.js';

interface SweepArgs {
  scenario: string;
  workers: unknown;
  replicas?: unknown;
  employees?: unknown;
  days?: unknown;
  fullPath: boolean;
  out?: string;
  json: boolean;
  quiet: boolean;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'Run a scenario\'s sweep grid × replicas: data yield, captured hours, exemptions, pauses and representativeness per cell, with 95 % confidence intervals',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'Scenario file with a sweep section (YAML or JSON)' })
      .option('workers', { alias: 'w', default: defaultWorkerCount(), describe: 'Worker threads (0 = run in the main thread)' })
      .option('replicas', { describe: 'Replicas per cell [default: sweep.replicas]' })
      .option('employees', { alias: 'n', describe: 'Employees per replica [default: fleet.employees]' })
      .option('days', { describe: 'Simulated days [default: simulation.days]' })
      .option('full-path', { type: 'boolean', default: false, describe: 'Run every cell through the real agent and the embedded ingest service over HTTP (slow: for small sweeps)' })
      .option('out', { alias: 'o', type: 'string', describe: 'Report folder [default: <outputs.dir>/<name>-sweep-<time>]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result table as JSON on stdout: one object per cell' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
      .example('$0 sweep scenarios/policy-comparison.yaml', 'Pause cap × pause limit × approval rate × propensity, 3 replicas')
      .example('$0 sweep scenarios/policy-comparison.yaml -n 200 --replicas 5 --json', 'A smaller fleet, more replicas, JSON table') as unknown as Argv<SweepArgs>,
  handler: async (argv: ArgumentsCamelCase<SweepArgs>) => {
    const workers = wholeNumber('workers', argv.workers, 0, 256);
    const replicas = argv.replicas === undefined ? undefined : wholeNumber('replicas', argv.replicas, 1, 1_000);
    const employees = argv.employees === undefined ? undefined : wholeNumber('employees', argv.employees, 1, 1_000_000);
    const days = argv.days === undefined ? undefined : wholeNumber('days', argv.days, 1, 366);
    const scenario = loadScenarioFile(argv.scenario);
    if (!scenario.sweep) throw new UsageError(`${argv.scenario} has no sweep section: add one (see \`fleetsim schema\`, field sweep), or use \`fleetsim run\``);
    const mode = argv.fullPath ? 'full-path' : 'fast';
    if (mode === 'fast' && scenario.sweep.axes.some((a) => a.path === 'agent')) {
      process.stderr.write('fleetsim sweep: note: agent configurations do not change which events are captured, so their cells have the same yield in fast mode; use --full-path (or fleetsim run) for their costs\n');
    }
    const reportDir = resolve(argv.out ?? join(scenario.outputs.dir, `${scenario.name.replace(/[^\w.-]/g, '_')}-sweep-${folderTimestamp()}`));
    const n = replicas ?? scenario.sweep.replicas;
    const total = mode === 'fast' ? (employees ?? scenario.fleet.employees) * n : scenario.sweep.points * n;
    const progress = createProgress(`sweep ${scenario.name} (${scenario.sweep.points} cells × ${n} replicas, ${mode})`, total, { quiet: argv.quiet || argv.json });
    const started = Date.now();
    const result = await runSweep(scenario, {
      mode,
      workers,
      ...(replicas !== undefined ? { replicas } : {}),
      ...(employees !== undefined ? { employees } : {}),
      ...(days !== undefined ? { days } : {}),
      reportDir,
      onProgress: (p) => progress.update(p.done, `${Math.round(p.events / Math.max(1, (Date.now() - started) / 1000) / 1e6).toLocaleString('en-US')} M events/s`),
    });
    progress.stop();
    const files = await writeSweepReport(result, reportDir);
    if (argv.json) process.stdout.write(`${JSON.stringify(cellTable(result))}\n`);
    else process.stdout.write(formatSweep(result, files));
  },
};

function formatSweep(r: SweepResult, files: readonly string[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}`;
  const axes = r.axes.map((a) => a.path);
  const lines = [
    `fleetsim sweep ${r.name} (${r.mode}): ${r.cells.length} cells × ${r.replicas} replicas × ${r.employees.toLocaleString('en-US')} employees × ${r.days} day${r.days === 1 ? '' : 's'} in ${(r.wallMs / 1000).toFixed(1)} s`,
    `  yield % (mean ± 95 % CI over replicas)   ${axes.join(' · ')}`,
    ...r.cells.map((c) => {
      const ci = c.yield.ci95 === null ? '' : ` ± ${pct(c.yield.ci95)}`;
      const tvd = c.tvd.department ? `  TVD dept ${c.tvd.department.mean.toFixed(4)} hour ${c.tvd.local_hour?.mean.toFixed(4)}` : '';
      return `  #${String(c.index).padEnd(3)} ${pct(c.yield.mean).padStart(6)}${ci.padEnd(8)}  ${axes.map((a) => c.labels[a]).join(' · ')}${tvd}`;
    }),
    `report: ${files.find((f) => f.endsWith('report.html'))}`,
  ];
  return `${lines.join('\n')}\n`;
}
