/**
 * `fleetsim agent` as a real child process: enrolls with an in-process
 * ingest service, reads a seeded employee's busiest seconds from a tap socket
 * on the real clock, and on SIGTERM seals, uploads and writes a stats file
 * whose ledger balances against what was injected and what the store holds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentProcessStats } from '../../src/agent-process/index.js';
import { ControlChannel, resolveAgentOptions, runAgentProcess, sampleProcess } from '../../src/agent-process/index.js';
import { TapDriver } from '../../src/input/tap/index.js';
import { runCli } from '../../src/cli/cli.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { FLEET_SECRET, startServer } from '../ingest/helpers.js';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { busyStretch, killChild, spawnAgent } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-agentproc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Service = Awaited<ReturnType<typeof startServer>>;

/** An ingest service on the simulated day's clock (wall + offsetMs); signatures are checked on the wall clock. */
async function serviceAtOffset(offsetMs: number): Promise<Service> {
  const srv = await startServer({ now: () => Date.now() + offsetMs, signatureNow: Date.now });
  cleanups.push(() => srv.stop());
  return srv;
}

/** A started tap socket in a fresh temp dir, closed after the test. */
async function startTap(): Promise<{ dir: string; driver: TapDriver }> {
  const dir = tempDir();
  const driver = new TapDriver(join(dir, 'laptop.tap'));
  cleanups.push(() => driver.close());
  await driver.start();
  return { dir, driver };
}

/**
 * `fleetsim agent` reading the tap as a child, killed after the test; it writes its
 * stats to dir/stats.json when it stops, and `readStats` reads them.
 */
function spawnTapAgent(o: {
  url: string;
  deviceId: string;
  dir: string;
  driver: TapDriver;
  offsetMs: number;
  extraArgs?: readonly string[];
}): ReturnType<typeof spawnAgent> & { readStats: () => AgentProcessStats } {
  const statsFile = join(o.dir, 'stats.json');
  const args = ['--url', o.url, '--device-id', o.deviceId, '--input', 'tap', '--tap-socket', o.driver.socketPath];
  args.push('--stats-file', statsFile, '--time-offset-ms', String(o.offsetMs), ...(o.extraArgs ?? []));
  const agent = spawnAgent(args, { FLEETSIM_FLEET_SECRET: FLEET_SECRET });
  cleanups.push(() => killChild(agent.child, agent.exited, 0));
  return { ...agent, readStats: () => JSON.parse(readFileSync(statsFile, 'utf8')) as AgentProcessStats };
}

/** How many events the service's store holds for the device. */
async function storedEvents(srv: Service, deviceId: string): Promise<number> {
  const rows = await srv.server.store.listBatches(deviceId);
  return rows.reduce((a, r) => a + r.eventCount, 0);
}

/** Lead time from spawn to the first event: node start, import and enrollment happen in it. */
const LEAD_MS = 2000;

