import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { runJson, writeScenarioReport } from '../../report/run-report.js';
import { formatRun } from '../../report/text.js';
import { runScenario, type ConfigurationStep, type FleetRunProgress, type ScenarioRunResult } from '../../run/index.js';
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
import { shardRange } from '../../pool/index.js';
import { keptAfterInterrupt, removeUnfinishedConfigurations } from '../interrupted-run.js';
import { shardFlag } from '../options.js';
import { createProgress, interruptedRunState, runPosition } from '../progress.js';

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
          'Exit codes: 0 all thresholds hold; 1 a threshold failed; 2 invalid scenario or flags; 3 the run could not complete; 4 internal error.\n' +
          'Several agent configurations (scenario agents): exit 0 when at least one configuration meets every threshold (the cheapest such is recommended), 1 when none does; ' +
          "the thresholds reported (text, --json, summary.json) are the recommended configuration's, else the first's, named in thresholds_configuration.",
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
    const progress = createProgress(`run ${scenario.name}`, scenario.fleet.employees * (scenario.agents?.length ?? 1), {
      quiet: argv.quiet || argv.json,
    });
    // The events rate is of the configuration under way: its fleet run counts events from 0.
    let started = Date.now();
    let last: FleetRunProgress | null = null;
    let step: ConfigurationStep | null = null;
    // The configurations finished: complete, so a stop keeps their reports.
    const completed: { name: string; result: ScenarioRunResult }[] = [];
    const names = () => completed.map((c) => c.name);
    // A shard's record counts its own laptops: the fleet's count would say it ran four times what it did.
    const range = shard ? shardRange(scenario.fleet.employees, shard) : { from: 0, to: scenario.fleet.employees };
    const release = stopCleanlyOnSignals({
      command: 'run',
      reportDir,
      stopProgress: () => progress.stop(),
      state: () =>
        interruptedRunState({
          scenario: scenario.name,
          laptops: range.to - range.from,
          shard: shard ?? null,
          last,
          step,
          completed: names(),
        }),
      finish: async () => {
        for (const c of completed) await writeScenarioReport(c.result.reportDir, c.result);
      },
      removeAlso: () => removeUnfinishedConfigurations(reportDir, names()),
      kept: () => keptAfterInterrupt(reportDir, names()),
    });
    let result: ScenarioRunResult;
    try {
      result = await fillReportFolder(reportDir, () =>
        runScenario(scenario, {
          reportDir,
          workers,
          ...(shard ? { shard } : {}),
          ...(fleetSecret ? { fleetSecret } : {}),
          onConfigurationDone: (name, r) => completed.push({ name, result: r }),
          onConfiguration: (s) => {
            // Said at once: a configuration's first laptops may take a while, and the display must not name the last one meanwhile.
            const at = runPosition({ laptopsDone: 0, laptopsTotal: last?.laptopsTotal ?? scenario.fleet.employees, events: 0 }, s);
            progress.update(at.done, `${at.prefix}, starting`);
            step = s;
            last = null;
            started = Date.now();
          },
          onProgress: (p) => {
            last = p;
            const at = runPosition(p, step);
            // A shard runs a part of the fleet: its own laptops are the whole of its progress.
            if (shard) progress.setTotal(at.total);
            const rate = `${Math.round(p.events / Math.max(1, (Date.now() - started) / 1000) / 1e3).toLocaleString('en-US')} k events/s`;
            const clock = p.paced
              ? `simulated ${Number.isFinite(p.paced.virtualMs) ? new Date(p.paced.virtualMs).toISOString().slice(0, 16).replace('T', ' ') : '-'} UTC, `
              : '';
            const uploads = p.paced ? `, ${p.paced.uploads.toLocaleString('en-US')} uploads` : '';
            progress.update(at.done, `${at.prefix ? `${at.prefix}, ` : ''}${clock}${rate}${uploads}`);
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
