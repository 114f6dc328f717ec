import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { ObserveError, observeProcessTree, type ProcessObservation } from '../../src/observe/index.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `node -e script`; resolves each JSON line the child prints. */
function startNode(script: string): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextJson(lines: AsyncIterator<string>, timeoutMs = 10_000): Promise<Record<string, number>> {
  const t = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('child printed nothing in time')), timeoutMs).unref());
  const r = await Promise.race([lines.next(), t]);
  if (r.done) throw new Error('child closed stdout');
  return JSON.parse(r.value) as Record<string, number>;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

const cpuMs = (o: ProcessObservation): number => (o.cpu_user_s + o.cpu_system_s) * 1000;

// A busy loop until the process has used `ms` more of CPU (CPU time, not wall time: the machine is shared).
const burn = (ms: number): string =>
  `{ const c0 = process.cpuUsage(); let x = 0; for (;;) { for (let i = 0; i < 1e5; i++) x++; const d = process.cpuUsage(c0); if (d.user + d.system >= ${ms} * 1000) break; } }`;
const report = `const u = process.cpuUsage(); console.log(JSON.stringify({ cpu_ms: (u.user + u.system) / 1000 }));`;
const stayAlive = `setTimeout(() => {}, 60_000);`;

describe('observeProcessTree on real processes', () => {
  it('reports a child\u2019s CPU within a few ms of its own process.cpuUsage(), and one wake-up per timer at least', async () => {
    const timers = 20;
    const { child, lines } = startNode(
      `${burn(200)}; let n = 0; const tick = () => { if (++n < ${timers}) setTimeout(tick, 5); else { ${report} ${stayAlive} } }; setTimeout(tick, 5);`,
    );
    const obs = observeProcessTree(child.pid!, { intervalMs: 50 });
    const own = await nextJson(lines);
    const o = obs.stop();
    expect(obs.stop()).toBe(o);
    const errMs = cpuMs(o) - own.cpu_ms!;
    console.log(
      `observer CPU ${cpuMs(o).toFixed(1)} ms, child's own ${own.cpu_ms!.toFixed(1)} ms, error ${errMs.toFixed(1)} ms; voluntary ${o.voluntary_switches}, involuntary ${o.involuntary_switches}, rss ${o.rss_peak_bytes}, pss ${o.pss_peak_bytes}, threads ${o.threads_peak}, samples ${o.samples}`,
    );
    expect(own.cpu_ms).toBeGreaterThan(190);
    // The observer's window starts just after spawn, so it misses the little the child ran before the first
    // sample; the child's figure misses what it ran after printing. Both are a few ms.
    expect(Math.abs(errMs)).toBeLessThan(25);
    expect(o.voluntary_switches).toBeGreaterThanOrEqual(timers);
    expect(o.rss_peak_bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(o.threads_peak).toBeGreaterThanOrEqual(1);
    expect(o.processes_seen).toBe(1);
    expect(o.samples).toBeGreaterThanOrEqual(3);
    expect(o.wall_ms).toBeGreaterThan(250);
  });

  it('counts the page faults a child takes in the window, as its own getrusage counts them', async () => {
    // 32 MiB touched page by page after a pause (the observer is running by then): one minor fault per 4 KiB page at least.
    const { child, lines } = startNode(
      `setTimeout(() => { const r0 = process.resourceUsage(); const b = Buffer.alloc(32 * 1024 * 1024); for (let i = 0; i < b.length; i += 4096) b[i] = 1; const r1 = process.resourceUsage(); console.log(JSON.stringify({ minor: r1.minorPageFault - r0.minorPageFault, major: r1.majorPageFault - r0.majorPageFault })); ${stayAlive} }, 300);`,
    );
    const obs = observeProcessTree(child.pid!, { intervalMs: 50 });
    const own = await nextJson(lines);
    const o = obs.stop();
    console.log(`observer minor faults ${o.minor_faults}, major ${o.major_faults}; the child's own count over the touch ${own.minor}`);
    expect(own.minor).toBeGreaterThanOrEqual(8192 * 0.9);
    // The window holds the touch and a little start-up besides; never less than the touch.
    expect(o.minor_faults).toBeGreaterThanOrEqual(own.minor!);
    expect(o.minor_faults).toBeLessThan(own.minor! + 20_000);
    expect(o.major_faults).toBeGreaterThanOrEqual(own.major!);
  });

  it('counts a grandchild that burns CPU and exits before stop', async () => {
    const gc = `${burn(150)}; ${report}`;
    const { child, lines } = startNode(
      `const { spawn } = require('node:child_process');
       const g = spawn(process.execPath, ['-e', ${JSON.stringify(gc)}], { stdio: ['ignore', 'pipe', 'inherit'] });
       let out = ''; g.stdout.on('data', (d) => (out += d));
       g.on('exit', () => { const u = process.cpuUsage(); console.log(JSON.stringify({ gc_ms: JSON.parse(out).cpu_ms, cpu_ms: (u.user + u.system) / 1000 })); ${stayAlive} });`,
    );
    const obs = observeProcessTree(child.pid!, { intervalMs: 50 });
    const own = await nextJson(lines);
    const o = obs.stop();
    const expected = own.cpu_ms! + own.gc_ms!;
    console.log(`tree CPU ${cpuMs(o).toFixed(1)} ms, child + grandchild own ${expected.toFixed(1)} ms; processes ${o.processes_seen}`);
    expect(o.processes_seen).toBe(2);
    expect(own.gc_ms).toBeGreaterThan(140);
    expect(Math.abs(cpuMs(o) - expected)).toBeLessThan(40);
  });

  it('recovers a grandchild born and reaped between two samples from its parent\u2019s cutime', async () => {
    const gc = `${burn(100)}; ${report}`;
    const { child, lines } = startNode(
      `const { spawnSync } = require('node:child_process');
       const g = spawnSync(process.execPath, ['-e', ${JSON.stringify(gc)}], { encoding: 'utf8' });
       const u = process.cpuUsage();
       console.log(JSON.stringify({ gc_ms: JSON.parse(g.stdout).cpu_ms, cpu_ms: (u.user + u.system) / 1000 }));
       ${stayAlive}`,
    );
    // One sample at the start and one at stop: the grandchild lives and dies in between, unseen.
    const obs = observeProcessTree(child.pid!, { intervalMs: 60_000 });
    const own = await nextJson(lines);
    const o = obs.stop();
    const unseenMs = cpuMs(o) - own.cpu_ms!;
    console.log(
      `tree CPU ${cpuMs(o).toFixed(1)} ms, child's own ${own.cpu_ms!.toFixed(1)} ms, recovered ${unseenMs.toFixed(1)} ms, grandchild's own ${own.gc_ms!.toFixed(1)} ms; processes seen ${o.processes_seen}`,
    );
    expect(o.samples).toBe(2);
    expect(o.processes_seen).toBe(1);
    // cutime holds the grandchild's whole life, its exit included, which its own cpuUsage() cannot report.
    expect(unseenMs).toBeGreaterThan(own.gc_ms! - 15);
    expect(unseenMs).toBeLessThan(own.gc_ms! + 40);
  });

  it('finds children by scanning ppids as well as through the children files', async () => {
    const gc = `${burn(50)}; ${report} ${stayAlive}`;
    const { child, lines } = startNode(
      `const { spawn } = require('node:child_process');
       const g = spawn(process.execPath, ['-e', ${JSON.stringify(gc)}], { stdio: ['ignore', 'inherit', 'inherit'] });
       console.log(JSON.stringify({ gc_pid: g.pid }));
       ${stayAlive}`,
    );
    const obs = observeProcessTree(child.pid!, { intervalMs: 50, childDiscovery: 'scan' });
    const { gc_pid } = await nextJson(lines);
    try {
      const gcOwn = await nextJson(lines);
      const o = obs.stop();
      expect(o.processes_seen).toBe(2);
      expect(cpuMs(o)).toBeGreaterThan(gcOwn.cpu_ms! - 40);
    } finally {
      killQuietly(gc_pid!);
    }
  });

  it('keeps following a grandchild orphaned when its parent exits', async () => {
    // The middle process starts a grandchild and exits at once; the grandchild is reparented out of the tree.
    const gc = `setTimeout(() => { ${burn(100)}; ${report} ${stayAlive} }, 200);`;
    const { child, lines } = startNode(
      `const { spawn } = require('node:child_process');
       const g = spawn(process.execPath, ['-e', ${JSON.stringify(gc)}], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
       console.log(JSON.stringify({ gc_pid: g.pid }));
       setTimeout(() => process.exit(0), 100);`,
    );
    const obs = observeProcessTree(child.pid!, { intervalMs: 50 });
    const { gc_pid } = await nextJson(lines);
    try {
      const gcOwn = await nextJson(lines);
      const o = obs.stop();
      expect(o.processes_seen).toBe(2);
      expect(cpuMs(o)).toBeGreaterThan(gcOwn.cpu_ms!);
    } finally {
      killQuietly(gc_pid!);
    }
  });

  it('keeps the last sample of a root that exited', async () => {
    const { child, lines } = startNode(`${burn(100)}; ${report}`);
    const obs = observeProcessTree(child.pid!, { intervalMs: 20 });
    const own = await nextJson(lines);
    await new Promise((r) => child.once('exit', r));
    const o = obs.stop();
    // Lost at most the time between the last sample and the exit, which the 20 ms interval bounds.
    expect(cpuMs(o)).toBeGreaterThan(own.cpu_ms! - 40);
    expect(cpuMs(o)).toBeLessThan(own.cpu_ms! + 25);
  });

  it('refuses a pid that does not exist and a bad interval, with the reason', () => {
    expect(() => observeProcessTree(0x3fffff + 7)).toThrow(ObserveError);
    expect(() => observeProcessTree(0x3fffff + 7)).toThrow(/OBSERVE_NO_SUCH_PROCESS/);
    expect(() => observeProcessTree(process.pid, { intervalMs: 1 })).toThrow(/intervalMs must be between 10 and 60000, got 1/);
    expect(() => observeProcessTree(-1)).toThrow(/positive integer/);
    expect(() => observeProcessTree(process.pid, { childDiscovery: 'guess' as 'scan' })).toThrow(
      /childDiscovery must be 'auto' or 'scan', got guess/,
    );
    expect(() => observeProcessTree(process.pid, { procRoot: '/nonexistent-proc' })).toThrow(/OBSERVE_PROC_UNAVAILABLE/);
  });
});
