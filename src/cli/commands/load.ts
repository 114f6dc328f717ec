import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import {
  DEFAULT_CAPACITY_MAX_REQUESTS,
  defaultCapacityBodies,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_OUTAGE_SCALE,
  DEFAULT_VALIDITY_BOUNDS,
  MAX_DURATION_MS,
  MAX_REQUESTS,
  maxLoadWorkers,
  PROFILE_KINDS,
  runLoad,
  type LoadOptions,
  type LoadProfile,
  type LoadResult,
  type ProfileKind,
} from '../../load/index.js';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../load/thresholds.js';
import { loadJson, writeLoadReport } from '../../report/load-report.js';
import { formatLoad } from '../../report/text.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { parseTarget } from '../../targets/index.js';
import { checkProtocol, protocolEnrolls, protocolSpec } from '../../targets/protocols/index.js';
import { VERSION } from '../../version.js';
import {
  claimReportFolder,
  failOnThresholds,
  fillReportFolder,
  fleetSecretFlag,
  present,
  stopCleanlyOnSignals,
  withSharedFlags,
} from '../kit.js';
import { codecLevelFlag, durationFlag, fraction, instantFlag, positive, shardFlag, wholeNumber } from '../options.js';
import { loadProgressLine } from '../load-progress.js';
import { createProgress } from '../progress.js';

interface LoadArgs {
  target: string;
  scenario: string;
  profile: string;
  mode: string;
  duration: string;
  laptops?: unknown;
  devices?: unknown;
  rate?: unknown;
  at?: string;
  outage?: string;
  'outage-scale'?: unknown;
  warmup?: string;
  'surge-window'?: string;
  'ramp-start'?: unknown;
  'ramp-factor'?: unknown;
  'ramp-step'?: string;
  'slo-p99-ms'?: unknown;
  'slo-error-rate': unknown;
  connections: unknown;
  timeout: string;
  grace: string;
  'max-requests'?: unknown;
  corpus?: string;
  'corpus-laptops'?: unknown;
  workers: unknown;
  'fleet-secret'?: string;
  shard?: string;
  'body-level'?: unknown;
  'allow-remote': boolean;
  protocol?: string;
  adapter?: string;
  header: string[];
  body?: string;
  compression?: string;
  encoding?: string;
  method?: string;
  'max-lag-ms': unknown;
  'min-headroom': unknown;
  threshold: string[];
  out?: string;
  overwrite: boolean;
  json: boolean;
  quiet: boolean;
}

/** Defaults of the flags only some profiles read (see PROFILE_FLAGS). */
const PROFILE_FLAG_DEFAULTS = {
  outage: '30m',
  'outage-scale': DEFAULT_OUTAGE_SCALE,
  warmup: '0s',
  'surge-window': '3h',
  'ramp-factor': 1.5,
  'ramp-step': '10s',
  'slo-p99-ms': 200,
} as const;

/** The flags only some profiles read, and those profiles (in PROFILE_KINDS order). */
const PROFILE_FLAGS: Readonly<Record<string, readonly ProfileKind[]>> = {
  rate: ['steady', 'outage-recovery', 'ramp'],
  outage: ['outage-recovery'],
  'outage-scale': ['outage-recovery'],
  warmup: ['outage-recovery'],
  'surge-window': ['morning-surge'],
  'ramp-start': ['ramp'],
  'ramp-factor': ['ramp'],
  'ramp-step': ['ramp'],
  'slo-p99-ms': ['ramp'],
};

