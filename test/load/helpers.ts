import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIngestServer, type IngestServer } from '../../src/ingest/index.js';
import { loadCorpus, runLoad, type Corpus, type LoadOptions } from '../../src/load/index.js';
import { runFleet } from '../../src/run/fleet-run.js';
import { resolveScenario, type Scenario } from '../../src/scenario/index.js';

export const FLEET_SECRET = 'load-test-fleet-secret-0123';

/** A small scenario: 8 laptops' day is the corpus (≈ 250 real agent batches). */
export function smallScenario(): Scenario {
  return resolveScenario({
    name: 'load-test',
    seed: 'load-test',
    fleet: { employees: 8 },
    simulation: { days: 1, startDate: '2026-03-02', speed: 'max' },
    transport: 'corpus',
  });
}

/** Writes a corpus as `fleetsim run` with transport: corpus does, in this thread. */
export async function writeCorpus(s: Scenario): Promise<{ dir: string; corpus: Corpus; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-load-test-'));
  await runFleet({
    seed: s.seed,
    employees: s.fleet.employees,
    days: 1,
    startDate: s.simulation.startDate,
    population: s.population,
    behaviour: s.behaviour,
    rules: s.rules,
    agent: s.agent,
    energy: s.energy,
    transport: { kind: 'corpus', dir: join(dir, 'corpus') },
    workers: 0,
  });
  return {
    dir: join(dir, 'corpus'),
    corpus: loadCorpus(join(dir, 'corpus')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The reference ingest service on loopback, limits as `fleetsim serve` has them except the per-device rate. */
export async function startReference(): Promise<{ server: IngestServer; url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-load-ingest-'));
  const server = createIngestServer({ store: `sqlite:${join(dir, 'ingest.db')}`, fleetSecret: FLEET_SECRET, sqliteSync: 'normal' });
  const { url } = await server.start();
  return {
    server,
    url,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A deliberately slow target: enrolls anyone, answers every upload after a fixed
 * delay, and can stall (hold every answer) for a while. `concurrency` limits
 * uploads served at once (more wait in line), to give it a capacity.
 * `refuseFromMs`: from that long after the first upload on, every upload is
 * refused at once (400 TEST_REFUSED), a target that fails fast.
 */
export async function startSlowServer(opts: {
  delayMs: number;
  concurrency?: number;
  refuseFromMs?: number;
}): Promise<{ url: string; stallFor: (ms: number) => void; uploads: () => number; stop: () => Promise<void> }> {
  let stalledUntil = 0;
  let uploads = 0;
  let firstUploadAt: number | null = null;
  let active = 0;
  const waiting: (() => void)[] = [];
  const limit = opts.concurrency ?? Infinity;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/enroll') {
        const id = (JSON.parse(Buffer.concat(chunks).toString()) as { device_id: string }).device_id;
        const body = JSON.stringify({ device_id: id, key: '00'.repeat(32) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      uploads++;
      firstUploadAt ??= Date.now();
      if (opts.refuseFromMs !== undefined && Date.now() - firstUploadAt >= opts.refuseFromMs) {
        const body = JSON.stringify({ code: 'TEST_REFUSED' });
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      const serve = () => {
        active++;
        const answer = () => {
          const wait = stalledUntil - Date.now();
          if (wait > 0) return void setTimeout(answer, wait);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
          active--;
          waiting.shift()?.();
        };
        setTimeout(answer, opts.delayMs);
      };
      if (active < limit) serve();
      else waiting.push(serve);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stallFor: (ms) => (stalledUntil = Date.now() + ms),
    uploads: () => uploads,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function loadOptions(s: Scenario, target: string, corpusDir: string, over: Partial<LoadOptions> = {}): LoadOptions {
  return {
    scenario: s,
    target,
    allowRemote: false,
    fleetSecret: FLEET_SECRET,
    mode: 'open',
    profile: { kind: 'steady' },
    durationMs: 2000,
    maxRequests: 10_000,
    laptops: 200,
    devices: 50,
    connections: 64,
    requestTimeoutMs: 10_000,
    graceMs: 5000,
    atUtcMs: null,
    rateOverridePerS: 100,
    corpusDir,
    corpusLaptops: 8,
    workers: 0,
    // Other test files share the 2 cores: a lag bound a little looser than the CLI's 20 ms keeps these tests about latency, not about the neighbours.
    bounds: { maxLagP99Ms: 25, minCpuHeadroom: 0.1 },
    slo: { p99Ms: 200, errorRate: 0.01 },
    runTag: `t${Math.floor(performance.now() * 1000) % 1e9}`,
    // Brotli 5 prepares a body in ~0.4 ms instead of the agent's ~6 ms at 10: these tests are about timing and delivery.
    // Bodies at the agent's level are proven in bodies.test.ts and by the CLI test (its default).
    bodyLevels: { br: 5 },
    ...over,
  };
}

export { runLoad };
