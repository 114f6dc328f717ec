import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../../helpers/cli.js';

/** Runs the built CLI asynchronously (so a test can signal it), bounded in time. */
function fleetsimAsync(args: readonly string[], o: { timeoutMs?: number; onSpawn?: (pid: number) => void; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    o.onSpawn?.(c.pid!);
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Whether a process is still running (a zombie waiting for init to reap it is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pids still running after up to 2 s (a SIGKILLed process takes a moment to go). */
async function survivors(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + 2_000;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 50));
    left = left.filter(alive);
  }
  return left;
}

/** Two Berlin laptops, 20 s at 11:00 local: both have input then (seed 1). */
function scenario(dir: string, agent: string, extra = ''): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    `name: proc\nseed: 1\nfleet: { employees: 2, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\n${agent}\nsimulation:\n  speed: 1\n  window: { day: 1, at: "10:00", durationMinutes: 0.3333 }\noutputs: { dir: ${JSON.stringify(join(dir, 'reports'))}, html: false, csv: false }\n${extra}`,
  );
  return file;
}

function readPids(dir: string): number[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('pids-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
}

describe('fleetsim run with process agents on the real clock', () => {
  it('runs the reference agent over the tap into the embedded ingest: ledger balanced, canaries scanned in the store, observer figures consistent with the agent’s own /proc view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    const r = await fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: tap }'), '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const f = summary;
    const p = f.process;
    expect(p.agent).toBe('reference');
    expect(p.input).toBe('tap');
    expect(p.laptops).toHaveLength(2);
    expect(p.ledger_balanced).toBe(true);
    // Every injected event reached the agent, and ended in exactly one fate.
    expect(p.fleet.received).toBe(p.fleet.injected);
    expect(p.fleet.injected).toBeGreaterThan(300);
    expect(f.ledger.produced).toBe(p.fleet.injected);
    expect(f.ledger.stored + f.ledger.coalesced + f.ledger.redacted + f.ledger.dropped_paused + f.ledger.dropped_exempt + f.ledger.spooled + f.ledger.lost).toBe(f.ledger.produced);
    expect(f.ledger.stored).toBeGreaterThan(0);
    expect(f.ledger.lost).toBe(0);
    // What the agents report as stored is what the store holds.
    expect(f.ingest.acknowledged_missing).toBe(0);
    expect(f.leaks.scanned).toBe('ingest store');
    expect(f.leaks.canaries).toBe(0);
    for (const l of p.laptops) {
      const stats = JSON.parse(readFileSync(join(out, 'agents', l.employee_id, 'stats.json'), 'utf8'));
      expect(stats.stop_reason).toBe('SIGTERM');
      expect(l.exited_on_sigterm).toBe(true);
      // The observer watched the window only (not start-up or the final drain); the agent's own getrusage covers its whole life.
      const ownCpu = (stats.process.cpu_user_us + stats.process.cpu_system_us) / 1e6;
      expect(l.cpu_seconds).toBeGreaterThan(0);
      expect(l.cpu_seconds).toBeLessThanOrEqual(ownCpu + 0.02);
      expect(l.wakeups).toBeLessThanOrEqual(stats.process.voluntary_context_switches + 5);
      // VmHWM and getrusage's maxrss are the same peak, read two ways (±15 %: the last sample can precede the drain).
      expect(l.rss_peak_mb * 1e3).toBeGreaterThan(stats.process.max_rss_kb * 0.85 * 1.024);
      expect(l.rss_peak_mb * 1e3).toBeLessThan(stats.process.max_rss_kb * 1.15 * 1.024);
      // The window is 20 s; a slow start skips its first seconds rather than injecting late.
      expect(l.observed_seconds).toBeGreaterThan(5);
      expect(l.observed_seconds).toBeLessThan(30);
      // HDR percentiles are bucketed: p99 may read a hair above the exact max.
      expect(l.injection_max_ms).toBeGreaterThanOrEqual(l.injection_p99_ms * 0.99);
    }
    expect(p.cpu_s_per_hour.p50).toBeGreaterThan(0);
    expect(p.battery_pct_per_day.p50).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/"process":\{"agent":"reference"/);
  }, 60_000);

  it('runs the reference agent over X11 (an Xvfb per laptop, XTEST in, RECORD out): ledger balanced, and every Xvfb gone after the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    let fleetsimPid = 0;
    const displays = new Set<number>();
    const running = fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: x11 }'), '--out', out, '--json'], { onSpawn: (pid) => (fleetsimPid = pid) });
    let done = false;
    void running.then(() => (done = true));
    // The run's own Xvfb processes, seen while it runs: its direct children named Xvfb.
    while (!done) {
      for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (stat.includes('(Xvfb)') && Number(fields[1]) === fleetsimPid) displays.add(Number(name));
        } catch {
          // gone
        }
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const r = await running;
    expect(r.code).toBe(0);
    expect(displays.size).toBe(2);
    expect(await survivors([...displays])).toEqual([]);
    const p = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).process;
    expect(p.input).toBe('x11');
    expect(p.ledger_balanced).toBe(true);
    expect(p.fleet.injected).toBeGreaterThan(300);
    // The X server may drop an event or two; the ledger counts them as lost rather than losing track.
    expect(p.fleet.received).toBeGreaterThan(p.fleet.injected * 0.98);
    // RECORD hands events over in batches: far fewer wake-ups than events.
    expect(p.fleet.wakeups_per_event).toBeLessThan(0.5);
    for (const l of p.laptops) expect(l.cpu_seconds).toBeGreaterThan(0);
  }, 60_000);

  it('a display that cannot start is a clear error, and nothing is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    // No Xvfb on PATH: the display cannot start.
    const r = await fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: x11 }'), '--out', join(dir, 'out')], { env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Xvfb/);
    expect(r.stderr).toMatch(/INPUT_DISPLAY_FAILED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('measures a foreign agent (a few lines of node that read the tap and POST what they read) against the blackhole, with the same observer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    // Reads the tap's 32-byte records and POSTs every 64 of them, raw, to the upload URL: no fleetsim protocol at all.
    const program = [
      "const net = require('net'), http = require('http');",
      'let buf = Buffer.alloc(0);',
      'const post = (b) => { const r = http.request(process.argv[2], { method: "POST" }); r.on("error", () => 0); r.end(b); };',
      'net.connect(process.argv[1]).on("data", (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 16 + 64 * 32) { post(buf); buf = Buffer.alloc(0); } });',
      'process.on("SIGTERM", () => { if (buf.length) post(buf); setTimeout(() => process.exit(0), 200); });',
    ].join(' ');
    const agent = `agent:\n  kind: process\n  command: ${JSON.stringify(['node', '-e', program, '{tapSocket}', '{uploadUrl}'])}\ningest: { kind: blackhole, status: 202 }`;
    const r = await fleetsimAsync(['run', scenario(dir, agent), '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const p = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).process;
    expect(p.agent).toBe('node');
    expect(p.ingest).toBe('blackhole');
    // No ledger to balance: the agent keeps none.
    expect(p.ledger_balanced).toBeNull();
    expect(p.fleet.received).toBeNull();
    expect(p.fleet.injected).toBeGreaterThan(300);
    // What it posted is what it read: 32 bytes per event (and a hello) over 64 events per request.
    expect(p.fleet.uploads).toBeGreaterThanOrEqual(Math.floor(p.fleet.injected / 64));
    expect(p.fleet.bytes).toBeGreaterThan(32 * p.fleet.injected);
    for (const l of p.laptops) {
      expect(l.cpu_seconds).toBeGreaterThan(0);
      expect(l.wakeups).toBeGreaterThan(0);
      expect(l.rss_peak_mb).toBeGreaterThan(10);
      expect(l.processes).toBe(1);
    }
  }, 60_000);

  it('refuses an agent command that exits at once, naming the command and its stderr, and leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    // The command starts a background sleeper in its process group, then fails: the sleeper must not outlive the run.
    const agent = `agent:\n  kind: process\n  command: [sh, -c, 'echo $$ >> ${dir}/pids-{deviceId}; sleep 60 & echo $! >> ${dir}/pids-{deviceId}; echo "cannot open {tapSocket}: boom" >&2; exit 3']`;
    const r = await fleetsimAsync(['run', scenario(dir, agent), '--out', join(dir, 'out')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the agent command sh -c .* exited before it listened on its tap input \(it exited with code 3\); its stderr ends:\n\s+cannot open \/.*tap\.sock: boom/);
    const pids = readPids(dir);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(await survivors(pids)).toEqual([]);
  }, 30_000);

  it('on SIGINT kills every agent process group it started, then exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    // A foreign agent that connects to its tap and sits there, with a child of its own.
    const agent = `agent:\n  kind: process\n  command: [sh, -c, 'echo $$ >> ${dir}/pids-{deviceId}; sleep 60 & echo $! >> ${dir}/pids-{deviceId}; exec node -e "require(\\"net\\").connect(process.argv[1]).resume(); setTimeout(() => 0, 60000)" {tapSocket}']`;
    let fleetsimPid = 0;
    const running = fleetsimAsync(['run', scenario(dir, agent), '--out', join(dir, 'out')], { onSpawn: (pid) => (fleetsimPid = pid) });
    // Wait until both agents are up, then interrupt.
    const deadline = Date.now() + 20_000;
    while (readPids(dir).length < 4 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(readPids(dir)).toHaveLength(4);
    await new Promise((res) => setTimeout(res, 500));
    process.kill(fleetsimPid, 'SIGINT');
    const r = await running;
    expect(r.signal === 'SIGINT' || r.code === 130).toBe(true);
    expect(await survivors(readPids(dir))).toEqual([]);
    expect(existsSync(join(dir, 'out', 'summary.json'))).toBe(false);
  }, 30_000);
});
