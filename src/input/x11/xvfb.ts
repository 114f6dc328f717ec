/**
 * One Xvfb (Debian's xvfb package) per synthetic laptop: started on a free
 * display, ready once it accepts connections, and killed on close and on
 * every failure path so no display outlives the run.
 *
 * Readiness comes from `-displayfd`: Xvfb writes its display number to that
 * descriptor only once it listens, so there is no polling of lock files and
 * no race with another Xvfb (other laptops, other runs) picking a number:
 * without an explicit display Xvfb claims the first free one itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { InputError } from '../errors.js';

export interface XvfbOptions {
  /** ":N" to insist on a display; omitted: the first free one. */
  readonly display?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** How long Xvfb may take to accept connections. */
  readonly startTimeoutMs?: number;
  /** The binary; "Xvfb" on PATH by default. */
  readonly command?: string;
}

export interface Xvfb {
  readonly display: string;
  readonly pid: number;
  /** Kills Xvfb (SIGTERM, then SIGKILL) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const DISPLAY_PATTERN = /^:(\d{1,5})$/;
const STDERR_KEEP_CHARS = 2000;
const KILL_GRACE_MS = 2000;

/** Xvfbs of this process still running, killed synchronously if the process exits first. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export function startXvfb(options: XvfbOptions = {}): Promise<Xvfb> {
  const width = options.widthPx ?? 1920;
  const height = options.heightPx ?? 1080;
  if (options.display !== undefined && !DISPLAY_PATTERN.test(options.display)) {
    return Promise.reject(
      new InputError(
        'INPUT_DISPLAY_FAILED',
        `display "${options.display}" is not a local X display name; use ":N" with N a number, or omit it to take the first free display`,
      ),
    );
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64 || width > 8192 || height > 8192) {
    return Promise.reject(
      new InputError('INPUT_DISPLAY_FAILED', `screen ${width}x${height} is not allowed; width and height are whole pixels from 64 to 8192`),
    );
  }
  const command = options.command ?? 'Xvfb';
  const args = [
    ...(options.display !== undefined ? [options.display] : []),
    '-displayfd',
    '3',
    '-nolisten',
    'tcp',
    '-noreset', // an X server resets when its last client leaves, dropping the root properties the path uses
    '-screen',
    '0',
    `${width}x${height}x24`,
  ];
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  killAllOnExit();

  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: false });
    } catch (err) {
      reject(displayFailed(command, options.display, `could not be started: ${(err as Error).message}`, err));
      return;
    }
    live.add(child);
    let stderr = '';
    let fdOut = '';
    let settled = false;
    const exited = new Promise<void>((res) =>
      child.once('exit', () => {
        live.delete(child);
        res();
      }),
    );
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
    };
    const fail = (why: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(displayFailed(command, options.display, why, cause)));
    };
    const timer = setTimeout(() => fail(`did not accept connections within ${timeoutMs} ms${tail(stderr)}`), timeoutMs);

    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_KEEP_CHARS);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'ENOENT'
          ? `was not found on PATH; install Debian's xvfb package (apt-get install -y xvfb)`
          : `could not be started: ${err.message}`,
        err,
      );
    });
    child.once('exit', (code, signal) => fail(`exited at start (${signal ?? `code ${code}`})${tail(stderr)}`));
    const fd = child.stdio[3] as NodeJS.ReadableStream | null;
    fd?.on('data', (d: Buffer) => {
      fdOut += d.toString();
      const m = /^(\d+)\n/.exec(fdOut);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      const display = `:${m[1]}`;
      let stopping: Promise<void> | null = null;
      resolve({ display, pid: child.pid as number, stop: () => (stopping ??= stop()) });
    });
  });
}

function tail(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-4);
  return lines.length ? `; Xvfb said: ${lines.join(' | ')}` : '';
}

function displayFailed(command: string, display: string | undefined, why: string, cause?: unknown): InputError {
  return new InputError('INPUT_DISPLAY_FAILED', `${command} ${display ?? '(first free display)'} ${why}`, { cause });
}
