import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { runJson, writeScenarioReport } from '../../report/run-report.js';
import { formatRun } from '../../report/text.js';
import { runScenario, type ScenarioRunResult } from '../../run/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import {
  claimReportFolder,
  failOnThresholds,
  fillReportFolder,
  fleetSecretFlag,
  present,
  scenarioOverrides,
  stopCleanlyOnSignals,
  withScenarioFlags,
  withSharedFlags,
  workersFlag,
} from '../kit.js';
import { shardFlag } from '../options.js';
import { createProgress } from '../progress.js';

interface RunArgs {
  scenario: string;
  workers: unknown;
  shard?: string;
  set?: unknown;
  employees?: unknown;
  days?: unknown;
  out?: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
  fleetSecret?: string;
}

export const runCommand: CommandParts<RunArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(
      withScenarioFlags(
        y
          .positional('scenario', {
            type: 'string',
            describe: 'Scenario file (YAML or JSON); see `fleetsim validate` and `fleetsim schema`',
          })
          .option('shard', {
            type: 'string',
            describe: 'Run the deterministic slice K of N (e.g. 0/4) for clusters; combine with `fleetsim merge`',
          }),
        { sizes: true },
      ),
      {
        workers: 'Worker threads (0 = run in the main thread)',
        out: 'Report folder [default: <outputs.dir>/<name>-<time>-<id>]',
        json: 'Print summary figures as one JSON object on stdout',
        quiet: 'No progress output',
        fleetSecret: 'Fleet secret of an ingest.kind url target, to enroll the laptops there',
      },
    )
      .example('$0 run scenarios/quickstart.yaml', 'The quickstart: 200 employees for a day')
      .example('$0 run scenarios/rollout-10k.yaml --shard 0/4', 'A quarter of a 10,000-laptop day')
      .example('$0 run scenarios/agent-metered-battery.yaml --employees 100 --days 1', 'A smaller, shorter run of a scenario')
      .example('$0 run scenarios/quickstart.yaml --set policy.pauseCapMinutes=15 --set seed=7', 'Any scenario field from the command line')
      .epilog(
        'Speed: simulation.speed max runs laptops one after another in virtual time; a number paces the run on the wall clock ' +
          '(1 = real time) over simulation.window, with every laptop live at once: for soak tests of a service and for the ingest-restart fault.\n' +
          'Exit codes: 0 all thresholds hold; 1 a threshold failed; 2 invalid scenario or flags; 3 the run could not complete; 4 internal error.',
      ) as unknown as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    const workers = workersFlag(argv.workers);
    const shard = argv.shard === undefined ? undefined : shardFlag(argv.shard);
    const fleetSecret = fleetSecretFlag(argv.fleetSecret);
    const scenario = loadScenarioFile(argv.scenario, scenarioOverrides(argv));
    const reportDir = claimReportFolder({
      out: argv.out,
      overwrite: argv.overwrite,
      base: scenario.outputs.dir,
      stem: `${scenario.name}${shard ? `-shard${shard.index}of${shard.count}` : ''}`,
    });
    const progress = createProgress(`run ${scenario.name}`, scenario.fleet.employees, { quiet: argv.quiet || argv.json });
    const started = Date.now();
    let laptopsDone = 0;
    const release = stopCleanlyOnSignals({
      command: 'run',
      reportDir,
      stopProgress: () => progress.stop(),
      state: () => ({ scenario: scenario.name, laptops: scenario.fleet.employees, laptops_done: laptopsDone }),
    });
    let result: ScenarioRunResult;
    try {
      result = await fillReportFolder(reportDir, () =>
        runScenario(scenario, {
          reportDir,
          workers,
          ...(shard ? { shard } : {}),
          ...(fleetSecret ? { fleetSecret } : {}),
          onProgress: (p) => {
            laptopsDone = p.laptopsDone;
            // A shard runs a part of the fleet: its own laptops are the whole of its progress.
            if (shard) progress.setTotal(p.laptopsTotal);
            const rate = `${Math.round(p.events / Math.max(1, (Date.now() - started) / 1000) / 1e3).toLocaleString('en-US')} k events/s`;
            if (!p.paced) return progress.update(p.laptopsDone, rate);
            // Paced: the clock is the progress; a windowed run ends with its window, not with its laptops.
            const { virtualMs, fromUtcMs, untilUtcMs, uploads } = p.paced;
            const done =
              untilUtcMs === null || !Number.isFinite(virtualMs)
                ? p.laptopsDone
                : Math.round((p.laptopsTotal * Math.max(0, virtualMs - fromUtcMs)) / (untilUtcMs - fromUtcMs));
            const at = Number.isFinite(virtualMs) ? new Date(virtualMs).toISOString().slice(0, 16).replace('T', ' ') : '-';
            progress.update(Math.min(p.laptopsTotal, done), `simulated ${at} UTC, ${rate}, ${uploads.toLocaleString('en-US')} uploads`);
          },
        }),
      );
    } finally {
      progress.stop();
      release();
    }
    const { files } = await writeScenarioReport(reportDir, result);
    present(
      argv.json,
      () => runJson(reportDir, result),
      () => formatRun(result, files),
    );
    failOnThresholds({ passed: result.thresholdsPassed, outcomes: result.thresholds });
  },
};
