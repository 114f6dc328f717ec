/**
 * What the machine was doing while a benchmark measured: its load and, on a
 * virtual machine, the CPU time the host took from it (steal). A figure that
 * counts what a sleeping process pays to wake (a batched reader's cost per
 * read) moves with both: on this project's 2-core VMs the same build's cost
 * per read has differed threefold between instances. Printed beside the
 * figures so a reader can tell a regression from a busier host.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/** /proc/stat's aggregate line (jiffies); null where there is none. */
function cpuTimes(): CpuTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

export interface MachineContext {
  readonly cpu_model: string;
  readonly cores: number;
  readonly load_avg_1m_start: number;
  readonly load_avg_1m_end: number;
  /** Share of all CPU time the hypervisor took while the bench ran, %; null without /proc/stat. */
  readonly steal_pct: number | null;
}

/** Starts watching; call the returned function at the end for the context over the run. */
export function watchMachine(): () => MachineContext {
  const start = cpuTimes();
  const load0 = loadavg()[0]!;
  return () => {
    const end = cpuTimes();
    const dt = start && end ? end.total - start.total : 0;
    return {
      cpu_model: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      load_avg_1m_start: Math.round(load0 * 100) / 100,
      load_avg_1m_end: Math.round(loadavg()[0]! * 100) / 100,
      steal_pct: start && end && dt > 0 ? Math.round(((end.steal - start.steal) / dt) * 10_000) / 100 : null,
    };
  };
}
