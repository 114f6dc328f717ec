import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cpuSeconds, threadCpuSeconds } from '../../bench/lib/output.js';

/** A fixed amount of work (not of time), so a loaded machine only makes it take longer. */
const SPIN = 'let s = 0; for (let i = 0; i < 1e8; i++) s = (s + i) % 1000003;';

describe('threadCpuSeconds', () => {
  it("counts this thread's work and not another thread's", async () => {
    const t0 = threadCpuSeconds();
    const busy = new Function(`${SPIN} return s;`) as () => number;
    expect(busy()).toBeGreaterThanOrEqual(0);
    const mine = threadCpuSeconds() - t0;
    expect(mine).toBeGreaterThan(0.05);

    // A worker does the same work while this thread waits: the process's clock moves by about as much, this thread's
    // by almost nothing.
    const p0 = cpuSeconds();
    const m0 = threadCpuSeconds();
    const worker = new Worker(SPIN, { eval: true });
    await new Promise((resolve) => worker.once('exit', resolve));
    const processS = cpuSeconds() - p0;
    const threadS = threadCpuSeconds() - m0;
    expect(processS).toBeGreaterThan(mine / 2);
    expect(threadS).toBeLessThan(processS / 4);
  });
});
