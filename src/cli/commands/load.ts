import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { EXIT_CODES, FleetsimError, UsageError } from '../../errors.js';
import { defaultWorkerCount } from '../../pool/index.js';
import { DEFAULT_OUTAGE_SCALE, DEFAULT_VALIDITY_BOUNDS, MAX_DURATION_MS, MAX_REQUESTS, PROFILE_KINDS, runLoad, type LoadProfile, type LoadResult, type ProfileKind } from '../../load/index.js';
import { evaluateLoadThresholds, parseLoadThresholds } from '../../load/thresholds.js';
import { writeLoadReport } from '../../report/load-report.js';
import { loadScenarioFile } from '../../scenario/index.js';
import { VERSION } from '../../version.js';
import { CODEC_LEVELS, type Codec } from '../../wire/index.js';
import { folderTimestamp, wholeNumber, shardFlag } from '../options.js';
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
  outage: string;
  'outage-scale': unknown;
  warmup: string;
  'surge-window': string;
  'ramp-start'?: unknown;
  'ramp-factor': unknown;
  'ramp-step': string;
  'slo-p99-ms': unknown;
  'slo-error-rate': unknown;
  connections: unknown;
  timeout: string;
  grace: string;
  'max-requests': unknown;
  corpus?: string;
  'corpus-laptops'?: unknown;
  workers: unknown;
  'fleet-secret'?: string;
  shard?: string;
  'body-level'?: unknown;
  'allow-remote': boolean;
  'max-lag-ms': unknown;
  'min-headroom': unknown;
  threshold: string[];
  out?: string;
  json: boolean;
  quiet: boolean;
}

