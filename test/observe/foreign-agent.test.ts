import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlackhole, type BlackholeServer } from '../../src/ingest/index.js';
import { measuredBattery, observeProcessTree } from '../../src/observe/index.js';

let child: ChildProcess | null = null;
let bh: BlackholeServer | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await bh?.stop();
  bh = null;
});

describe('a foreign agent measured by the observer, uploading to the blackhole', () => {
  it('counts its uploads and bytes, and its wake-ups and CPU, and turns them into battery figures', async () => {
    bh = createBlackhole({ status: 202 });
    const { url } = await bh.start();
    const uploads = 10;
    // Another program: every 30 ms it posts 2 KB of anything, then it waits to be stopped.
    const script = `let n = 0;
      const tick = async () => {
        const r = await fetch(${JSON.stringify(url)} + '/ingest/batch', { method: 'POST', body: 'x'.repeat(2048), headers: { 'content-type': 'text/plain' } });
        if (r.status !== 202) process.exit(3);
        if (++n < ${uploads}) setTimeout(tick, 30); else console.log('done');
      };
      setTimeout(tick, 30); setTimeout(() => {}, 60_000);`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const obs = observeProcessTree(child.pid!, { intervalMs: 50 });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the foreign agent did not finish its uploads in 10 s')), 10_000);
      child!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('done')) {
          clearTimeout(t);
          resolve();
        }
      });
      child!.once('exit', (code) => reject(new Error(`the foreign agent exited with ${code}`)));
    });
    const o = obs.stop();
    const s = bh.stats();
    expect(s.by_route['POST /ingest/batch']).toMatchObject({ requests: uploads, body_bytes: uploads * 2048 });
    expect(s.by_status).toEqual({ '202': uploads });
    // At least one sleep per timer; each upload also waits on its socket.
    expect(o.voluntary_switches).toBeGreaterThanOrEqual(uploads);
    expect(o.cpu_user_s + o.cpu_system_s).toBeGreaterThan(0.02);
    const m = measuredBattery({ observation: o, radio_bytes: s.body_bytes + s.header_bytes, transmissions: s.requests, active_minutes: 1 });
    expect(m.cpu_seconds).toBeCloseTo(o.cpu_user_s + o.cpu_system_s, 12);
    expect(m.wakeups_per_active_minute).toBe(o.voluntary_switches);
    expect(m.window_energy.byTerm.transmissions).toBeCloseTo(uploads * 0.1, 9);
    expect(m.battery_pct_per_day).toBeGreaterThan(0);
  });
});
