import { Piscina } from 'piscina';
import { RunError } from '../errors.js';
import { workerScript } from './script.js';

/** A piscina pool of `threads` threads running workers/<name>.js. */
export function createPool(name: string, threads: number): Piscina {
  return new Piscina({ filename: workerScript(name), minThreads: threads, maxThreads: threads, idleTimeout: 1_000 });
}

/**
 * Runs tasks on `workers` threads of workers/<worker>.js, or one after another
 * in the calling thread with `inline` when workers is 0 (tests, profiling).
 * Each result is handed to onResult with its task's index as soon as it is
 * ready; a failing worker becomes a RunError that names `what` failed.
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
    throw new RunError('WORKER_FAILED', `${o.what} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await pool.destroy();
  }
}
