import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { workerScript } from '../pool/index.js';
import { RunError, UsageError } from '../errors.js';
import { SERVER_HEAP_FLAGS, createIngestServer, openStore, type BatchStore, type IngestServerOptions } from '../ingest/index.js';
import { supportedV8Flags } from '../v8-flags.js';
import { enrollDevices, parseTarget } from '../targets/index.js';
import { checkProtocol, describeProtocol, protocolEnrolls, protocolSpec, type ProtocolSpec } from '../targets/protocols/index.js';
import { dirname, resolve } from 'node:path';
import { buildEmployeesInSlices, employeeId, employeeOffice } from '../population/index.js';
import type { Scenario } from '../scenario/index.js';

/**
 * Where a run's uploads go over HTTP, and what the run may do with it:
 * - `embedded`: the reference service in this process, on loopback, with a
 *   SQLite file in the report folder (the default);
 * - `process`: the same service in a child process, so the ingest-restart
 *   fault can SIGKILL it and start it again on the same port and file;
 * - `url`: someone's running service; the run enrolls its laptops there and
 *   has no store to scan.
 */
export interface IngestTarget {
  readonly kind: 'embedded' | 'process' | 'url';
  readonly url: string;
  /** The target's fleet secret: what process agents enroll with. */
  readonly fleetSecret: string;
  /** Device keys the target handed out at enrollment (hex, by device id); empty when the laptops enroll themselves or the target enrolls nothing. */
  readonly keys: Readonly<Record<string, string>>;
  /** What the target speaks (url targets; the run's own service speaks fleetsim), and in words for the report. */
  readonly protocol?: ProtocolSpec;
  readonly protocolDescription?: string;
  /**
   * Put before each employee id to make the laptop's device id: '' for a
   * service the run starts (it is the run's own), a fresh run id for a url
   * target, whose store other runs share, so that two runs never send the
   * same device id (the second run's batches would be refused as duplicates).
   */
  readonly devicePrefix: string;
  /** The store, once the service has stopped (null for a url target). */
  stopAndOpenStore(): Promise<BatchStore | null>;
  /** SIGKILL (process targets only). */
  kill(): Promise<void>;
  /** Starts the service again on the same port and store (process targets only). */
  restart(): Promise<void>;
}

/**
 * The limits of the service a run starts for itself, opened for virtual
 * time: a day replays in seconds, batch times are the simulated dates.
 */
function runServiceOptions(s: Scenario, store: string, fleetSecret: string, port: number, timeOffsetMs = 0): IngestServerOptions {
  return {
    // A real-time run replays a simulated day: the service reads the laptops' clock (wall + offset), as their signatures do.
    // Policy and timestamps on the replayed day; signatures fresh in real time, as the agents sign them.
    ...(timeOffsetMs !== 0 ? { now: () => Date.now() + timeOffsetMs, signatureNow: Date.now } : {}),
    store,
    fleetSecret,
    host: '127.0.0.1',
    port,
    rules: s.rules,
    limits: {
      rate: { perSecond: 1e9, burst: 1e9 },
      maxAgeMs: 100 * 365 * 86_400_000,
      maxFutureMs: 100 * 365 * 86_400_000,
      maxInFlight: 4096,
    },
  };
}

interface FleetDevice {
  readonly id: string;
  readonly timezone: string;
}

/**
 * The fleet's devices with their timezones (the service checks capture hours in each laptop's local time). Built
 * in slices with a turn of the event loop between them: for millions of laptops this takes seconds, and progress
 * heartbeats and Ctrl-C must run meanwhile. Only each employee's office is drawn, not the whole employee.
 */
function fleetDevices(s: Scenario, devicePrefix = ''): Promise<FleetDevice[]> {
  return buildEmployeesInSlices(0, s.fleet.employees, (i) => ({
    id: `${devicePrefix}${employeeId(i)}`,
    timezone: employeeOffice(s.seed, i, s.population).timezone,
  }));
}

/** Enrolls devices a few at a time (each is a store write; one by one, 100,000 laptops take minutes). */
export async function enrollAll<D>(devices: readonly D[], enroll: (d: D) => Promise<unknown>, concurrency = 64): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, devices.length) }, async () => {
      while (next < devices.length) await enroll(devices[next++]!);
    }),
  );
}

