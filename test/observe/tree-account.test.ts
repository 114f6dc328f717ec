import { describe, expect, it } from 'vitest';
import { parseStat } from '../../src/observe/proc-parse.js';
import { TreeAccount, type ProcessSample } from '../../src/observe/tree-account.js';

/** A fixture process: stat figures in ticks, one thread per entry of `threads` as [tid, run_ns, voluntary, involuntary]. */
function proc(o: {
  pid: number;
  ppid: number;
  u: number;
  s: number;
  cu?: number;
  cs?: number;
  start?: number;
  threads: [number, number | null, number, number][];
  hwm?: number;
  pss?: number | null;
  /** Page faults [minflt, cminflt, majflt, cmajflt]. */
  faults?: [number, number, number, number];
}): ProcessSample {
  const f = (o.faults ?? [0, 0, 0, 0]).join(' ');
  const line = `${o.pid} (p) S ${o.ppid} 1 1 0 -1 0 ${f} ${o.u} ${o.s} ${o.cu ?? 0} ${o.cs ?? 0} 20 0 ${o.threads.length} 0 ${o.start ?? 1000} 0 0`;
  return {
    stat: parseStat(line)!,
    threads: o.threads.map(([tid, run_ns, v, i]) => ({ tid, run_ns, voluntary_switches: v, involuntary_switches: i })),
    vm_hwm_bytes: o.hwm ?? 1024,
    pss_bytes: o.pss === undefined ? 512 : o.pss,
  };
}

/** The parent of the reaping tests: 100 ms of its own, and `cu` ticks reaped from its children. */
const parent = (cu = 0) => proc({ pid: 10, ppid: 1, u: 10, s: 0, cu, threads: [[10, 100_000_000, 0, 0]] });

