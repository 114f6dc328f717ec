import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetsimAsync, scenario, survivors } from './helpers.js';

describe('fleetsim run with process agents over X11', () => {
  it('runs the reference agent over X11 (an Xvfb per laptop, XTEST in, RECORD out): ledger balanced, and every Xvfb gone after the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    let fleetsimPid = 0;
    const displays = new Set<number>();
    const running = fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: x11 }'), '--out', out, '--json'], {
      onSpawn: (pid) => (fleetsimPid = pid),
    });
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
    // The observer counted the agent's wake-ups: at most about one per event (RECORD may batch) plus its timers.
    expect(p.fleet.wakeups).toBeGreaterThan(0);
    expect(p.fleet.wakeups_per_event).toBeLessThan(1.5);
    for (const l of p.laptops) expect(l.cpu_seconds).toBeGreaterThan(0);
  }, 60_000);

  it('a display that cannot start is a clear error, and nothing is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    // No Xvfb on PATH: the display cannot start.
    const r = await fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: x11 }'), '--out', join(dir, 'out')], {
      env: { ...process.env, PATH: '/nonexistent' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Xvfb/);
    expect(r.stderr).toMatch(/INPUT_DISPLAY_FAILED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
