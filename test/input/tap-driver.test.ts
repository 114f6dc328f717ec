import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventType, allocateBlock, capMoveRate, type EventBlock } from '../../src/events/index.js';
import { InputError } from '../../src/input/errors.js';
import { TapDriver, TapSource } from '../../src/input/tap/index.js';
import { wallNowMs } from '../../src/input/pacing.js';
import { ROOT } from '../helpers/cli.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempSocket(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-tap-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'laptop.tap');
}

/** n events every stepMs from t0 (virtual epoch ms), alternating keys and moves. */
function events(n: number, t0: number, stepMs: number): EventBlock {
  const b = allocateBlock(n);
  for (let i = 0; i < n; i++) {
    b.t_ms[i] = t0 + i * stepMs + 0.25;
    b.type[i] = i % 2 === 0 ? EventType.keydown : EventType.mousemove;
    b.key[i] = i % 2 === 0 ? 30 + (i % 20) : 0;
    b.x[i] = i;
    b.y[i] = -i;
    b.context[i] = i % 10;
  }
  return b;
}

async function connected(
  path: string,
  readIntervalMs = 0,
  sourceMoveRateHz = 0,
): Promise<{
  driver: TapDriver;
  source: TapSource;
  got: { t: number[]; x: number[]; deliveries: number[]; errors: Error[] };
  ended: Promise<void>;
}> {
  const driver = new TapDriver(path, { sourceMoveRateHz });
  cleanups.push(() => driver.close());
  await driver.start();
  const got = { t: [] as number[], x: [] as number[], deliveries: [] as number[], errors: [] as Error[] };
  let onEnd!: () => void;
  const ended = new Promise<void>((r) => (onEnd = r));
  const source = new TapSource(path, { onEnd, onError: (e) => got.errors.push(e) }, { readIntervalMs });
  cleanups.push(() => source.close());
  await source.start((b) => {
    got.deliveries.push(b.length);
    for (let i = 0; i < b.length; i++) {
      got.t.push(b.t_ms[i]!);
      got.x.push(b.x[i]!);
    }
  });
  await driver.waitForAgent(2000);
  return { driver, source, got, ended };
}