/** Opens the ingest target a scenario names: see IngestTarget. */
export async function openIngestTarget(
  s: Scenario,
  reportDir: string,
  o: {
    readonly restartable: boolean;
    readonly fleetSecret?: string;
    readonly timeOffsetMs?: number;
    /** false: the laptops enroll themselves (process agents); a device's key is handed out once, so the run must not take it first. */
    readonly enroll?: boolean;
  },
): Promise<IngestTarget> {
  if (s.ingest.kind === 'blackhole')
    throw new UsageError(
      `${s.source || s.name}: ingest.kind blackhole is for process agents (agent.kind: process); it has no store and speaks no protocol`,
    );
  if (s.ingest.kind === 'url') {
    if (o.restartable)
      throw new UsageError(
        `${s.source || s.name}: the ingest-restart fault needs the embedded ingest service (fleetsim run kills and restarts it); against ${s.ingest.url}, restart the service yourself during the run and leave the fault out`,
      );
    const i = s.ingest;
    const spec = protocolSpec(
      {
        protocol: i.protocol,
        adapter: i.adapter,
        headers: i.headers,
        body: i.body,
        compression: i.compression,
        encoding: i.encoding,
        method: i.method,
      },
      (k) => `${s.source || s.name}: ingest.${k}`,
      (f) => resolve(s.source ? dirname(s.source) : process.cwd(), f),
    );
    if (!protocolEnrolls(spec)) return openForeignTarget(s, i.url, i.allowRemote, spec);
    return openUrlTarget(s, s.ingest.url, s.ingest.allowRemote, o.fleetSecret, o.enroll ?? true);
  }
  const devices = o.enroll === false ? [] : await fleetDevices(s);
  // A real secret for a real (loopback) service: not simulation randomness.
  const fleetSecret = randomBytes(32).toString('hex');
  const store = `sqlite:${join(reportDir, 'ingest.sqlite')}`;
  return o.restartable
    ? openProcessTarget(s, reportDir, store, fleetSecret, devices)
    : openEmbeddedTarget(s, store, fleetSecret, o.timeOffsetMs ?? 0, devices);
}

async function openEmbeddedTarget(
  s: Scenario,
  store: string,
  fleetSecret: string,
  timeOffsetMs: number,
  devices: readonly FleetDevice[],
): Promise<IngestTarget> {
  const server = createIngestServer(runServiceOptions(s, store, fleetSecret, 0, timeOffsetMs));
  const address = await server.start();
  const keys: Record<string, string> = {};
  try {
    await enrollAll(
      devices,
      async (d) => (keys[d.id] = Buffer.from((await server.enroll(d.id, { timezone: d.timezone })).key).toString('hex')),
    );
  } catch (err) {
    await server.stop({ drainTimeoutMs: 0 });
    throw err;
  }
  return {
    kind: 'embedded',
    devicePrefix: '',
    url: address.url,
    fleetSecret,
    keys,
    async stopAndOpenStore() {
      await server.stop({ drainTimeoutMs: 10_000 });
      return openStore(store);
    },
    kill: () => Promise.reject(new Error('the in-process ingest service cannot be killed')),
    restart: () => Promise.reject(new Error('the in-process ingest service cannot be restarted')),
  };
}

/** What the ingest child process (workers/ingest-process.ts) is told, through a file; the fleet secret comes in its environment, not the report folder. */
export interface IngestProcessConfig {
  readonly options: Omit<IngestServerOptions, 'fleetSecret'>;
  /** Devices to enroll before it says it is ready (first start only: the store keeps them). */
  readonly enroll: readonly { readonly id: string; readonly timezone: string }[];
}

/**
 * The line the ingest child prints, before READY, with the keys of the devices it enrolled (hex by id). Stdout is a
 * pipe to this process only: the keys never reach the report folder.
 */
export const INGEST_PROCESS_KEYS_PREFIX = 'KEYS ';

/** How long a (re)started ingest process may take to say it is listening. */
const PROCESS_READY_TIMEOUT_MS = 120_000;
/** How long a stopping ingest process may drain before it is killed. */
const PROCESS_STOP_TIMEOUT_MS = 15_000;
/** The environment variable that hands the child its fleet secret. */
export const INGEST_PROCESS_SECRET_ENV = 'FLEETSIM_INGEST_PROCESS_SECRET';

