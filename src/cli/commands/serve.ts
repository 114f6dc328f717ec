import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { RunError, UsageError } from '../../errors.js';
import {
  DEFAULT_INGEST_LIMITS,
  SERVER_HEAP_FLAGS,
  StoreOpenError,
  StoreUrlError,
  createIngestServer,
  redactStoreUrl,
  missingServerHeapFlags,
} from '../../ingest/index.js';
import { relaunchWithNodeFlags, willRelaunch } from '../relaunch.js';
import { supportedV8Flags } from '../../v8-flags.js';
import { MIN_SECRET_CHARS } from '../../auth/index.js';
import { adminSecretFlag, fleetSecretFlag, withSharedFlags } from '../kit.js';
import { positive, wholeNumber } from '../options.js';

interface ServeArgs {
  port: number;
  host: string;
  store: string;
  'fleet-secret'?: string;
  'previous-fleet-secret'?: string[];
  'admin-secret'?: string;
  'sqlite-sync': string;
  'max-body-bytes': number;
  'max-decoded-bytes': number;
  'max-events': number;
  'max-in-flight': number;
  'rate-per-device': number;
  'rate-burst': number;
  'max-skew-s': number;
  'drain-timeout-s': number;
  'decode-threads': number;
  heap: string;
}

const L = DEFAULT_INGEST_LIMITS;
/** The agent's --drain-timeout-ms allows as much (10 minutes); an orchestrator kills a process that drains longer anyway. */
const MAX_DRAIN_TIMEOUT_S = 600;