export const loadCommand: CommandParts<LoadArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(y, {
      workers: `Worker threads that generate the corpus and prepare the bodies: 0 (the main thread) to the CPUs this process may use (${maxLoadWorkers()} here)`,
      fleetSecret: "The target's enrollment secret",
      out: 'Report folder [default: <outputs.dir>/load-<profile>-<time>-<id>]',
      json: 'Print the result object as one JSON object on stdout',
      quiet: 'No progress output',
    })
      .option('target', {
        type: 'string',
        demandOption: true,
        describe: 'Base URL of the ingestion service (loopback only unless --allow-remote)',
      })
      .option('scenario', {
        type: 'string',
        demandOption: true,
        describe: 'Scenario file: the fleet (offices, work hours, agent) whose uploads are replayed',
      })
      .option('profile', {
        type: 'string',
        default: 'steady',
        choices: PROFILE_KINDS as string[],
        describe: 'Arrival pattern of the open model',
      })
      .option('mode', {
        type: 'string',
        default: 'open',
        choices: ['open', 'capacity'],
        describe: "open: the fleet's arrival schedule; capacity: closed loop through autocannon",
      })
      // nargs 1 on the durations: a value such as -5s is taken as the value (and refused by name), not as the flags -5 and -s.
      .option('duration', {
        nargs: 1,
        type: 'string',
        default: '60s',
        describe: 'How long arrivals are scheduled (e.g. 30s, 5m, 1h; at most 6h)',
      })
      .option('laptops', { describe: "Laptops in the fleet [default: the scenario's fleet.employees]" })
      .option('devices', {
        describe:
          'Devices enrolled at the target; laptop i uploads as device i mod N [default: min(laptops, 10000); a ramp enrolls more (up to 5000) so no device sends over 2 uploads/s at its last step]',
      })
      .option('rate', { describe: "Uploads per second instead of the fleet's own rate (steady, outage-recovery; ramp start)" })
      .option('at', {
        type: 'string',
        describe:
          'The fleet instant the run stands for: ISO time, or HH:MM UTC on the scenario start date [default: busiest instant; morning-surge: start of the steepest log-in wave]',
      })
      // The profile's own flags have their defaults applied in the handler (PROFILE_FLAG_DEFAULTS), not by yargs: a
      // flag the chosen profile does not read is refused, so the handler must see which were given.
      .option('outage', {
        nargs: 1,
        type: 'string',
        describe: `outage-recovery: how long the target is unreachable, in fleet time (laptops spool meanwhile) [default: ${PROFILE_FLAG_DEFAULTS.outage}]`,
      })
      .option('outage-scale', {
        describe: `outage-recovery: fleet ms per run ms while the target is down (the run holds it silent for outage ÷ this; the recovery runs in real time) [default: ${PROFILE_FLAG_DEFAULTS['outage-scale']}]`,
      })
      .option('warmup', {
        nargs: 1,
        type: 'string',
        describe: `outage-recovery: steady traffic before the outage begins [default: ${PROFILE_FLAG_DEFAULTS.warmup}]`,
      })
      .option('surge-window', {
        nargs: 1,
        type: 'string',
        describe: `morning-surge: fleet time played over --duration (per-laptop upload rates stay real) [default: ${PROFILE_FLAG_DEFAULTS['surge-window']}]`,
      })
      .option('ramp-start', { describe: "ramp: first step's rate, uploads/s [default: --rate or the fleet's rate, at least 10]" })
      .option('ramp-factor', {
        describe: `ramp: each step's rate is the previous one × this [default: ${PROFILE_FLAG_DEFAULTS['ramp-factor']}]`,
      })
      .option('ramp-step', {
        nargs: 1,
        type: 'string',
        describe: `ramp: length of each step [default: ${PROFILE_FLAG_DEFAULTS['ramp-step']}]`,
      })
      .option('slo-p99-ms', { describe: `ramp: p99 latency the target promises [default: ${PROFILE_FLAG_DEFAULTS['slo-p99-ms']}]` })
      .option('slo-error-rate', {
        default: 0.01,
        describe:
          'Largest acceptable share of failed uploads: a ramp judges each step by it; any other run whose share is above it fails (the target did not hold, exit 5)',
      })
      .option('connections', { alias: 'c', default: 256, describe: 'Keep-alive connections at most (open); exactly (capacity)' })
      .option('timeout', { nargs: 1, type: 'string', default: '30s', describe: 'Per-request timeout' })
      .option('grace', {
        nargs: 1,
        type: 'string',
        default: '10s',
        describe: 'After the schedule ends, how long answers (and spool drains) may still come; then the run stops',
      })
      .option('max-requests', {
        describe: `Requests the run may send at most (1 to ${MAX_REQUESTS.toLocaleString('en-US')}); --mode capacity prepares this many bodies, one fresh batch per request, and stops when they are sent [default: ${DEFAULT_MAX_REQUESTS.toLocaleString('en-US')}; --mode capacity: 5,000 per second of --duration, 10,000 to ${DEFAULT_CAPACITY_MAX_REQUESTS.toLocaleString('en-US')}]`,
      })
      .option('corpus', {
        type: 'string',
        describe: 'Batch folder written by `fleetsim run` with transport: corpus (<report>/corpus) [default: generate one now]',
      })
      .option('corpus-laptops', { describe: 'Laptops simulated for a generated corpus [default: min(laptops, 40)]' })
      .option('shard', {
        type: 'string',
        describe:
          'Send the deterministic slice K of N (e.g. 0/4) of the laptops, so N machines drive one target together; combine with `fleetsim merge`',
      })
      .option('body-level', {
        describe:
          "Compression level of the bodies for the agent's codec [default: the scenario agent's, e.g. brotli 5: bodies the fleet's size; lower prepares faster but bodies are larger]",
      })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a target that is not on loopback' })
      .option('protocol', {
        type: 'string',
        describe:
          'What the target speaks: fleetsim (enrollment, signed batches), http (plain POSTs), otlp-http (OpenTelemetry logs), adapter (--adapter) [default: fleetsim, or adapter with --adapter]',
      })
      .option('adapter', {
        type: 'string',
        describe: 'Your own protocol: an ES module exporting { name, request(batch), classify(answer) } (docs/targets.md)',
      })
      .option('header', {
        type: 'string',
        array: true,
        default: [],
        describe:
          'http, otlp-http: a static request header "Name: value" (repeatable); ${ENV_NAME} in the value is read from the environment and never printed',
      })
      .option('body', {
        type: 'string',
        describe: "http: the body, wire (the agent's batch as it sends it) or ndjson (one JSON object per event) [default: wire]",
      })
      .option('compression', {
        type: 'string',
        describe: "http: agent (the agent's codec) or none [default: agent]; otlp-http: gzip or none [default: gzip]",
      })
      .option('encoding', { type: 'string', describe: 'otlp-http: protobuf or json [default: protobuf]' })
      .option('method', { type: 'string', describe: 'http: POST or PUT [default: POST]' })
      .option('max-lag-ms', {
        default: DEFAULT_VALIDITY_BOUNDS.maxLagP99Ms,
        describe: 'Invalid run when the p99 schedule lag (actual − intended send) exceeds this',
      })
      .option('min-headroom', {
        default: DEFAULT_VALIDITY_BOUNDS.minCpuHeadroom,
        describe: "Invalid run when the generator's CPU headroom (1 − event-loop utilisation) falls below this",
      })
      .option('threshold', {
        type: 'string',
        array: true,
        default: [],
        describe:
          'A gate such as "latency.upload.p99_ms < 200" or "errors.rate < 0.01" (repeatable); the scenario\'s ingest.* thresholds apply too',
      })
      .example(
        '$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --laptops 20000 --duration 2m',
        "The fleet's busiest minute, held for 2 minutes",
      )
      .example(
        '$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --profile ramp --rate 100 --ramp-step 10s --duration 2m',
        'Find the knee',
      )
      .example(
        '$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --profile outage-recovery --outage 30m --laptops 5000',
        'The reconnect storm after a 30-minute outage',
      )
      .example(
        '$0 load --target http://127.0.0.1:9000/ingest --protocol http --body ndjson --header "Authorization: Bearer ${INGEST_TOKEN}" --scenario scenarios/quickstart.yaml',
        'Your own ingestion API: plain POSTs of NDJSON',
      )
      .example(
        '$0 load --target http://127.0.0.1:4318 --protocol otlp-http --scenario scenarios/quickstart.yaml',
        "An OpenTelemetry Collector's OTLP/HTTP receiver",
      ) as unknown as Argv<LoadArgs>,
  handler: async (argv: ArgumentsCamelCase<LoadArgs>) => {
    const unused = profileFlagProblem(argv, argv.mode, argv.profile);
    if (unused !== null) throw new UsageError(unused);
    const workers = loadWorkersFlag(argv.workers);
    const d = PROFILE_FLAG_DEFAULTS;
    const scenario = loadScenarioFile(argv.scenario);
    const laptops = argv.laptops === undefined ? scenario.fleet.employees : wholeNumber('laptops', argv.laptops, 1, 100_000_000);
    const devices = argv.devices === undefined ? Math.min(laptops, 10_000) : wholeNumber('devices', argv.devices, 1, 1_000_000);
    const protocol = protocolSpec(
      {
        protocol: argv.protocol,
        adapter: argv.adapter,
        headers: argv.header,
        body: argv.body,
        compression: argv.compression,
        encoding: argv.encoding,
        method: argv.method,
      },
      (k) => `--${k === 'headers' ? 'header' : k}`,
      (f) => resolve(f),
    );
    const fleetSecret = fleetSecretFlag(argv['fleet-secret']);
    if (!fleetSecret && protocolEnrolls(protocol))
      throw new UsageError(
        "--fleet-secret (or $FLEETSIM_FLEET_SECRET) must be given: the run enrolls its own devices at the target with it (a target that does not speak fleetsim's protocol: --protocol http, otlp-http or --adapter)",
      );
    if (fleetSecret && argv['fleet-secret'] !== undefined && !protocolEnrolls(protocol))
      throw new UsageError(`--fleet-secret applies to --protocol fleetsim (enrollment); --protocol ${protocol.kind} enrolls nothing`);
    await checkProtocol(protocol, parseTarget(argv.target, argv['allow-remote']).url);
    const kind = argv.profile as ProfileKind;
    const profile: LoadProfile =
      kind === 'steady'
        ? { kind }
        : kind === 'morning-surge'
          ? { kind, fleetWindowMs: durationFlag('surge-window', argv['surge-window'] ?? d['surge-window'], 1000, 24 * 3600_000) }
          : kind === 'outage-recovery'
            ? {
                kind,
                outageMs: durationFlag('outage', argv.outage ?? d.outage, 1000, 7 * 86_400_000),
                outageScale: positive('outage-scale', argv['outage-scale'] ?? d['outage-scale'], 1e6),
                warmupMs: durationFlag('warmup', argv.warmup ?? d.warmup, 0, MAX_DURATION_MS),
              }
            : {
                kind,
                startRatePerS: argv['ramp-start'] === undefined ? null : positive('ramp-start', argv['ramp-start'], 1e6),
                stepFactor: positive('ramp-factor', argv['ramp-factor'] ?? d['ramp-factor'], 100),
                stepMs: durationFlag('ramp-step', argv['ramp-step'] ?? d['ramp-step'], 100, MAX_DURATION_MS),
              };
    if (profile.kind === 'ramp' && profile.stepFactor <= 1)
      throw new UsageError(`--ramp-factor must be more than 1, got ${profile.stepFactor}`);
    const thresholds = parseLoadThresholds(argv.threshold);
    const shard = argv.shard === undefined ? null : shardFlag(argv.shard);
    if (shard && devices < shard.count)
      throw new UsageError(
        `--shard ${shard.index}/${shard.count} needs at least ${shard.count} devices (each shard sends as its own devices), got --devices ${devices}`,
      );
    const bodyLevel = argv['body-level'] === undefined ? undefined : codecLevelFlag(scenario.agent.codec, argv['body-level']);
    const durationMs = durationFlag('duration', argv.duration, 1, MAX_DURATION_MS);
    const options: Omit<LoadOptions, 'onPhase' | 'onProgress'> = {
      scenario,
      target: argv.target,
      allowRemote: argv['allow-remote'],
      protocol,
      fleetSecret: fleetSecret ?? '',
      mode: argv.mode as 'open' | 'capacity',
      profile,
      durationMs,
      maxRequests:
        argv['max-requests'] === undefined
          ? argv.mode === 'capacity'
            ? defaultCapacityBodies(durationMs)
            : DEFAULT_MAX_REQUESTS
          : wholeNumber('max-requests', argv['max-requests'], 1, MAX_REQUESTS),
      laptops,
      devices,
      devicesDefaulted: argv.devices === undefined,
      connections: wholeNumber('connections', argv.connections, 1, 10_000),
      requestTimeoutMs: durationFlag('timeout', argv.timeout, 100, 600_000),
      graceMs: durationFlag('grace', argv.grace, 0, 3600_000),
      atUtcMs: argv.at === undefined ? null : instantFlag(argv.at, scenario.simulation.startDate),
      rateOverridePerS: argv.rate === undefined ? null : positive('rate', argv.rate, 1e7),
      corpusDir: argv.corpus === undefined ? null : resolve(argv.corpus),
      corpusLaptops:
        argv['corpus-laptops'] === undefined ? Math.min(laptops, 40) : wholeNumber('corpus-laptops', argv['corpus-laptops'], 1, 100_000),
      workers,
      bounds: {
        maxLagP99Ms: positive('max-lag-ms', argv['max-lag-ms'], 1e6),
        minCpuHeadroom: fraction('min-headroom', argv['min-headroom']),
      },
      slo: {
        p99Ms: positive('slo-p99-ms', argv['slo-p99-ms'] ?? d['slo-p99-ms'], 1e7),
        errorRate: fraction('slo-error-rate', argv['slo-error-rate']),
      },
      // Names the run's devices: a real random tag, not simulation randomness, so reruns never reuse sequences.
      runTag: randomBytes(4).toString('hex'),
      shard,
      ...(bodyLevel === undefined ? {} : { bodyLevels: { [scenario.agent.codec]: bodyLevel } }),
    };
    const reportDir = claimReportFolder({
      out: argv.out,
      overwrite: argv.overwrite,
      base: scenario.outputs.dir,
      stem: `load-${options.mode === 'capacity' ? 'capacity' : kind}${shard ? `-shard${shard.index}of${shard.count}` : ''}`,
      inputs: [argv.corpus],
    });
    const quiet = argv.quiet || argv.json;
    let progress: ReturnType<typeof createProgress> | null = null;
    let preparing: ReturnType<typeof createProgress> | null = null;
    let result: LoadResult;
    // Ctrl-C while uploads are sent: the run stops, its report is written from what was measured (marked
    // interrupted), then the kit's handler exits 130. Before that there is nothing to write but the mark.
    const interrupt = new AbortController();
    let sending = false;
    let last: Record<string, number> = {};
    let partialWritten: (() => void) | null = null;
    const release = stopCleanlyOnSignals({
      command: 'load',
      reportDir,
      stopProgress: () => {
        (preparing as ReturnType<typeof createProgress> | null)?.stop();
        (progress as ReturnType<typeof createProgress> | null)?.stop();
      },
      state: () => ({ scenario: scenario.name, mode: options.mode, profile: kind, phase: sending ? 'sending' : 'preparing', ...last }),
      finish: () =>
        sending
          ? new Promise<void>((written) => {
              partialWritten = written;
              interrupt.abort();
            })
          : Promise.resolve(),
    });
    try {
      result = await fillReportFolder(reportDir, () =>
        runLoad({
          ...options,
          signal: interrupt.signal,
          onSending: () => (sending = true),
          onPhase: (m) => {
            if (!quiet) process.stderr.write(`fleetsim load: ${m}\n`);
          },
          onPrepareProgress: (done, total) => {
            preparing ??= createProgress('load: preparing bodies', total, { quiet });
            preparing.update(done, `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} bodies`);
            if (done >= total) preparing.stop();
          },
          onProgress: (p) => {
            last = { elapsed_s: Math.round(p.elapsedMs) / 1000, sent: p.sent, accepted: p.accepted, failed: p.failed };
            if (interrupt.signal.aborted) return;
            const line = loadProgressLine(p, p);
            progress ??= createProgress(`load ${options.mode === 'capacity' ? 'capacity' : kind}`, line.total, {
              quiet,
              startedAtMs: Date.now() - p.elapsedMs,
            });
            progress.update(line.done, line.detail, line.left);
          },
        }),
      );
      // interrupted.json states the report's own final counts: the last progress line lags them.
      last = {
        elapsed_s: result.wall_s,
        sent: result.requests.sent,
        accepted: result.requests.accepted,
        failed: result.requests.failed,
      };
      const verdict = evaluateLoadThresholds(result, thresholds, scenario.thresholds);
      const { files } = await writeLoadReport(reportDir, {
        result,
        thresholds: verdict.outcomes,
        versions: { fleetsim: VERSION, node: process.version },
      });
      present(
        argv.json,
        () => loadJson(reportDir, result, verdict),
        () => formatLoad(result, verdict.outcomes, verdict.notApplicable, files),
      );
      if (!interrupt.signal.aborted) finishLoad(result, verdict);
    } catch (err) {
      if (!interrupt.signal.aborted) throw err;
      // Interrupted: the signal handler exits 130 below; say why the partial report may be missing rather than drop it.
      process.stderr.write(
        `fleetsim load: after the interrupt, the partial report could not be written: ${(err as Error)?.message ?? String(err)}\n`,
      );
    } finally {
      (preparing as ReturnType<typeof createProgress> | null)?.stop();
      (progress as ReturnType<typeof createProgress> | null)?.stop();
      if (interrupt.signal.aborted) {
        // The signal handler exits 130 once told the report is written; nothing else may end the process first.
        (partialWritten as (() => void) | null)?.();
        await new Promise<never>(() => {});
      }
      release();
    }
  },
};