async function openProcessTarget(
  s: Scenario,
  reportDir: string,
  store: string,
  fleetSecret: string,
  devices: readonly FleetDevice[],
): Promise<IngestTarget> {
  const script = workerScript('ingest-process');
  let port = 0;
  let child: ChildProcess | null = null;
  let keys: Record<string, string> = {};
  const start = async (enroll: IngestProcessConfig['enroll']): Promise<string> => {
    const configPath = join(reportDir, 'ingest-process.json');
    const { fleetSecret: _secret, ...options } = runServiceOptions(s, store, fleetSecret, port);
    const config: IngestProcessConfig = { options, enroll };
    writeFileSync(configPath, JSON.stringify(config));
    // stdin is a pipe the child watches: if this process dies, the service goes with it.
    const c = spawn(process.execPath, [...supportedV8Flags(SERVER_HEAP_FLAGS), script, configPath], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, [INGEST_PROCESS_SECRET_ENV]: fleetSecret },
    });
    child = c;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new RunError('WORKER_FAILED', `the ingest process did not start within ${PROCESS_READY_TIMEOUT_MS / 1000} s`));
      }, PROCESS_READY_TIMEOUT_MS);
      c.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new RunError('WORKER_FAILED', `the ingest process exited before it was ready (${signal ?? `code ${code}`})`));
      });
      createInterface({ input: c.stdout! }).on('line', (line) => {
        if (line.startsWith(INGEST_PROCESS_KEYS_PREFIX)) {
          keys = JSON.parse(line.slice(INGEST_PROCESS_KEYS_PREFIX.length)) as Record<string, string>;
          return;
        }
        const m = /^READY (\S+)$/.exec(line);
        if (!m) return;
        clearTimeout(timer);
        resolve(m[1]!);
      });
    });
    c.removeAllListeners('exit');
    return url;
  };
  const url = await start(devices);
  port = Number(new URL(url).port);
  const firstKeys = keys;
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
  return {
    kind: 'process',
    devicePrefix: '',
    url,
    fleetSecret,
    keys: firstKeys,
    async stopAndOpenStore() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        const killer = setTimeout(() => c.kill('SIGKILL'), PROCESS_STOP_TIMEOUT_MS);
        await exited(c);
        clearTimeout(killer);
      }
      return openStore(store);
    },
    async kill() {
      const c = child;
      if (!c) return;
      c.kill('SIGKILL');
      await exited(c);
    },
    async restart() {
      // The port was picked at random the first time; something else may hold it for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await start([]);
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    },
  };
}

/** A service that does not speak fleetsim's protocol: nothing to enroll, no store to scan. */
async function openForeignTarget(s: Scenario, url: string, allowRemote: boolean, protocol: ProtocolSpec): Promise<IngestTarget> {
  const target = parseTarget(url, allowRemote);
  // Before the run: the adapter loads, the encoder is there, the header variables are set.
  await checkProtocol(protocol, target.url);
  return {
    kind: 'url',
    url: target.url.toString(),
    fleetSecret: '',
    keys: {},
    // Its store, too, may be shared with other runs: this run's device ids are its own.
    devicePrefix: `${randomBytes(4).toString('hex')}-`,
    protocol,
    protocolDescription: describeProtocol(protocol, target.url),
    stopAndOpenStore: async () => null,
    kill: () => Promise.reject(new Error('fleetsim run does not kill a service it did not start')),
    restart: () => Promise.reject(new Error('fleetsim run does not restart a service it did not start')),
  };
}

async function openUrlTarget(
  s: Scenario,
  url: string,
  allowRemote: boolean,
  fleetSecret: string | undefined,
  enroll: boolean,
): Promise<IngestTarget> {
  if (!fleetSecret) {
    throw new UsageError(
      `${s.source || s.name}: ingest.kind url needs the target's fleet secret to enroll ${s.fleet.employees} laptops there: pass --fleet-secret or set FLEETSIM_FLEET_SECRET`,
    );
  }
  const target = parseTarget(url, allowRemote);
  // A real random run id, not simulation randomness: it only names this run's devices on a shared service.
  const devicePrefix = `${randomBytes(4).toString('hex')}-`;
  const devices = enroll ? await fleetDevices(s, devicePrefix) : [];
  const ids = devices.map((d) => d.id);
  const keys = await enrollDevices(
    target,
    fleetSecret,
    ids,
    16,
    devices.map((d) => d.timezone),
  );
  return {
    kind: 'url',
    url: target.url.toString().replace(/\/$/, ''),
    fleetSecret,
    keys: Object.fromEntries(ids.map((id, i) => [id, keys[i]!.toString('hex')])),
    devicePrefix,
    stopAndOpenStore: async () => null,
    kill: () => Promise.reject(new Error('fleetsim run does not kill a service it did not start')),
    restart: () => Promise.reject(new Error('fleetsim run does not restart a service it did not start')),
  };
}
