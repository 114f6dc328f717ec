import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetsimAsync, readPids, scenario, survivors } from './helpers.js';

describe('fleetsim run with process agents: failures leave nothing behind', () => {
  it('refuses an agent command that exits at once, naming the command and its stderr, and leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    // The command starts a background sleeper in its process group, then fails: the sleeper must not outlive the run.
    const agent = `agent:\n  kind: process\n  command: [sh, -c, 'echo $$ >> ${dir}/pids-{deviceId}; sleep 60 & echo $! >> ${dir}/pids-{deviceId}; echo "cannot open {tapSocket}: boom" >&2; exit 3']`;
    const r = await fleetsimAsync(['run', scenario(dir, agent), '--out', join(dir, 'out')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /the agent command sh -c .* exited before it listened on its tap input \(it exited with code 3\); its stderr ends:\n\s+cannot open \/.*tap\.sock: boom/,
    );
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
