/**
 * Agent CPU in multi-worker runs is measured with cpuMicros() inside worker
 * threads while other threads are busy. Where the runtime has
 * process.threadCpuUsage (Node ≥ 22.19 / 23.9) that is the thread's own time;
 * on older runtimes it is the whole process's, which also counts the other
 * threads' work. These tests pin down which one a run gets.
 */
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HAS_THREAD_CPU_USAGE } from '../../src/metrics/cpu.js';
import { ROOT } from '../helpers/cli.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

describe('agent CPU measure', () => {
  it('is per-thread exactly on the runtimes that have process.threadCpuUsage (22.19+, 23.9+)', () => {
    const expected = major > 23 || (major === 23 && minor >= 9) || (major === 22 && minor >= 19);
    expect(HAS_THREAD_CPU_USAGE).toBe(expected);
  });

  it('in a worker thread, leaves out another thread’s work where the runtime can, and counts it where it cannot', async () => {
    // The built module, as the run workers load it.
    const cpuModule = pathToFileURL(resolve(ROOT, 'dist/src/metrics/cpu.js')).href;
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       import(${JSON.stringify(cpuModule)}).then(({ cpuMicros }) => {
         const c0 = cpuMicros();
         parentPort.once('message', () => parentPort.postMessage(cpuMicros() - c0));
         parentPort.postMessage('ready');
       });`,
      { eval: true },
    );
    try {
      const [ready] = (await once(worker, 'message')) as [string];
      expect(ready).toBe('ready');
      // 300 ms of CPU on this thread while the worker sits idle waiting for a message.
      const SPIN_US = 300_000;
      const c0 = process.cpuUsage();
      let spun = 0;
      while (spun < SPIN_US) {
        const c = process.cpuUsage(c0);
        spun = c.user + c.system;
      }
      worker.postMessage('done');
      const [workerUs] = (await once(worker, 'message')) as [number];
      if (HAS_THREAD_CPU_USAGE) expect(workerUs).toBeLessThan(SPIN_US / 3);
      else expect(workerUs).toBeGreaterThanOrEqual(SPIN_US * 0.9);
    } finally {
      await worker.terminate();
    }
  });
});
