import { resolve, join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { defaultWorkerCount } from '../../generate/index.js';
import { runScenario, type ScenarioRunResult } from '../../run/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { folderTimestamp, wholeNumber, shardFlag } from '../options.js';
import { createProgress } from '../progress.js';

interface RunArgs {
  scenario: string;
  workers: unknown;
  shard?: string;
  out?: string;
  json: boolean;
  quiet: boolean;
  fleetSecret?: string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Run a scenario: the simulated fleet through the real capture agent; report bandwidth, battery, yield, leaks and thresholds',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'Scenario file (YAML or JSON); see `fleetsim validate` and `fleetsim schema`' })
      .option('workers', { alias: 'w', default: defaultWorkerCount(), describe: 'Worker threads (0 = run in the main thread)' })
      .option('shard', { type: 'string', describe: 'Run the deterministic slice K of N (e.g. 0/4) for clusters; combine with `fleetsim merge`' })
      .option('out', { alias: 'o', type: 'string', describe: 'Report folder [default: <outputs.dir>/<name>-<time>]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print summary figures as one JSON object on stdout' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
      .option('fleet-secret', { type: 'string', describe: 'Fleet secret of an ingest.kind url target, to enroll the laptops there [default: $FLEETSIM_FLEET_SECRET]' })
      .example('$0 run scenarios/quickstart.yaml', 'The quickstart: 200 employees for a day')
      .example('$0 run scenarios/rollout-10k.yaml --shard 0/4', 'A quarter of a 10,000-laptop day')
      .epilog(
        'Speed: simulation.speed max runs laptops one after another in virtual time; a number paces the run on the wall clock ' +
          '(1 = real time) over simulation.window, with every laptop live at once: for soak tests of a service and for the ingest-restart fault.\n' +
          'Exit codes: 0 all thresholds hold; 1 a threshold failed; 2 invalid scenario or flags; 3 the run could not complete; 4 internal error.',
      ) as unknown as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs>) => {
    const workers = wholeNumber('workers', argv.workers, 0, 256);
    const shard = argv.shard === undefined ? undefined : shardFlag(argv.shard);
    const scenario = loadScenarioFile(argv.scenario);
    const reportDir = resolve(argv.out ?? join(scenario.outputs.dir, `${scenario.name.replace(/[^\w.-]/g, '_')}-${folderTimestamp()}${shard ? `-shard${shard.index}of${shard.count}` : ''}`));
    const progress = createProgress(`run ${scenario.name}`, scenario.fleet.employees, { quiet: argv.quiet || argv.json });
    const started = Date.now();
    const result = await runScenario(scenario, {
      reportDir,
      workers,
      ...(shard ? { shard } : {}),
      ...((argv.fleetSecret ?? process.env.FLEETSIM_FLEET_SECRET) ? { fleetSecret: (argv.fleetSecret ?? process.env.FLEETSIM_FLEET_SECRET) as string } : {}),
      onProgress: (p) => {
        const rate = `${Math.round(p.events / Math.max(1, (Date.now() - started) / 1000) / 1e3).toLocaleString('en-US')} k events/s`;
        if (!p.paced) return progress.update(p.laptopsDone, rate);
        // Paced: the clock is the progress; a windowed run ends with its window, not with its laptops.
        const { virtualMs, fromUtcMs, untilUtcMs, uploads } = p.paced;
        const done = untilUtcMs === null || !Number.isFinite(virtualMs) ? p.laptopsDone : Math.round((p.laptopsTotal * Math.max(0, virtualMs - fromUtcMs)) / (untilUtcMs - fromUtcMs));
        const at = Number.isFinite(virtualMs) ? new Date(virtualMs).toISOString().slice(0, 16).replace('T', ' ') : '-';
        progress.update(Math.min(p.laptopsTotal, done), `simulated ${at} UTC, ${rate}, ${uploads.toLocaleString('en-US')} uploads`);
      },
    });
    progress.stop();
    if (argv.json) process.stdout.write(`${JSON.stringify({ reportDir: result.reportDir, thresholdsPassed: result.thresholdsPassed, thresholds: result.thresholds, ledger: result.figures.ledger, bandwidth: result.figures.bandwidth, battery: result.figures.battery, yield: result.figures.yield, leaks: result.figures.leaks, simulation: result.figures.simulation, paced: result.figures.paced, process: result.figures.process, ingest: result.figures.ingest })}\n`);
    else process.stdout.write(formatRun(scenario.name, result));
    if (!result.thresholdsPassed) {
      const failed = result.thresholds.filter((t) => !t.pass);
      throw new FleetsimError('THRESHOLDS_FAILED', `${failed.length} of ${result.thresholds.length} thresholds failed: ${failed.map((t) => `${t.expression} (actual ${t.actual ?? 'n/a'})`).join('; ')}`, EXIT_CODES.thresholdsFailed);
    }
  },
};


function formatRun(name: string, r: ScenarioRunResult): string {
  const f = r.figures;
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const lines = [
    `fleetsim run ${name}: ${f.laptops.toLocaleString('en-US')} laptops, ${f.events.toLocaleString('en-US')} input events in ${f.simulation.wall_seconds} s (${f.simulation.employee_days_per_min.toLocaleString('en-US')} employee-days/min)`,
    `  ledger      stored ${f.ledger.stored.toLocaleString('en-US')}, redacted ${f.ledger.redacted.toLocaleString('en-US')}, coalesced ${f.ledger.coalesced.toLocaleString('en-US')}, paused ${f.ledger.dropped_paused.toLocaleString('en-US')}, exempt ${f.ledger.dropped_exempt.toLocaleString('en-US')}, spooled ${f.ledger.spooled}, lost ${f.ledger.lost}`,
    `  bandwidth   MB per laptop-day p50 ${f.bandwidth.mb_per_laptop_day.p50}, p95 ${f.bandwidth.mb_per_laptop_day.p95}, max ${f.bandwidth.mb_per_laptop_day.max}`,
    `  battery     % per day p50 ${f.battery.pct_per_day.p50}, p95 ${f.battery.pct_per_day.p95}; agent CPU s/hour p50 ${f.battery.cpu_s_per_hour.p50}; wake-ups/min p50 ${f.battery.wakeups_per_min.p50}`,
    `  yield       captured ${pct(f.yield.overall)} of produced events (stored one for one ${pct(f.yield.stored_share)})`,
    ...(f.ingest.p50_ms !== null ? [`  ingest      ${f.ingest.requests.toLocaleString('en-US')} uploads, latency p50 ${f.ingest.p50_ms} ms, p99 ${f.ingest.p99_ms} ms, max ${f.ingest.max_ms} ms; ${f.ingest.errors} errors; ${f.ingest.refused_paused} events refused as paused`] : []),
    ...(f.paced ? [`  paced       ${f.paced.speed}x real time from ${f.paced.from_utc}${f.paced.until_utc ? ` to ${f.paced.until_utc}` : ''}; timers late by p50 ${f.paced.schedule_lag_p50_ms} ms, p99 ${f.paced.schedule_lag_p99_ms} ms, max ${f.paced.schedule_lag_max_ms} ms (${f.paced.on_schedule ? 'on schedule' : 'BEHIND SCHEDULE: the machine could not keep up'})`] : []),
    ...(f.process ? formatProcess(f.process) : []),
    ...(f.faults.injected_total > 0 ? [`  faults      ${Object.entries(f.faults.injected).map(([k, v]) => `${k} ${v}`).join(', ')}${f.faults.peak_to_steady !== null ? `; after the outage uploads peaked at ${f.faults.peak_to_steady}x the steady rate` : ''}`] : []),
    `  privacy     ${f.leaks.canaries} of ${f.leaks.canaries_planted} planted canaries found in ${f.leaks.scanned}`,
    ...r.thresholds.map((t) => `  threshold   ${t.pass ? 'pass' : 'FAIL'}  ${t.expression}  (actual ${t.actual ?? 'n/a'})`),
    `report: ${r.files.find((x) => x.endsWith('report.html'))}`,
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/** A real-time run of process agents: what the observer measured, and whether injection kept time. */
function formatProcess(p: NonNullable<ScenarioRunResult['figures']['process']>): string[] {
  const rapl = p.fleet.rapl.kind === 'rapl' ? `${p.fleet.rapl.joules.toFixed(1)} J package (RAPL ${p.fleet.rapl.zone})` : `RAPL unavailable (${p.fleet.rapl.reason})`;
  return [
    `  process     ${p.agent} agent over ${p.input}, ${p.laptops.length} processes: CPU s/hour p50 ${p.cpu_s_per_hour.p50}, max ${p.cpu_s_per_hour.max}; wake-ups/active min p50 ${p.wakeups_per_active_min.p50}; peak RSS p50 ${p.rss_peak_mb.p50} MB; bytes/hour p50 ${p.bytes_per_hour.p50}; battery % per day p50 ${p.battery_pct_per_day.p50}`,
    `              ${p.fleet.cpu_us_per_event ?? 'n/a'} CPU µs and ${p.fleet.wakeups_per_event ?? 'n/a'} wake-ups per injected event; ${rapl}; ledger ${p.ledger_balanced === null ? 'not kept by this agent' : p.ledger_balanced ? 'balanced' : 'DOES NOT BALANCE'}`,
    `  injection   ${p.injection.injected.toLocaleString('en-US')} events late by p50 ${p.injection.p50_ms} ms, p99 ${p.injection.p99_ms} ms, max ${p.injection.max_ms} ms (${p.injection.on_time ? 'on time' : 'BEHIND: the machine could not replay input on time; figures are not valid'})`,
  ];
}
