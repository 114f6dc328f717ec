import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cpuSeconds, threadCpuSeconds } from '../../bench/lib/output.js';

describe('threadCpuSeconds', () => {
  it("counts this thread's work and not another thread's", async () => {
    const t0 = threadCpuSeconds();
    const end = Date.now() + 150;
    let spin = 0;
    while (Date.now() < end) spin++;
    const busy = threadCpuSeconds() - t0;
    expect(spin).toBeGreaterThan(0);
    expect(busy).toBeGreaterThan(0.1);

    // A worker spins for 300 ms while this thread waits: the process's clock moves by about that, this thread's not.
    const p0 = cpuSeconds();
    const m0 = threadCpuSeconds();
    const worker = new Worker('const end = Date.now() + 300; while (Date.now() < end);', { eval: true });
    await new Promise((resolve) => worker.once('exit', resolve));
    const processS = cpuSeconds() - p0;
    const threadS = threadCpuSeconds() - m0;
    expect(processS).toBeGreaterThan(0.2);
    expect(threadS).toBeLessThan(processS / 2);
  });
});