export const loadCommand: CommandModule<object, LoadArgs> = {
  command: 'load',
  describe: 'Load-test an ingestion endpoint with fleet-shaped traffic of real agent batches; honest latency from intended send times',
  builder: (y: Argv) =>
    y
      .option('target', { type: 'string', demandOption: true, describe: 'Base URL of the ingestion service (loopback only unless --allow-remote)' })
      .option('scenario', { type: 'string', demandOption: true, describe: 'Scenario file: the fleet (offices, work hours, agent) whose uploads are replayed' })
      .option('profile', { type: 'string', default: 'steady', choices: PROFILE_KINDS as string[], describe: 'Arrival pattern of the open model' })
      .option('mode', { type: 'string', default: 'open', choices: ['open', 'capacity'], describe: 'open: the fleet\'s arrival schedule; capacity: closed loop through autocannon' })
      .option('duration', { type: 'string', default: '60s', describe: 'How long arrivals are scheduled (e.g. 30s, 5m, 1h; at most 6h)' })
      .option('laptops', { describe: 'Laptops in the fleet [default: the scenario\'s fleet.employees]' })
      .option('devices', { describe: 'Devices enrolled at the target; laptop i uploads as device i mod N [default: min(laptops, 10000)]' })
      .option('rate', { describe: 'Uploads per second instead of the fleet\'s own rate (steady, outage-recovery; ramp start)' })
      .option('at', { type: 'string', describe: 'The fleet instant the run stands for: ISO time, or HH:MM UTC on the scenario start date [default: busiest instant; morning-surge: start of the steepest log-in wave]' })
      .option('outage', { type: 'string', default: '30m', describe: 'outage-recovery: how long the target is unreachable, in fleet time (laptops spool meanwhile)' })
      .option('outage-scale', { default: DEFAULT_OUTAGE_SCALE, describe: 'outage-recovery: fleet ms per run ms while the target is down (the run holds it silent for outage ÷ this; the recovery runs in real time)' })
      .option('warmup', { type: 'string', default: '0s', describe: 'outage-recovery: steady traffic before the outage begins' })
      .option('surge-window', { type: 'string', default: '3h', describe: 'morning-surge: fleet time played over --duration (per-laptop upload rates stay real)' })
      .option('ramp-start', { describe: 'ramp: first step\'s rate, uploads/s [default: --rate or the fleet\'s rate, at least 10]' })
      .option('ramp-factor', { default: 1.5, describe: 'ramp: each step\'s rate is the previous one × this' })
      .option('ramp-step', { type: 'string', default: '10s', describe: 'ramp: length of each step' })
      .option('slo-p99-ms', { default: 200, describe: 'ramp: p99 latency the target promises' })
      .option('slo-error-rate', { default: 0.01, describe: 'ramp: largest acceptable share of failed uploads' })
      .option('connections', { alias: 'c', default: 256, describe: 'Keep-alive connections at most (open); exactly (capacity)' })
      .option('timeout', { type: 'string', default: '30s', describe: 'Per-request timeout' })
      .option('grace', { type: 'string', default: '10s', describe: 'After the schedule ends, how long answers (and spool drains) may still come; then the run stops' })
      .option('max-requests', { default: 1_000_000, describe: `Requests the run may send at most (1 to ${MAX_REQUESTS.toLocaleString('en-US')})` })
      .option('corpus', { type: 'string', describe: 'Batch folder written by `fleetsim run` with transport: corpus (<report>/corpus) [default: generate one now]' })
      .option('corpus-laptops', { describe: 'Laptops simulated for a generated corpus [default: min(laptops, 40)]' })
      .option('workers', { alias: 'w', default: defaultWorkerCount(), describe: 'Worker threads that generate the corpus' })
      .option('fleet-secret', { type: 'string', describe: 'The target\'s enrollment secret [default: $FLEETSIM_FLEET_SECRET]' })
      .option('shard', { type: 'string', describe: 'Send the deterministic slice K of N (e.g. 0/4) of the laptops, so N machines drive one target together; combine with `fleetsim merge`' })
      .option('body-level', { describe: 'Compression level of the bodies for the agent\'s codec [default: the scenario agent\'s, e.g. brotli 5: bodies the fleet\'s size; lower prepares faster but bodies are larger]' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a target that is not on loopback' })
      .option('max-lag-ms', { default: DEFAULT_VALIDITY_BOUNDS.maxLagP99Ms, describe: 'Invalid run when the p99 schedule lag (actual − intended send) exceeds this' })
      .option('min-headroom', { default: DEFAULT_VALIDITY_BOUNDS.minCpuHeadroom, describe: 'Invalid run when the generator\'s CPU headroom (1 − event-loop utilisation) falls below this' })
      .option('threshold', { type: 'string', array: true, default: [], describe: 'A gate such as "latency.upload.p99_ms < 200" or "errors.rate < 0.01" (repeatable); the scenario\'s ingest.* thresholds apply too' })
      .option('out', { alias: 'o', type: 'string', describe: 'Report folder [default: <outputs.dir>/load-<profile>-<time>]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result object as one JSON object on stdout' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
      .example('$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --laptops 20000 --duration 2m', 'The fleet\'s busiest minute, held for 2 minutes')
      .example('$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --profile ramp --rate 100 --ramp-step 10s --duration 2m', 'Find the knee')
      .example('$0 load --target http://127.0.0.1:8080 --scenario scenarios/quickstart.yaml --profile outage-recovery --outage 30m --laptops 5000', 'The reconnect storm after a 30-minute outage') as unknown as Argv<LoadArgs>,
  handler: async (argv: ArgumentsCamelCase<LoadArgs>) => {
    const scenario = loadScenarioFile(argv.scenario);
    const laptops = argv.laptops === undefined ? scenario.fleet.employees : wholeNumber('laptops', argv.laptops, 1, 100_000_000);
    const devices = argv.devices === undefined ? Math.min(laptops, 10_000) : wholeNumber('devices', argv.devices, 1, 1_000_000);
    const durationMs = durationFlag('duration', argv.duration, 1, MAX_DURATION_MS);
    const fleetSecret = argv['fleet-secret'] ?? process.env.FLEETSIM_FLEET_SECRET;
    if (!fleetSecret) throw new UsageError('--fleet-secret (or $FLEETSIM_FLEET_SECRET) must be given: the run enrolls its own devices at the target with it');
    const kind = argv.profile as ProfileKind;
    const profile: LoadProfile =
      kind === 'steady' ? { kind }
      : kind === 'morning-surge' ? { kind, fleetWindowMs: durationFlag('surge-window', argv['surge-window'], 1000, 24 * 3600_000) }
      : kind === 'outage-recovery'
        ? { kind, outageMs: durationFlag('outage', argv.outage, 1000, 7 * 86_400_000), outageScale: positive('outage-scale', argv['outage-scale'], 1e6), warmupMs: durationFlag('warmup', argv.warmup, 0, MAX_DURATION_MS) }
      : {
          kind,
          startRatePerS: argv['ramp-start'] === undefined ? null : positive('ramp-start', argv['ramp-start'], 1e6),
          stepFactor: positive('ramp-factor', argv['ramp-factor'], 100),
          stepMs: durationFlag('ramp-step', argv['ramp-step'], 100, MAX_DURATION_MS),
        };
    if (profile.kind === 'ramp' && profile.stepFactor <= 1) throw new UsageError(`--ramp-factor must be more than 1, got ${profile.stepFactor}`);
    const thresholds = parseLoadThresholds(argv.threshold);
    const shard = argv.shard === undefined ? null : shardFlag(argv.shard);
    if (shard && devices < shard.count) throw new UsageError(`--shard ${shard.index}/${shard.count} needs at least ${shard.count} devices (each shard sends as its own devices), got --devices ${devices}`);
    const bodyLevel = argv['body-level'] === undefined ? undefined : codecLevelFlag(scenario.agent.codec, argv['body-level']);
    const reportDir = resolve(argv.out ?? join(scenario.outputs.dir, `load-${argv.mode === 'capacity' ? 'capacity' : kind}-${folderTimestamp()}${shard ? `-shard${shard.index}of${shard.count}` : ''}`));
    const quiet = argv.quiet || argv.json;
    const say = (m: string) => {
      if (!quiet) process.stderr.write(`fleetsim load: ${m}\n`);
    };
    let progress: ReturnType<typeof createProgress> | null = null;
    const result = await runLoad({
      scenario,
      target: argv.target,
      allowRemote: argv['allow-remote'],
      fleetSecret,
      mode: argv.mode as 'open' | 'capacity',
      profile,
      durationMs,
      maxRequests: wholeNumber('max-requests', argv['max-requests'], 1, MAX_REQUESTS),
      laptops,
      devices,
      connections: wholeNumber('connections', argv.connections, 1, 10_000),
      requestTimeoutMs: durationFlag('timeout', argv.timeout, 100, 600_000),
      graceMs: durationFlag('grace', argv.grace, 0, 3600_000),
      atUtcMs: argv.at === undefined ? null : instantFlag(argv.at, scenario.simulation.startDate),
      rateOverridePerS: argv.rate === undefined ? null : positive('rate', argv.rate, 1e7),
      corpusDir: argv.corpus === undefined ? null : resolve(argv.corpus),
      corpusLaptops: argv['corpus-laptops'] === undefined ? Math.min(laptops, 40) : wholeNumber('corpus-laptops', argv['corpus-laptops'], 1, 100_000),
      workers: wholeNumber('workers', argv.workers, 0, 256),
      bounds: { maxLagP99Ms: positive('max-lag-ms', argv['max-lag-ms'], 1e6), minCpuHeadroom: fraction('min-headroom', argv['min-headroom']) },
      slo: { p99Ms: positive('slo-p99-ms', argv['slo-p99-ms'], 1e7), errorRate: fraction('slo-error-rate', argv['slo-error-rate']) },
      // Names the run's devices: a real random tag, not simulation randomness, so reruns never reuse sequences.
      runTag: randomBytes(4).toString('hex'),
      shard,
      ...(bodyLevel === undefined ? {} : { bodyLevels: { [scenario.agent.codec]: bodyLevel } }),
      onPhase: say,
      onProgress: (p) => {
        progress ??= createProgress(`load ${kind}`, Math.ceil(p.durationMs / 1000), { quiet });
        progress.update(Math.min(Math.ceil(p.durationMs / 1000), Math.floor(p.elapsedMs / 1000)), `sent ${p.sent}, accepted ${p.accepted}, failed ${p.failed}, in flight ${p.inFlight}`);
      },
    });
    (progress as ReturnType<typeof createProgress> | null)?.stop();
    const evaluated = evaluateLoadThresholds(result, thresholds, scenario.thresholds);
    const { files } = await writeLoadReport(reportDir, { result, thresholds: evaluated.outcomes, versions: { fleetsim: VERSION, node: process.version } });
    if (argv.json) {
      const { histograms: _h, timeline: _t, ...rest } = result;
      process.stdout.write(`${JSON.stringify({ ...rest, thresholds: evaluated.outcomes, thresholdsPassed: evaluated.passed, reportDir })}\n`);
    } else {
      process.stdout.write(formatLoad(result, evaluated.outcomes, evaluated.notApplicable, files));
    }
    if (!result.valid) {
      throw new FleetsimError('LOAD_INVALID', `the run is invalid, its figures would flatter the target: ${result.invalid_reasons.join('; ')}`, EXIT_CODES.runFailed);
    }
    if (!evaluated.passed) {
      const failed = evaluated.outcomes.filter((t) => !t.pass);
      throw new FleetsimError('THRESHOLDS_FAILED', `${failed.length} of ${evaluated.outcomes.length} thresholds failed: ${failed.map((t) => `${t.expression} (actual ${t.actual ?? 'n/a'})`).join('; ')}`, EXIT_CODES.thresholdsFailed);
    }
  },
};

/** 30s, 5m, 1h, 250ms, or plain seconds. */
export function durationFlag(flag: string, value: unknown, minMs: number, maxMs: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim());
  const ms = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!m || !(ms >= minMs && ms <= maxMs)) {
    throw new UsageError(`--${flag} must be a duration like 30s, 5m or 1h between ${minMs} ms and ${maxMs / 1000} s, got ${JSON.stringify(value)}`);
  }
  return ms;
}


function codecLevelFlag(codec: Codec, value: unknown): number {
  const n = Number(value);
  if (codec === 'identity') throw new UsageError(`--body-level does not apply: the scenario's agent sends uncompressed bodies (codec identity)`);
  const r = CODEC_LEVELS[codec];
  if (!Number.isInteger(n) || n < r.min || n > r.max) throw new UsageError(`--body-level must be a whole number from ${r.min} to ${r.max} for the agent's codec ${codec}, got ${JSON.stringify(value)}`);
  return n;
}

function positive(flag: string, value: unknown, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${flag} must be a number more than 0 and at most ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function fraction(flag: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${flag} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return n;
}

function instantFlag(value: string, startDate: string): number {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(value);
  const ms = hm ? Date.parse(`${startDate}T${hm[1]!.padStart(2, '0')}:${hm[2]}:00Z`) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--at must be an ISO time (2026-03-02T14:00:00Z) or HH:MM UTC on the scenario start date, got ${JSON.stringify(value)}`);
  return ms;
}

function formatLoad(r: LoadResult, thresholds: readonly { expression: string; actual: number | null; pass: boolean }[], notApplicable: readonly string[], files: readonly string[]): string {
  const l = (x: { p50_ms: number | null; p90_ms: number | null; p99_ms: number | null; p999_ms: number | null; max_ms: number | null; requests: number }) =>
    `p50 ${x.p50_ms ?? '—'}, p90 ${x.p90_ms ?? '—'}, p99 ${x.p99_ms ?? '—'}, p99.9 ${x.p999_ms ?? '—'}, max ${x.max_ms ?? '—'} ms (${x.requests.toLocaleString('en-US')})`;
  const lines = [
    `fleetsim load ${r.profile} (${r.mode}) against ${r.target}: ${r.valid ? 'valid' : 'INVALID'}`,
    ...r.invalid_reasons.map((s) => `  INVALID     ${s}`),
    ...(r.shard ? [`  shard       ${r.shard.index}/${r.shard.count} of the laptops (merge the shards with \`fleetsim merge\`)`] : []),
    `  bodies      ${r.corpus.bodies.toLocaleString('en-US')} prepared at ${Object.entries(r.corpus.codec_levels ?? {}).map(([c, l]) => `${c} ${l}`).join(', ')} (p50 ${r.corpus.body_bytes_p50} B) in ${r.corpus.prepare_wall_s ?? '—'} s, ${r.corpus.prepare_ms_per_body ?? '—'} ms per body on ${r.corpus.prepare_workers ?? 0} workers`,
    `  requests    ${r.requests.sent.toLocaleString('en-US')} sent of ${r.requests.planned.toLocaleString('en-US')} planned; ${r.requests.accepted.toLocaleString('en-US')} accepted, ${r.requests.failed.toLocaleString('en-US')} failed (${r.requests.unfinished} unanswered at the end)`,
    `  throughput  ${r.throughput.requests_per_s} requests/s, ${r.throughput.accepted_per_s} accepted/s, ${r.throughput.events_per_s.toLocaleString('en-US')} events/s`,
    ...Object.entries(r.latency).map(([k, v]) => `  latency     ${k.padEnd(12)} ${l(v)}`),
    ...(r.errors.total > 0 ? [`  errors      ${Object.entries(r.errors.by_reason).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    `  generator   schedule lag p50 ${r.schedule_lag.p50_ms ?? '—'} ms, p99 ${r.schedule_lag.p99_ms ?? '—'} ms; CPU headroom ${r.generator.cpu_headroom}; ${r.generator.cpu_us_per_request ?? '—'} µs CPU per request`,
    ...(r.drain
      ? [
          `  outage      ${r.drain.outage_s} s of fleet time held as ${r.drain.outage_run_s} s of silence; target back at ${r.drain.recovery_at_s} s`,
          `  drain       ${r.drain.backlog_batches} spooled batches on ${r.drain.laptops} laptops: ${r.drain.drained ? `drained in ${r.drain.drain_s} s after the recovery` : `${r.drain.left} left at the end`}${r.drain.lost_spool_full + r.drain.lost_rejected > 0 ? `; lost ${r.drain.lost_spool_full} to full spools, ${r.drain.lost_rejected} refused` : ''}`,
          `  herd        peak ${r.drain.peak_arrivals_per_s ?? '—'} uploads/s after the recovery vs steady ${r.drain.steady_arrivals_per_s}/s: ${r.drain.peak_to_steady ?? '—'}x`,
        ]
      : []),
    ...(r.ramp
      ? [
          `  ramp        knee ${r.ramp.knee_rate_per_s ?? '—'} uploads/s; ${r.ramp.broke_at_rate_per_s !== null ? `SLO broken at ${r.ramp.broke_at_rate_per_s}/s` : `no valid step broke the SLO (held up to ${r.ramp.held_up_to_rate_per_s ?? '—'}/s)`}${r.ramp.generator_limited_at_rate_per_s !== null ? `; generator fell behind at ${r.ramp.generator_limited_at_rate_per_s}/s` : ''}`,
          ...r.ramp.steps.map((s) => `    step ${String(s.step).padStart(2)}  ${String(s.rate_per_s).padStart(10)}/s  p99 ${s.p99_ms ?? '—'} ms  errors ${s.error_rate ?? '—'}  ${s.held === null ? 'not judged' : s.held ? 'held' : 'BROKE'}  generator ${s.valid === null ? '—' : s.valid ? 'kept up' : 'FELL BEHIND'} (lag p99 ${s.lag_p99_ms ?? '—'} ms, headroom ${s.cpu_headroom ?? '—'})`),
        ]
      : []),
    ...thresholds.map((t) => `  threshold   ${t.pass ? 'pass' : 'FAIL'}  ${t.expression}  (actual ${t.actual ?? 'n/a'})`),
    ...(notApplicable.length ? [`  (scenario thresholds not about ingest, not evaluated: ${notApplicable.join('; ')})`] : []),
    `report: ${files.find((f) => f.endsWith('report.html'))}`,
  ];
  return `${lines.join('\n')}\n`;
}
