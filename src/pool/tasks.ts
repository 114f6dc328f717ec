import { Piscina } from 'piscina';
import { FleetsimError, RunError, type FleetsimErrorCode } from '../errors.js';
import { workerScript } from './script.js';

/** A piscina pool of `threads` threads running workers/<name>.js. */
export function createPool(name: string, threads: number): Piscina {
  return new Piscina({ filename: workerScript(name), minThreads: threads, maxThreads: threads, idleTimeout: 1_000 });
}

/**
 * Runs tasks on `workers` threads of workers/<worker>.js, or one after another
 * in the calling thread with `inline` when workers is 0 (tests, profiling).
 * Each result is handed to onResult with its task's index as soon as it is
 * ready; a failing worker becomes a RunError that names `what` failed,
 * unless what it threw was a FleetsimError sent by throwAcrossThreads: that
 * one comes back with its own code, message and exit code (a user's broken
 * adapter is bad input, exit 2, whichever thread found it).
 */
export async function runTasks<T, R>(
  o: {
    readonly worker: string;
    readonly what: string;
    readonly workers: number;
    readonly inline: (task: T) => R | Promise<R>;
    /** In the calling thread, run the tasks side by side rather than one after another (tasks that wait for each other). */
    readonly concurrent?: boolean;
  },
  tasks: readonly T[],
  onResult: (index: number, result: R) => void,
): Promise<void> {
  if (o.workers === 0) {
    if (o.concurrent) {
      await Promise.all(tasks.map(async (t, i) => onResult(i, await o.inline(t))));
      return;
    }
    for (let i = 0; i < tasks.length; i++) onResult(i, await o.inline(tasks[i] as T));
    return;
  }
  const pool = createPool(o.worker, o.workers);
  try {
    await Promise.all(tasks.map(async (t, i) => onResult(i, (await pool.run(t)) as R)));
  } catch (err) {
    throw fromOtherThread(err) ?? new RunError('WORKER_FAILED', `${o.what} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await pool.destroy();
  }
}

/** Starts the message of an Error that carries a FleetsimError from a worker thread. */
const CROSSING_PREFIX = 'fleetsim-error-across-threads ';

/**
 * For a worker entry's rejection handler: a FleetsimError as an Error that
 * crosses to the main thread whole. Structured cloning keeps an Error's
 * message and stack only (not its class, code or exit code), so those travel
 * in the message and runTasks rebuilds the error. Anything else is rethrown
 * as it is.
 */
export function throwAcrossThreads(err: unknown): never {
  if (!(err instanceof FleetsimError)) throw err;
  const carrier = new Error(
    CROSSING_PREFIX + JSON.stringify({ name: err.name, code: err.code, exitCode: err.exitCode, message: err.message }),
  );
  if (err.stack !== undefined) carrier.stack = err.stack;
  throw carrier;
}

/** A FleetsimError thrown in a worker thread, as the main thread rebuilds it (same name, code, message, exit code). */
class ErrorFromThread extends FleetsimError {
  override readonly name: string;
  constructor(name: string, code: FleetsimErrorCode, message: string, exitCode: number) {
    super(code, message, exitCode);
    this.name = name;
  }
}

/** The FleetsimError a worker sent with throwAcrossThreads, or null when `err` is not one. */
export function fromOtherThread(err: unknown): FleetsimError | null {
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || !message.startsWith(CROSSING_PREFIX)) return null;
  let d: { name?: unknown; code?: unknown; exitCode?: unknown; message?: unknown };
  try {
    d = JSON.parse(message.slice(CROSSING_PREFIX.length)) as typeof d;
  } catch {
    return null;
  }
  if (typeof d.name !== 'string' || typeof d.code !== 'string' || typeof d.exitCode !== 'number' || typeof d.message !== 'string')
    return null;
  const e = new ErrorFromThread(d.name, d.code as FleetsimErrorCode, d.message, d.exitCode);
  const stack = (err as { stack?: unknown }).stack;
  if (typeof stack === 'string') e.stack = stack;
  return e;
}
