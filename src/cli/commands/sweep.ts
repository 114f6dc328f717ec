import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { writeSweepReport } from '../../report/sweep-report.js';
import { describeSweepThresholdFailures, formatSweep } from '../../report/text.js';
import { loadScenarioFile } from '../../scenario/index.js';
import {
  FAST_MODE_THRESHOLDS_WHY,
  MIN_REPLICAS_FOR_INTERVALS,
  cellTable,
  fewReplicasNote,
  runSweep,
  type SweepResult,
} from '../../sweep/index.js';
import {
  claimReportFolder,
  fillReportFolder,
  present,
  scenarioOverrides,
  stopCleanlyOnSignals,
  withScenarioFlags,
  withSharedFlags,
  workersFlag,
} from '../kit.js';
import { wholeNumber } from '../options.js';
import { createProgress } from '../progress.js';

interface SweepArgs {
  scenario: string;
  workers: unknown;
  replicas?: unknown;
  employees?: unknown;
  days?: unknown;
  set?: unknown;
  fullPath: boolean;
  out?: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
}

export const sweepCommand: CommandParts<SweepArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(
      withScenarioFlags(y, { sizes: false })
        .positional('scenario', { type: 'string', describe: 'Scenario file with a sweep section (YAML or JSON)' })
        .option('replicas', {
          describe: `Replicas per cell; below ${MIN_REPLICAS_FOR_INTERVALS} the 95 % intervals are wide, and the sweep says so [default: sweep.replicas]`,
        })
        .option('employees', { alias: 'n', describe: 'Employees per replica [default: fleet.employees]' })
        .option('days', { describe: 'Simulated days [default: simulation.days]' })
        .option('full-path', {
          type: 'boolean',
          default: false,
          describe: 'Run every cell through the real agent and the embedded ingest service over HTTP (slow: for small sweeps)',
        }),
      {
        workers: 'Worker threads (0 = run in the main thread)',
        out: 'Report folder [default: <outputs.dir>/<name>-sweep-<time>-<id>]',
        json: 'Print the result table as JSON on stdout: one object per cell',
        quiet: 'No progress output',
      },
    )
      .example('$0 sweep scenarios/policy-comparison.yaml', 'Pause cap × pause limit × approval rate × propensity, 3 replicas')
      .example('$0 sweep scenarios/policy-comparison.yaml -n 200 --replicas 5 --json', 'A smaller fleet, more replicas, JSON table')
      .epilog(
        "Thresholds: --full-path judges the scenario's thresholds on every cell and replica (each is a fleetsim run); fast mode cannot, and says so.\n" +
          'Exit codes: 0 done (and every judged threshold holds); 1 a threshold failed in a cell; 2 invalid scenario or flags; 3 the sweep could not complete; 4 internal error.',
      ) as unknown as Argv<SweepArgs>,
  handler: async (argv: ArgumentsCamelCase<SweepArgs>) => {
    const workers = workersFlag(argv.workers);
    const replicas = argv.replicas === undefined ? undefined : wholeNumber('replicas', argv.replicas, 1, 1_000);
    const employees = argv.employees === undefined ? undefined : wholeNumber('employees', argv.employees, 1, 1_000_000);
    const days = argv.days === undefined ? undefined : wholeNumber('days', argv.days, 1, 366);
    const scenario = loadScenarioFile(argv.scenario, scenarioOverrides({ set: argv.set }));
    if (!scenario.sweep)
      throw new UsageError(
        `${argv.scenario} has no sweep section: add one (see \`fleetsim schema\`, field sweep), or use \`fleetsim run\``,
      );
    const mode = argv.fullPath ? 'full-path' : 'fast';
    if (mode === 'fast' && scenario.sweep.axes.some((a) => a.path === 'agent')) {
      process.stderr.write(
        'fleetsim sweep: note: agent configurations do not change which events are captured, so their cells have the same yield in fast mode; use --full-path (or fleetsim run) for their costs\n',
      );
    }
    if (mode === 'fast' && scenario.thresholds.length > 0) {
      process.stderr.write(
        `fleetsim sweep: note: thresholds NOT JUDGED in fast mode: ${scenario.thresholds.map((t) => t.source).join('; ')} (${FAST_MODE_THRESHOLDS_WHY})\n`,
      );
    }
    // The text output says it beside the table; --json prints only the table.
    const few = argv.json ? fewReplicasNote(replicas ?? scenario.sweep.replicas) : null;
    if (few !== null) process.stderr.write(`fleetsim sweep: note: ${few}\n`);
    const reportDir = claimReportFolder({
      out: argv.out,
      overwrite: argv.overwrite,
      base: scenario.outputs.dir,
      stem: `${scenario.name}-sweep`,
    });
    const n = replicas ?? scenario.sweep.replicas;
    const total = mode === 'fast' ? (employees ?? scenario.fleet.employees) * n : scenario.sweep.points * n;
    const progress = createProgress(`sweep ${scenario.name} (${scenario.sweep.points} cells × ${n} replicas, ${mode})`, total, {
      quiet: argv.quiet || argv.json,
    });
    const started = Date.now();
    let done = 0;
    const release = stopCleanlyOnSignals({
      command: 'sweep',
      reportDir,
      stopProgress: () => progress.stop(),
      state: () => ({ scenario: scenario.name, mode, steps: total, steps_done: done }),
    });
    let result: SweepResult;
    try {
      result = await fillReportFolder(reportDir, () =>
        runSweep(scenario, {
          mode,
          workers,
          ...(replicas !== undefined ? { replicas } : {}),
          ...(employees !== undefined ? { employees } : {}),
          ...(days !== undefined ? { days } : {}),
          reportDir,
          onProgress: (p) =>
            progress.update(
              (done = p.done),
              `${Math.round(p.events / Math.max(1, (Date.now() - started) / 1000) / 1e6).toLocaleString('en-US')} M events/s`,
            ),
        }),
      );
    } finally {
      progress.stop();
      release();
    }
    const files = await writeSweepReport(result, reportDir, scenario.outputs);
    present(
      argv.json,
      () => cellTable(result),
      () => formatSweep(result, files),
    );
    if (result.thresholds.passed === false)
      throw new FleetsimError('THRESHOLDS_FAILED', describeSweepThresholdFailures(result), EXIT_CODES.thresholdsFailed);
  },
};