describe('fleetsim agent over a tap', () => {
  it('captures ~10 s of one employee on the real clock; SIGTERM flushes and the ledger balances against the store', async () => {
    const { employee, events, virtualStartMs, dayStartMs } = busyStretch('agent-process', 2, 10);
    expect(events.length).toBeGreaterThan(300);
    // The agent and the service read the simulated day's clock: wall + offset.
    const offsetMs = Math.round(virtualStartMs - (Date.now() + LEAD_MS));
    const srv = await serviceAtOffset(offsetMs);
    const { dir, driver } = await startTap();
    const control = new ControlChannel(join(dir, 'laptop.ctl'));
    cleanups.push(() => control.close());
    await control.start();
    const { child, exited, readStats } = spawnTapAgent({
      url: srv.url,
      deviceId: employee.id,
      dir,
      driver,
      offsetMs,
      // A read per delivery, as a hook delivers input (the default reads in batches: the next test).
      extraArgs: ['--control', control.socketPath, '--read-interval-ms', '0'],
    });
    await driver.waitForAgent(10_000);
    await control.waitForAgent(10_000);
    // The employee pauses for 2 s from second 4: the agent drops what falls in it.
    control.send({ kind: 'pause', atMs: virtualStartMs + 4000, wantedMs: 2000, dayStartMs });
    // An agent slower to start than the lead (a loaded machine) would get the first seconds in one burst:
    // the replay starts later instead, and the agent's clock runs that much ahead of its input.
    const wallStartMs = Math.max(virtualStartMs - offsetMs, Date.now() + 200);
    const before = sampleProcess(child.pid!);
    const lateness = await driver.replay(events, { wallStartMs, virtualStartMs });
    await new Promise((r) => setTimeout(r, 100)); // the last records are read
    const after = sampleProcess(child.pid!);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    expect(stderr).toMatch(/enrolled at/);
    expect(code).toBe(0);

    const stats = readStats();
    expect(stats.stop_reason).toBe('SIGTERM');
    expect(lateness.injected).toBe(events.length);
    expect(stats.input_events).toBe(events.length);
    expect(stats.ledger.produced).toBe(events.length);
    expect(ledgerImbalance(stats.ledger)).toBe(0);
    expect(stats.ledger_imbalance).toBe(0);
    expect(stats.ledger.dropped_paused).toBeGreaterThan(0);
    expect(stats.control).toMatchObject({ applied: 1, rejected: 0, pauses_granted: 1 });
    // SIGTERM sealed the open batch (15-minute batches: nothing was sealed before) and it was stored.
    expect(stats.costs.batches).toBeGreaterThanOrEqual(1);
    expect(stats.ledger.stored).toBeGreaterThan(0);
    expect(stats.ledger.spooled + stats.ledger.lost).toBe(0);
    expect(await storedEvents(srv, employee.id)).toBe(stats.ledger.stored + stats.ledger.redacted);
    expect(stats.process.cpu_user_us + stats.process.cpu_system_us).toBeGreaterThan(0);
    // Each event is its own read (a few coalesce when two are due in the same millisecond).
    expect(stats.input_deliveries).toBeGreaterThan(events.length * 0.5);
    expect(lateness.p99_ms).toBeGreaterThanOrEqual(lateness.p50_ms);
    const cpuUsPerEvent = (after.cpuNs - before.cpuNs) / 1000 / events.length;
    const wakeupsPerEvent = (after.voluntarySwitches - before.voluntarySwitches) / events.length;
    console.log(
      `tap agent: ${events.length} events in 10 s, injection lateness p50 ${lateness.p50_ms} ms p99 ${lateness.p99_ms} ms max ${lateness.max_ms} ms; ` +
        `agent ${cpuUsPerEvent.toFixed(1)} µs CPU and ${wakeupsPerEvent.toFixed(2)} voluntary switches per event; ${stats.input_deliveries} deliveries`,
    );
    expect(cpuUsPerEvent).toBeGreaterThan(0);
    expect(wakeupsPerEvent).toBeGreaterThan(0.3);
  }, 30_000);

  it('on default settings reads in batches: every event taken, a read per interval at most, and SIGTERM takes what is still queued', async () => {
    const { employee, events, virtualStartMs } = busyStretch('agent-process', 3, 4);
    const offsetMs = Math.round(virtualStartMs - (Date.now() + LEAD_MS));
    const srv = await serviceAtOffset(offsetMs);
    const { dir, driver } = await startTap();
    const { child, exited, readStats } = spawnTapAgent({ url: srv.url, deviceId: employee.id, dir, driver, offsetMs });
    await driver.waitForAgent(10_000);
    const wallStartMs = Math.max(virtualStartMs - offsetMs, Date.now() + 200);
    const before = sampleProcess(child.pid!);
    const lateness = await driver.replay(events, { wallStartMs, virtualStartMs });
    const after = sampleProcess(child.pid!);
    // At once, before the agent's next read: the last records are still in the socket.
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBe(0);
    const stats = readStats();
    expect(lateness.injected).toBe(events.length);
    expect(stats.input_events).toBe(events.length);
    expect(stats.ledger.produced).toBe(events.length);
    expect(stats.ledger_imbalance).toBe(0);
    // 4 s of input: one read at the first event, then one per read interval, and the drain at SIGTERM, which takes what
    // the socket holds and then what the harness could not yet write into it (a few hundred records fit), in chunks.
    const intervalMs = DEFAULT_AGENT_CONFIG.inputReadIntervalMs;
    expect(stats.input_deliveries).toBeGreaterThanOrEqual(2);
    expect(stats.input_deliveries).toBeLessThanOrEqual(2 + Math.ceil(4000 / intervalMs) + Math.ceil(events.length / 64));
    const wakeupsPerEvent = (after.voluntarySwitches - before.voluntarySwitches) / events.length;
    expect(wakeupsPerEvent).toBeLessThan(0.3);
  }, 30_000);

  it('stops when the harness closes the tap, flushing what it holds', async () => {
    const { employee, events, virtualStartMs } = busyStretch('agent-process', 5, 1);
    // Replayed 5 s late: every event is due at once and written at once, each with its own write.
    const offsetMs = Math.round(virtualStartMs - (Date.now() - 5000));
    const srv = await serviceAtOffset(offsetMs);
    const { dir, driver } = await startTap();
    const { exited, readStats } = spawnTapAgent({ url: srv.url, deviceId: employee.id, dir, driver, offsetMs });
    await driver.waitForAgent(10_000);
    const late = await driver.replay(events, { wallStartMs: virtualStartMs - offsetMs, virtualStartMs });
    expect(late.p50_ms).toBeGreaterThan(1000);
    await driver.close();
    const { code, stderr } = await exited;
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    const stats = readStats();
    expect(stats.stop_reason).toBe('input-ended');
    expect(stats.ledger.produced).toBe(late.injected);
    expect(stats.ledger_imbalance).toBe(0);
    expect(stats.ledger.stored).toBeGreaterThan(0);
    expect(await storedEvents(srv, employee.id)).toBe(stats.ledger.stored + stats.ledger.redacted);
  }, 20_000);

  it('cuts uploads a hung service never answers after --drain-timeout-ms; their events count as spooled', async () => {
    const { employee, events, virtualStartMs } = busyStretch('agent-process', 5, 1);
    // Enrolls, then holds every upload open without answering.
    const hung: http.ServerResponse[] = [];
    const service = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/v1/enroll') return void res.end(JSON.stringify({ device_id: employee.id, key: '00'.repeat(32) }));
      hung.push(res);
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const res of hung) res.destroy();
          service.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(service.address() as { port: number }).port}`;
    const { dir, driver } = await startTap();
    const offsetMs = Math.round(virtualStartMs - (Date.now() - 5000));
    const { child, exited, readStats } = spawnTapAgent({
      url,
      deviceId: employee.id,
      dir,
      driver,
      offsetMs,
      extraArgs: ['--drain-timeout-ms', '300'],
    });
    await driver.waitForAgent(10_000);
    const late = await driver.replay(events, { wallStartMs: virtualStartMs - offsetMs, virtualStartMs });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(hung.length).toBe(1);
    const stats = readStats();
    expect(stats.drain_timed_out).toBe(true);
    expect(stats.ledger.produced).toBe(late.injected);
    expect(stats.ledger.stored).toBe(0);
    expect(stats.ledger.spooled).toBeGreaterThan(0);
    expect(stats.ledger_imbalance).toBe(0);
  }, 20_000);

  it('stops on SIGINT as on SIGTERM (in process, with its own signal source)', async () => {
    const srv = await startServer({ now: () => Date.now() });
    cleanups.push(() => srv.stop());
    const { driver } = await startTap();
    const signals = new EventEmitter();
    const options = await resolveAgentOptions({
      url: srv.url,
      fleetSecret: FLEET_SECRET,
      deviceId: 'sigint-1',
      input: 'tap',
      tapSocket: driver.socketPath,
    });
    const running = runAgentProcess(options, { log: () => {}, signals });
    await driver.waitForAgent(5000);
    const t = Date.now();
    const one = busyStretch('agent-process', 5, 1).events;
    const shifted = { ...one, t_ms: one.t_ms.map((v, i) => t + i) };
    const late = await driver.replay(shifted, { wallStartMs: t, virtualStartMs: t });
    await new Promise((r) => setTimeout(r, 100));
    signals.emit('SIGINT');
    const stats = await running;
    expect(stats.stop_reason).toBe('SIGINT');
    expect(stats.ledger.produced).toBe(late.injected);
    expect(stats.ledger_imbalance).toBe(0);
    expect(stats.ledger.stored).toBeGreaterThan(0);
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  }, 15_000);

  it('refuses bad flags with exit 2 and an unreachable service or socket with exit 3', async () => {
    const dir = tempDir();
    const run = async (args: string[]) => {
      let stderr = '';
      const code = await runCli(['agent', '--fleet-secret', FLEET_SECRET, ...args], { stderr: (s) => (stderr += s) });
      return { code, stderr };
    };
    const base = ['--url', 'http://127.0.0.1:9', '--device-id', 'd-1', '--input', 'tap', '--tap-socket', join(dir, 'none.tap')];
    const cases: [string[], RegExp][] = [
      [['--url', 'http://127.0.0.1:9', '--input', 'tap', '--tap-socket', 'x'], /--device-id is required/],
      [[...base.slice(0, 4), '--input', 'serial'], /--input must be tap or x11, got "serial"/],
      [[...base.slice(0, 4), '--input', 'tap'], /--tap-socket is required/],
      [[...base, '--time-offset-ms', '1.5e3x'], /--time-offset-ms must be a whole number/],
      [[...base, '--timezone', 'Mars/Olympus'], /--timezone must be an IANA timezone like Europe\/Berlin, got "Mars\/Olympus"/],
      [['--url', 'localhost:8080', ...base.slice(2)], /--url must be an http:\/\/ URL/],
      [[...base, '--scenario', join(dir, 'missing.yaml')], /cannot read the scenario file: no such file/],
      [[...base, '--drain-timeout-ms'], /--drain-timeout-ms needs a value/],
      [[...base, '--read-interval-ms', '2.5'], /--read-interval-ms must be a whole number from 0 to 60000, got 2.5/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
    const down = await run(base);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/could not enroll d-1 at http:\/\/127.0.0.1:9.*ECONNREFUSED/);

    const srv = await startServer({ now: () => Date.now() });
    cleanups.push(() => srv.stop());
    const noSocket = await run(['--url', srv.url, ...base.slice(2)]);
    expect(noSocket.code).toBe(3);
    expect(noSocket.stderr).toMatch(/cannot connect to the tap socket .*none\.tap: ENOENT/);
    // Another device id: d-1 enrolled above, and an enrolled device is never handed its key again.
    const noControl = await run(['--url', srv.url, '--device-id', 'd-2', ...base.slice(4), '--control', join(dir, 'none.ctl')]);
    expect(noControl.code).toBe(3);
    expect(noControl.stderr).toMatch(/cannot connect to the control socket .*none\.ctl: ENOENT/);
  }, 20_000);
});
