import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';
import { EventEmitter } from 'node:events';
import { stopOnClosedOutput } from '../../src/cli/closed-output.js';

const root = mkdtempSync(join(tmpdir(), 'fleetsim-closed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Starts the built CLI and, like `| head`, closes the reading end of the
 * pipes named in `close` once the first bytes arrive on `on`. Returns the
 * exit code and what came on the streams left open.
 */
async function closeEarly(
  args: readonly string[],
  o: { on: 'stdout' | 'stderr'; close: readonly ('stdout' | 'stderr')[]; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child[o.on].once('data', () => {
    for (const s of o.close) child[s].destroy();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const code = await Promise.race([exited, sleep(60_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') throw new Error(`fleetsim did not exit within 60 s of its output closing; stderr: ${stderr}`);
    return { code, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `fleetsim <args> | head …` in bash, as a user types it: fleetsim's exit code (PIPESTATUS) and its stderr. */
function pipeToHead(args: string, head: string): { code: number; stderr: string } {
  const r = spawnSync('bash', ['-c', `"$NODE" "$CLI" ${args} 2>"$ERR" | head ${head} >/dev/null; echo "\${PIPESTATUS[0]}"; cat "$ERR"`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE: process.execPath, CLI, ERR: join(root, `stderr-${Math.random()}`) },
    timeout: 60_000,
  });
  const [code, ...stderr] = r.stdout.split('\n');
  return { code: Number(code), stderr: stderr.join('\n') };
}

describe('a closed stdout or stderr (a pipe to head) ends fleetsim cleanly, exit 141', () => {
  it('schema | head -c 600: exit 141, no stack trace', async () => {
    // 160 kB of schema, more than a pipe holds: the write meets the closed pipe.
    const r = pipeToHead('schema', '-c 600');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  });

  it('validate … | head -1: exit 141, not 1 (a failed threshold), no stack trace', async () => {
    const r = pipeToHead('validate ' + Array.from({ length: 40 }, () => 'scenarios/quickstart.yaml').join(' '), '-1');
    expect(r.stderr).not.toMatch(/EPIPE|Node\.js|at .*\.js:\d+/);
    expect(r.code).toBe(141);
  });

  it('run … 2>&1 | head -2: stops as on a signal, marks the report interrupted and removes the database', async () => {
    const scenario = join(root, 'long.yaml');
    writeFileSync(
      scenario,
      'name: long\nseed: long\nfleet: { employees: 3000 }\nsimulation: { days: 1, startDate: "2026-03-03" }\ntransport: http\n',
    );
    const out = join(root, 'run');
    const r = await closeEarly(['run', scenario, '--workers', '1', '--out', out], {
      on: 'stderr',
      close: ['stdout', 'stderr'],
      env: { FLEETSIM_PROGRESS_EVERY_MS: '200' },
    });
    expect(r.code).toBe(141);
    expect(existsSync(join(out, 'interrupted.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'interrupted.json'), 'utf8'))).toMatchObject({
      format: 'fleetsim-interrupted/1',
      interrupted: true,
      command: 'run',
      signal: 'SIGPIPE',
      scenario: 'long',
    });
    expect(readdirSync(out).filter((f) => f.startsWith('ingest'))).toEqual([]);
  });
});

describe('stopOnClosedOutput', () => {
  const fake = () => Object.assign(new EventEmitter(), { write: () => true }) as unknown as NodeJS.WriteStream;
  const failure = (code: string) => Object.assign(new Error(code), { code });

  it('stops once on a closed pipe, and writes after it go nowhere', () => {
    const out = fake();
    let stops = 0;
    stopOnClosedOutput([out], () => stops++);
    out.emit('error', failure('EPIPE'));
    out.emit('error', failure('EPIPE'));
    expect(stops).toBe(1);
    expect(out.write('after')).toBe(true);
  });

  it('does not hide another failure of the stream as a closed pipe', () => {
    const out = fake();
    let stops = 0;
    stopOnClosedOutput([out], () => stops++);
    expect(() => out.emit('error', failure('EIO'))).toThrow(/EIO/);
    expect(stops).toBe(0);
  });
});