describe('TreeAccount', () => {
  it('counts a process present at the first sample from that sample, in schedstat ns', () => {
    const a = new TreeAccount();
    a.add({
      at_ms: 0,
      processes: [
        proc({
          pid: 10,
          ppid: 1,
          u: 100,
          s: 20,
          threads: [
            [10, 1_200_000_000, 50, 5],
            [11, 3_000_000, 2, 0],
          ],
        }),
      ],
    });
    a.add({
      at_ms: 1000,
      processes: [
        proc({
          pid: 10,
          ppid: 1,
          u: 130,
          s: 30,
          threads: [
            [10, 1_603_000_000, 80, 6],
            [11, 3_500_000, 3, 0],
          ],
        }),
      ],
    });
    const o = a.result();
    expect(o.cpu_user_s + o.cpu_system_s).toBeCloseTo(0.4035, 9);
    // Split by stat's ticks: 30 user, 10 system.
    expect(o.cpu_user_s).toBeCloseTo(0.4035 * 0.75, 9);
    expect(o.voluntary_switches).toBe(31);
    expect(o.involuntary_switches).toBe(1);
    expect(o.wall_ms).toBe(1000);
    expect(o.samples).toBe(2);
  });

  it('takes stat where it exceeds schedstat by more than two ticks (threads exited unseen)', () => {
    const a = new TreeAccount();
    a.add({ at_ms: 0, processes: [proc({ pid: 10, ppid: 1, u: 0, s: 0, threads: [[10, 0, 0, 0]] })] });
    // 500 ms in stat, only 100 ms on the one thread still listed.
    a.add({ at_ms: 1000, processes: [proc({ pid: 10, ppid: 1, u: 50, s: 0, threads: [[10, 100_000_000, 1, 0]] })] });
    expect(a.result().cpu_user_s).toBeCloseTo(0.5, 9);
  });

  it('keeps the last sample of a child that exited and adds what its parent\u2019s cutime shows beyond it, once', () => {
    const a = new TreeAccount();
    a.add({ at_ms: 0, processes: [parent()] });
    a.add({
      at_ms: 100,
      processes: [parent(), proc({ pid: 20, ppid: 10, u: 20, s: 0, start: 2000, threads: [[20, 200_000_000, 4, 0]] })],
    });
    // The child ran 300 ms in all and was reaped: the parent's cutime grew by 30 ticks; 100 ms of it came after the child's last sample.
    a.add({ at_ms: 200, processes: [parent(30)] });
    a.add({ at_ms: 300, processes: [parent(30)] });
    const o = a.result();
    expect(o.cpu_user_s + o.cpu_system_s).toBeCloseTo(0.3, 9);
    expect(o.processes_seen).toBe(2);
    expect(o.voluntary_switches).toBe(4);
    expect(o.rss_peak_bytes).toBe(2048);
    expect(o.threads_peak).toBe(2);
    expect(o.pss_peak_bytes).toBe(1024);
  });

  it('counts a child once when a sample reads it just before its parent reaps it and the parent just after', () => {
    const a = new TreeAccount();
    a.add({ at_ms: 0, processes: [parent()] });
    a.add({
      at_ms: 100,
      processes: [parent(), proc({ pid: 20, ppid: 10, u: 10, s: 0, start: 2000, threads: [[20, 100_000_000, 1, 0]] })],
    });
    // The child's whole 300 ms as it exits, and the parent already reaped it (cutime +30 ticks) when the same sample read the parent.
    a.add({
      at_ms: 200,
      processes: [parent(30), proc({ pid: 20, ppid: 10, u: 30, s: 0, start: 2000, threads: [[20, 300_000_000, 2, 0]] })],
    });
    // Gone at the next sample; the parent's cutime does not grow again.
    a.add({ at_ms: 300, processes: [parent(30)] });
    const o = a.result();
    expect(o.cpu_user_s + o.cpu_system_s).toBeCloseTo(0.3, 9);
    expect(o.processes_seen).toBe(2);
  });

  it('counts page faults over the window, a reaped child\u2019s unseen ones once, from the parent\u2019s reaped counts', () => {
    const a = new TreeAccount();
    const withFaults = (faults: [number, number, number, number]) =>
      proc({ pid: 10, ppid: 1, u: 10, s: 0, faults, threads: [[10, 100_000_000, 0, 0]] });
    // Before the window the parent had 1,000 minor and 5 major faults of its own: not counted.
    a.add({ at_ms: 0, processes: [withFaults([1000, 0, 5, 0])] });
    a.add({
      at_ms: 100,
      processes: [
        withFaults([1040, 0, 5, 0]),
        proc({ pid: 20, ppid: 10, u: 1, s: 0, start: 2000, faults: [300, 0, 2, 0], threads: [[20, 10_000_000, 1, 0]] }),
      ],
    });
    // The child faulted 50 + 1 more after its last sample, then was reaped: the parent's cminflt/cmajflt grew by its whole life.
    a.add({ at_ms: 200, processes: [withFaults([1060, 350, 7, 3])] });
    const o = a.result();
    // Parent 60 + 2; child 300 + 2 seen, 50 + 1 recovered.
    expect(o.minor_faults).toBe(60 + 300 + 50);
    expect(o.major_faults).toBe(2 + 2 + 1);
  });

  it('does not mistake a reused pid for the process it replaced', () => {
    const a = new TreeAccount();
    a.add({
      at_ms: 0,
      processes: [
        proc({ pid: 10, ppid: 1, u: 0, s: 0, threads: [[10, 0, 0, 0]] }),
        proc({ pid: 20, ppid: 10, u: 5, s: 0, start: 2000, threads: [[20, 50_000_000, 0, 0]] }),
      ],
    });
    a.add({
      at_ms: 100,
      processes: [
        proc({ pid: 10, ppid: 1, u: 0, s: 0, threads: [[10, 0, 0, 0]] }),
        proc({ pid: 20, ppid: 10, u: 3, s: 0, start: 3000, threads: [[20, 30_000_000, 0, 0]] }),
      ],
    });
    const o = a.result();
    expect(o.processes_seen).toBe(3);
    // The first pid 20 counts from the window's start (0 ms more), the new one in full (30 ms).
    expect(o.cpu_user_s).toBeCloseTo(0.03, 9);
  });

  it('reports PSS as null where no process exposes smaps_rollup', () => {
    const a = new TreeAccount();
    a.add({ at_ms: 0, processes: [proc({ pid: 10, ppid: 1, u: 0, s: 0, pss: null, threads: [[10, null, 0, 0]] })] });
    a.add({ at_ms: 10, processes: [proc({ pid: 10, ppid: 1, u: 2, s: 1, pss: null, threads: [[10, null, 0, 0]] })] });
    const o = a.result();
    expect(o.pss_peak_bytes).toBeNull();
    // No schedstat: stat's ticks.
    expect(o.cpu_user_s).toBeCloseTo(0.02, 9);
    expect(o.cpu_system_s).toBeCloseTo(0.01, 9);
  });
});