describe('tap driver and source', () => {
  it('replays events at their wall times, one delivery per event, and reports lateness', async () => {
    const path = tempSocket();
    const { driver, source, got, ended } = await connected(path);
    const virtualStartMs = 1_772_539_200_000;
    const block = events(100, virtualStartMs, 10); // 1 s at 100 events/s
    const wallStartMs = wallNowMs() + 50;
    const lateness = await driver.replay(block, { wallStartMs, virtualStartMs });
    const doneAt = wallNowMs();
    await driver.close();
    await ended;
    expect(lateness.injected).toBe(100);
    expect(got.t).toEqual([...block.t_ms]);
    expect(got.x).toEqual([...block.x]);
    // Not early: the last event is due at +990.25 ms.
    expect(doneAt - wallStartMs).toBeGreaterThanOrEqual(990);
    expect(lateness.p50_ms).toBeLessThan(5);
    expect(lateness.max_ms).toBeGreaterThanOrEqual(lateness.p99_ms);
    // Events 10 ms apart arrive one per read (most of them: on a loaded machine the shared loop sometimes lags).
    expect(got.deliveries.filter((n) => n === 1).length).toBeGreaterThanOrEqual(50);
    expect(source.deliveries).toBe(got.deliveries.length);
    expect(got.errors).toEqual([]);
  });

  it('reads in batches with a read interval: every event, in order, a few reads in all', async () => {
    const path = tempSocket();
    const { driver, source, got, ended } = await connected(path, 200);
    const virtualStartMs = 1_772_539_200_000;
    const block = events(100, virtualStartMs, 10); // 1 s at 100 events/s
    await driver.replay(block, { wallStartMs: wallNowMs() + 20, virtualStartMs });
    await driver.close();
    await ended;
    expect(got.t).toEqual([...block.t_ms]);
    expect(got.x).toEqual([...block.x]);
    // About one read per 200 ms over the second (the first event is read at once): not one per event.
    expect(source.deliveries).toBeLessThanOrEqual(12);
    expect(got.deliveries.some((n) => n >= 10)).toBe(true);
    expect(got.errors).toEqual([]);
  });

  it('with a source move rate, delivers one move per 1/30 s frame and every key, in order, and counts the moves it merged', async () => {
    const path = tempSocket();
    const { driver, got, ended } = await connected(path, 0, 30);
    const virtualStartMs = 1_772_539_200_000;
    // 1 s of a 250 Hz pointer with a key every 10th event.
    const block = allocateBlock(250);
    for (let i = 0; i < 250; i++) {
      block.t_ms[i] = virtualStartMs + 4 * i + 0.5;
      block.type[i] = i % 10 === 9 ? EventType.keydown : EventType.mousemove;
      block.x[i] = i;
    }
    const want = capMoveRate(block, 30);
    const lateness = await driver.replay(block, { wallStartMs: wallNowMs() + 20, virtualStartMs });
    await driver.close();
    await ended;
    expect(got.x).toEqual([...want.events.x]);
    expect(got.t).toEqual([...want.events.t_ms]);
    // 25 keys kept; of 225 moves, the last of each 30 Hz frame and each move before a key.
    expect(want.events.length).toBeLessThan(100);
    expect(lateness.injected).toBe(want.events.length);
    expect(lateness.moves_coalesced_at_source).toBe(250 - want.events.length);
    expect(() => new TapDriver(path, { sourceMoveRateHz: -1 })).toThrow(/whole Hz/);
  });

  it('a batched reader that is closed between reads still takes what was queued', async () => {
    const path = tempSocket();
    const { driver, source, got } = await connected(path, 60_000);
    const virtualStartMs = 1_772_539_200_000;
    const block = events(20, virtualStartMs, 5);
    await driver.replay(block, { wallStartMs: wallNowMs(), virtualStartMs });
    // The first read stopped reading for a minute; the other records wait in the socket.
    await new Promise((r) => setTimeout(r, 100));
    expect(got.t.length).toBeLessThan(20);
    await source.close();
    expect(got.t).toEqual([...block.t_ms]);
    expect(got.errors).toEqual([]);
  });

  it('writes events already due at once, stops at virtualEndMs and on abort', async () => {
    const path = tempSocket();
    const { driver, got } = await connected(path);
    const v0 = 1_000_000;
    const late = await driver.replay(events(50, v0, 1), { wallStartMs: wallNowMs() - 10_000, virtualStartMs: v0, virtualEndMs: v0 + 30 });
    expect(late.injected).toBe(30);
    expect(late.p50_ms).toBeGreaterThan(9_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = wallNowMs();
    const aborted = await driver.replay(events(50, v0, 1000), { wallStartMs: wallNowMs(), virtualStartMs: v0, signal: ac.signal });
    expect(wallNowMs() - t0).toBeLessThan(1500);
    expect(aborted.injected).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.t.length).toBe(31);
  });

  it('fails a replay whose agent went away, saying how far it got', async () => {
    const path = tempSocket();
    const { driver, source } = await connected(path);
    const v0 = 0;
    setTimeout(() => void source.close(), 100);
    await expect(driver.replay(events(100, v0, 10), { wallStartMs: wallNowMs(), virtualStartMs: v0 })).rejects.toThrow(
      /the agent's tap connection on .* ended after \d+ of 100 events/,
    );
  });

  it('close() ends a wait for the agent at once, and a wait after close() is refused', async () => {
    const driver = new TapDriver(tempSocket());
    cleanups.push(() => driver.close());
    await driver.start();
    const started = Date.now();
    const waiting = driver.waitForAgent(60_000);
    setTimeout(() => void driver.close(), 50);
    await expect(waiting).rejects.toThrow(/the tap driver on .* was closed while waiting for an agent to connect/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(driver.waitForAgent(60_000)).rejects.toThrow(/was closed while waiting/);
  });

  it('leaves no timer behind: a process that closes the driver while waiting exits at once, not when the wait would have timed out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-tap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const program = [
      `const { TapDriver } = await import(${JSON.stringify(join(ROOT, 'dist/src/input/tap/index.js'))});`,
      `const d = new TapDriver(${JSON.stringify(join(dir, 'laptop.tap'))});`,
      'await d.start();',
      'const wait = d.waitForAgent(60_000).catch((e) => console.log(e.inputCode));',
      'setTimeout(() => void d.close(), 50);',
      'await wait;',
    ].join('\n');
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('INPUT_AGENT_NOT_LISTENING');
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('says what is wrong: no agent, a missing socket, a path taken by a file, bad data on the wire', async () => {
    const path = tempSocket();
    const driver = new TapDriver(path);
    cleanups.push(() => driver.close());
    await driver.start();
    await expect(driver.waitForAgent(100)).rejects.toThrow(/no agent connected to the tap socket .* within 100 ms/);
    await expect(driver.replay(events(1, 0, 1), { wallStartMs: 0, virtualStartMs: 0 })).rejects.toBeInstanceOf(InputError);

    const missing = new TapSource(join(tmpdir(), 'fleetsim-no-such-dir', 'x.tap'));
    await expect(missing.start(() => {})).rejects.toThrow(
      /cannot connect to the tap socket .*ENOENT \(no such socket: is the harness listening there\?\)/,
    );

    const file = tempSocket();
    writeFileSync(file, 'not a socket');
    await expect(new TapDriver(file).start()).rejects.toThrow(/a file that is not a socket is there/);

    // A server that speaks something else: the source reports it through onError.
    const other = tempSocket();
    const server = net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    await new Promise<void>((r) => server.listen(other, r));
    const failed = new Promise<Error>((resolve) => {
      const src = new TapSource(other, { onError: resolve, onEnd: () => resolve(new Error('ended cleanly')) });
      cleanups.push(() => src.close());
      void src.start(() => {});
    });
    expect((await failed).message).toMatch(/bad data on the tap socket .*not a fleetsim tap: the hello starts with "HTTP\/1.1"/);
  });
});