/** --workers of a load run: 0 (the main thread) to the CPUs this process may use (maxLoadWorkers says why). */
function loadWorkersFlag(value: unknown): number {
  const most = maxLoadWorkers();
  let n: number | null = null;
  try {
    n = wholeNumber('workers', value, 0, most);
  } catch {
    // Refused below, with the reason for the bound.
  }
  if (n === null)
    throw new UsageError(
      `--workers must be a whole number from 0 to ${most} (the CPUs this process may use: preparing bodies is CPU-bound, more threads only compete for them), got ${JSON.stringify(value)}`,
    );
  return n;
}

/**
 * Why the given flags do not fit the chosen profile (null when they do): a flag
 * only other profiles read (or, in --mode capacity, which has no profile, any
 * profile's flag) would change nothing, and the user would read the report of
 * a run they did not ask for.
 */
export function profileFlagProblem(given: Readonly<Record<string, unknown>>, mode: string, profile: string): string | null {
  const closed = mode === 'capacity';
  if (closed && profile !== 'steady')
    return `--profile ${profile} applies to the open model; --mode capacity is a closed loop with no profile (drop --profile, or use --mode open)`;
  for (const [flag, users] of Object.entries(PROFILE_FLAGS)) {
    if (given[flag] === undefined || (!closed && users.includes(profile as ProfileKind))) continue;
    const which = `--profile ${users.length === 1 ? users[0]! : `${users.slice(0, -1).join(', ')} or ${users.at(-1)!}`}`;
    return closed
      ? `--${flag} applies to ${which} of the open model; --mode capacity is a closed loop with no profile (drop --${flag}, or use --mode open)`
      : `--${flag} applies to ${which}; this run's profile is ${profile} (drop --${flag}, or choose ${which})`;
  }
  return null;
}

/** The exit of a finished run: the target failed (5), the run is invalid (3), a threshold failed (1), else 0. */
function finishLoad(result: LoadResult, verdict: ReturnType<typeof evaluateLoadThresholds>): void {
  if (result.target_failed) {
    throw new FleetsimError(
      'LOAD_TARGET_FAILED',
      `the target failed the run: ${result.invalid_reasons.join('; ')}`,
      EXIT_CODES.loadTargetFailed,
    );
  }
  if (!result.valid) {
    throw new FleetsimError(
      'LOAD_INVALID',
      `the run is invalid, its figures would flatter the target: ${result.invalid_reasons.join('; ')}`,
      EXIT_CODES.runFailed,
    );
  }
  failOnThresholds(verdict);
}