export const serveCommand: CommandParts<ServeArgs> = {
  builder: (y: Argv) =>
    withSharedFlags(y, {
      fleetSecret: `Fleet secret: the enrollment credential every laptop holds; it enrolls new devices and does nothing else (≥ ${MIN_SECRET_CHARS} characters)`,
    })
      .option('previous-fleet-secret', {
        type: 'string',
        array: true,
        describe:
          'A fleet secret still accepted for enrollment while laptops move to the new one (repeat for several); rotating never re-keys enrolled devices [default: $FLEETSIM_PREVIOUS_FLEET_SECRET]',
      })
      .option('admin-secret', {
        type: 'string',
        describe: `Admin secret for revoke, reinstate, exemptions and gaps (authorization: Admin <secret>); distinct from every fleet secret, ≥ ${MIN_SECRET_CHARS} characters. Without it those routes answer 403 AUTH_ADMIN_DISABLED [default: $FLEETSIM_ADMIN_SECRET]`,
      })
      .option('port', { alias: 'p', default: 8080, describe: 'TCP port (0 = any free port; the chosen one is printed)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('store', {
        type: 'string',
        default: 'sqlite:fleetsim-ingest.db',
        describe: 'Where batches go: sqlite:FILE (embedded, WAL) or postgres://user:pass@host:5432/db[?schema=name]',
      })
      .option('sqlite-sync', {
        type: 'string',
        default: 'full',
        choices: ['full', 'normal'],
        describe: 'SQLite synchronous level: full survives power loss, normal only process crashes',
      })
      .option('max-body-bytes', { default: L.maxBodyBytes, describe: 'Compressed body cap per upload (413 above)' })
      .option('max-decoded-bytes', { default: L.maxDecodedBytes, describe: 'Decompressed size cap, enforced while inflating (413 above)' })
      .option('max-events', { default: L.maxEventsPerBatch, describe: 'Events per batch (413 above)' })
      .option('max-in-flight', { default: L.maxInFlight, describe: 'Uploads processed at once; more get 503 + Retry-After' })
      .option('rate-per-device', {
        default: L.rate.perSecond,
        describe: 'Uploads per second per device (token bucket); more get 429 + Retry-After',
      })
      .option('rate-burst', { default: L.rate.burst, describe: 'Token bucket size per device' })
      .option('max-skew-s', {
        default: L.maxSkewMs / 1000,
        describe: 'Largest accepted difference between a request signature time and the server clock, seconds',
      })
      .option('decode-threads', {
        default: 0,
        describe:
          'Worker threads that inflate and decode uploads, so the event loop keeps to HTTP, auth, policy and the store (0 = decode in the event loop). ' +
          'Pays only on a machine with idle cores: the hand-off costs CPU (npm run bench:ingest shows both)',
      })
      .option('heap', {
        type: 'string',
        default: 'server',
        choices: ['server', 'node'],
        describe:
          `V8's heap: server restarts the process with ${SERVER_HEAP_FLAGS.join(' ')} (7-13 % less CPU per upload on Node 20, 27-30 % on Node 24: ` +
          "npm run bench:ingest), where the runtime can restart itself in place (Node >= 22.15); node keeps Node's defaults",
      })
      .option('drain-timeout-s', {
        default: 10,
        describe: `On SIGTERM/SIGINT, how long in-flight requests may take to finish, whole seconds 0-${MAX_DRAIN_TIMEOUT_S} (0 = cut them off)`,
      })
      .epilogue(
        'Endpoints:\n' +
          '  POST /v1/batches                 upload one batch (signed by the device)\n' +
          '  POST /v1/enroll                  {"device_id","timezone"?} → {"device_id","key"}   (authorization: Fleet <secret>)\n' +
          '  POST /v1/devices/ID/pause        {"wanted_ms","at_ms"?} → granted window, capped by policy (signed)\n' +
          '  POST /v1/devices/ID/resume       {"at_ms"?} ends the open pause (signed)\n' +
          '  GET  /v1/devices/ID/policy       pause windows and exemption (signed)\n' +
          '  PUT  /v1/devices/ID/exemption    {"exempt","from_ms"?,"until_ms"?}   (authorization: Admin <secret>)\n' +
          '  POST /v1/devices/ID/revoke       revoke the device key                 (admin secret)\n' +
          '  POST /v1/devices/ID/reinstate    re-admit under a new key; it enrolls again (admin secret)\n' +
          '  GET  /v1/devices/ID/gaps         missing sequence numbers              (admin secret)\n' +
          '  GET  /healthz                    200 while the process answers (liveness)\n' +
          '  GET  /readyz                     200 while the store can take writes (probed at most\n' +
          '                                   once a second); else 503 with code and reason\n' +
          '  GET  /metrics                    Prometheus exposition\n' +
          'Every refusal is JSON {"code","message"}; SIGTERM drains in-flight uploads and closes the store.\n' +
          'Device keys are random, drawn at enrollment and kept in the store; an enrolled device cannot enroll again ' +
          '(409 AUTH_ALREADY_ENROLLED): an admin revokes and reinstates it, then it enrolls for a new key.\n' +
          'Events outside the policy capture hours are refused (counted as paused) only for devices enrolled with their IANA ' +
          '"timezone"; without it the service cannot know their local time and leaves that rule to the agent.',
      )
      .example('$0 serve --port 8080 --store sqlite:ingest.db --fleet-secret "$SECRET" --admin-secret "$ADMIN"', 'Embedded SQLite store')
      .example('$0 serve --fleet-secret "$NEW" --previous-fleet-secret "$OLD" --admin-secret "$ADMIN"', 'Rotating the fleet secret')
      .example('$0 serve --store postgres://fleetsim:pw@127.0.0.1:5432/fleetsim', 'PostgreSQL store') as unknown as Argv<ServeArgs>,
  handler: async (argv: ArgumentsCamelCase<ServeArgs>) => {
    const { fleetSecret, previousFleetSecrets, adminSecret } = serveSecrets(argv);
    const port = wholeNumber('port', argv.port, 0, 65535);
    const limits = {
      maxBodyBytes: wholeNumber('max-body-bytes', argv['max-body-bytes'], 1024, 1 << 30),
      maxDecodedBytes: wholeNumber('max-decoded-bytes', argv['max-decoded-bytes'], 1024, 1 << 30),
      maxEventsPerBatch: wholeNumber('max-events', argv['max-events'], 1, 500_000),
      maxInFlight: wholeNumber('max-in-flight', argv['max-in-flight'], 1, 100_000),
      rate: {
        perSecond: positive('rate-per-device', argv['rate-per-device'], 1e9),
        burst: wholeNumber('rate-burst', argv['rate-burst'], 1, 1_000_000),
      },
      maxSkewMs: positive('max-skew-s', argv['max-skew-s'], 1e9) * 1000,
      maxFutureMs: positive('max-skew-s', argv['max-skew-s'], 1e9) * 1000,
    };
    const decodeThreads = wholeNumber('decode-threads', argv['decode-threads'], 0, 64);
    const drainTimeoutMs = wholeNumber('drain-timeout-s', argv['drain-timeout-s'], 0, MAX_DRAIN_TIMEOUT_S) * 1000;
    // Once the flags are known good and before anything is opened: the restarted process parses them again.
    const wanted = argv.heap === 'server' ? missingServerHeapFlags(process.execArgv) : [];
    // Only flags this runtime's V8 has: node refuses to start with one it does not know, and the restart would fail.
    const heapFlags = wanted.length > 0 && willRelaunch() ? supportedV8Flags(wanted) : wanted;
    const noRelaunch = relaunchWithNodeFlags(heapFlags);
    const server = createIngestServer({
      store: argv.store,
      fleetSecret,
      previousFleetSecrets,
      ...(adminSecret !== undefined ? { adminSecret } : {}),
      host: argv.host,
      port,
      sqliteSync: argv['sqlite-sync'] === 'normal' ? 'normal' : 'full',
      decodeThreads,
      limits,
    });
    let address;
    try {
      address = await server.start();
    } catch (e) {
      if (e instanceof StoreUrlError) throw new UsageError(`--store: ${e.message}`);
      if (e instanceof StoreOpenError)
        throw new RunError('IO', `--store ${JSON.stringify(redactStoreUrl(argv.store))}: ${e.message}`, { cause: e });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new RunError(
          'IO',
          `port ${port} on ${argv.host} is already in use: stop what listens there, or choose another --port (0 = any free port)`,
          { cause: e },
        );
      if (code === 'EACCES')
        throw new RunError(
          'IO',
          `no permission to listen on port ${port} on ${argv.host}: ports below 1024 need privileges; choose another --port`,
          { cause: e },
        );
      if (code === 'EADDRNOTAVAIL') throw new RunError('IO', `--host ${argv.host} is not an address of this machine`, { cause: e });
      throw new RunError('IO', `cannot start: ${(e as Error).message}`, { cause: e });
    }
    const unknown = wanted.filter((f) => !heapFlags.includes(f));
    if (unknown.length > 0)
      process.stdout.write(
        `fleetsim serve: this runtime's V8 has no ${unknown.join(', ')}; serving without ${unknown.length === 1 ? 'it' : 'them'}\n`,
      );
    if (noRelaunch === 'runtime-cannot' || noRelaunch === 'execve-failed')
      process.stdout.write(
        `fleetsim serve: Node ${process.version} cannot restart itself with the server heap; start it as ` +
          `node ${heapFlags.join(' ')} ${process.argv[1] ?? 'fleetsim'} serve … for about a tenth less CPU per upload (or pass --heap node)\n`,
      );
    process.stdout.write(
      `fleetsim serve: listening on ${address.url} (store ${redactStoreUrl(argv.store)}; ${server.decodeThreads === 0 ? 'decoding in the event loop' : `${server.decodeThreads} decode threads`})\n`,
    );
    if (adminSecret === undefined)
      process.stdout.write('fleetsim serve: no --admin-secret: revoke, reinstate, exemptions and gaps are disabled\n');
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stdout.write(`fleetsim serve: ${signal}, draining in-flight uploads\n`);
        void server.stop({ drainTimeoutMs }).then(() => {
          process.stdout.write('fleetsim serve: stopped; every acknowledged batch is committed\n');
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  },
};

/** The three secrets: each long enough, and the admin secret none of the fleet secrets (every laptop holds those). */
function serveSecrets(argv: ServeArgs): { fleetSecret: string; previousFleetSecrets: string[]; adminSecret: string | undefined } {
  const fleetSecret = fleetSecretFlag(argv['fleet-secret']);
  if (!fleetSecret || fleetSecret.length < MIN_SECRET_CHARS) {
    throw new UsageError(
      `--fleet-secret (or $FLEETSIM_FLEET_SECRET) must be given, at least ${MIN_SECRET_CHARS} characters; devices enroll with it`,
    );
  }
  const given = argv['previous-fleet-secret'];
  const envPrevious = process.env.FLEETSIM_PREVIOUS_FLEET_SECRET;
  const previousFleetSecrets = (given ?? (envPrevious ? [envPrevious] : [])).map(String);
  for (const p of previousFleetSecrets) {
    if (p.length < MIN_SECRET_CHARS)
      throw new UsageError(`--previous-fleet-secret (or $FLEETSIM_PREVIOUS_FLEET_SECRET) must be at least ${MIN_SECRET_CHARS} characters`);
  }
  const adminSecret = adminSecretFlag(argv['admin-secret']);
  if (adminSecret !== undefined) {
    if (adminSecret.length < MIN_SECRET_CHARS)
      throw new UsageError(`--admin-secret (or $FLEETSIM_ADMIN_SECRET) must be at least ${MIN_SECRET_CHARS} characters`);
    if (adminSecret === fleetSecret || previousFleetSecrets.includes(adminSecret)) {
      throw new UsageError(
        '--admin-secret must differ from the fleet secrets: every laptop holds a fleet secret, and the admin secret revokes devices',
      );
    }
  }
  return { fleetSecret, previousFleetSecrets, adminSecret };
}
