/**
 * Pure accounting of a process tree's samples into one ProcessObservation.
 * No I/O: proc-observer.ts reads /proc and feeds samples here, and the tests
 * feed fixtures.
 *
 * What is counted, and why:
 * - CPU of a process over the window. Two sources, both lower bounds of the
 *   truth: the per-thread schedstat run time (exact nanoseconds, but a thread
 *   that exits between samples loses its time since its last sample) and the
 *   process's utime+stime from stat (the whole thread group, exited threads
 *   included, but in clock ticks of 10 ms, truncated). The schedstat figure is
 *   reported unless stat exceeds it by more than the two ticks its
 *   truncation can explain, which means threads exited unseen; then stat is
 *   reported. Processes present at the first sample count from that sample
 *   (a delta); processes born in the window count in full.
 * - The user/kernel split is stat's (the kernel itself splits the exact run
 *   time by tick sampling), applied to the figure above.
 * - A child that exits keeps its last sample. What it did between that sample
 *   and its exit is recovered from its parent's cutime/cstime, which grow by
 *   the child's whole-life CPU (and that of the descendants it reaped) when
 *   the parent reaps it: per parent, over the whole window, the growth beyond
 *   what its vanished children had already shown is added. (Over the whole
 *   window, not per sample: one sample can read a child before its parent
 *   reaps it and the parent just after, so the growth shows a sample before
 *   the child vanishes.) Children born and reaped between two samples are
 *   caught the same way. The parent's cutime is never added as such, so
 *   nothing is counted twice. Resolution of this part: clock ticks.
 * - Page faults (minor, major): stat's exact counts of the thread group, over
 *   the window as CPU is, children reaped unseen recovered the same way from
 *   the parent's cminflt/cmajflt.
 * - Context switches: summed over threads (the kernel keeps them per task),
 *   each thread's last sample kept.
 * - rss_peak_bytes: the sum over every process seen of its own VmHWM (each
 *   process's high-water mark; they need not have peaked at once, so this is
 *   an upper bound of the tree's simultaneous peak).
 * - pss_peak_bytes, threads_peak: the largest sum over the processes alive at
 *   one sample (PSS has no high-water mark in the kernel, so it is sampled).
 */
import type { ProcStat } from './proc-parse.js';
import type { ProcessObservation } from './types.js';

export interface ThreadSample {
  readonly tid: number;
  /** Exact CPU run time from schedstat, ns; null where the kernel does not expose it. */
  readonly run_ns: number | null;
  readonly voluntary_switches: number;
  readonly involuntary_switches: number;
}

export interface ProcessSample {
  readonly stat: ProcStat;
  readonly threads: readonly ThreadSample[];
  readonly vm_hwm_bytes: number | null;
  readonly pss_bytes: number | null;
}

export interface TreeSample {
  /** Monotonic time of the sample, ms. */
  readonly at_ms: number;
  readonly processes: readonly ProcessSample[];
}

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat. Fixed at 100 by the kernel ABI on every mainstream architecture. */
export const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;

interface ProcessRecord {
  /** The sample at the window's start; null for a process born in the window (counted from zero). */
  readonly first: ProcessSample | null;
  last: ProcessSample;
  readonly threadsFirst: Map<number, ThreadSample>;
  readonly threadsLast: Map<number, ThreadSample>;
  hwmMax: number;
}

interface ReapedTally {
  /** cutime/cstime growth, ticks, and the lifetime CPU the vanished children showed, s. */
  userTicks: number;
  systemTicks: number;
  shownS: number;
  /** cminflt/cmajflt growth, and the lifetime faults the vanished children showed. */
  minor: number;
  major: number;
  shownMinor: number;
  shownMajor: number;
}

export const processKey = (s: ProcStat): string => `${s.pid}@${s.starttime_ticks}`;

export class TreeAccount {
  private readonly records = new Map<string, ProcessRecord>();
  private present = new Set<string>();
  private samples = 0;
  private firstAt = 0;
  private lastAt = 0;
  /** Per parent (processKey): its cutime/cstime (and reaped faults) growth over the window, and what its vanished children showed over their lives. */
  private readonly reaped = new Map<string, ReapedTally>();
  private pssPeak: number | null = null;
  private threadsPeak = 0;

  constructor(private readonly clockTicksPerSecond: number = DEFAULT_CLOCK_TICKS_PER_SECOND) {}

  add(sample: TreeSample): void {
    const isFirst = this.samples === 0;
    if (isFirst) this.firstAt = sample.at_ms;
    this.lastAt = sample.at_ms;
    this.samples++;

    const now = new Map<string, ProcessSample>();
    for (const p of sample.processes) now.set(processKey(p.stat), p);

    this.recoverReapedChildren(now);

    let pss: number | null = null;
    let threads = 0;
    for (const [key, p] of now) {
      let r = this.records.get(key);
      if (r === undefined) {
        r = { first: isFirst ? p : null, last: p, threadsFirst: new Map(), threadsLast: new Map(), hwmMax: 0 };
        if (isFirst) for (const t of p.threads) r.threadsFirst.set(t.tid, t);
        this.records.set(key, r);
      }
      r.last = p;
      for (const t of p.threads) r.threadsLast.set(t.tid, t);
      if (p.vm_hwm_bytes !== null) r.hwmMax = Math.max(r.hwmMax, p.vm_hwm_bytes);
      if (p.pss_bytes !== null) pss = (pss ?? 0) + p.pss_bytes;
      threads += p.stat.num_threads;
    }
    if (pss !== null) this.pssPeak = Math.max(this.pssPeak ?? 0, pss);
    this.threadsPeak = Math.max(this.threadsPeak, threads);
    this.present = new Set(now.keys());
  }

  /** Tallies each parent's cutime/cstime growth since the last sample, and the lifetime CPU of the children that vanished. */
  private recoverReapedChildren(now: Map<string, ProcessSample>): void {
    const tickS = 1 / this.clockTicksPerSecond;
    const parentKeyByPid = new Map<number, string>();
    for (const key of this.present) parentKeyByPid.set(this.records.get(key)!.last.stat.pid, key);
    const tally = (key: string) => {
      let t = this.reaped.get(key);
      if (t === undefined)
        this.reaped.set(key, (t = { userTicks: 0, systemTicks: 0, shownS: 0, minor: 0, major: 0, shownMinor: 0, shownMajor: 0 }));
      return t;
    };
    for (const key of this.present) {
      const cur = now.get(key);
      const prev = this.records.get(key)!.last;
      if (cur === undefined) {
        // Vanished: what it showed over its life is what its parent's cutime gains (or gained) when reaping it.
        const parent = parentKeyByPid.get(prev.stat.ppid);
        if (parent !== undefined) {
          const t = tally(parent);
          t.shownS += lifetimeCpuS(this.records.get(key)!, tickS);
          t.shownMinor += prev.stat.minflt + prev.stat.cminflt;
          t.shownMajor += prev.stat.majflt + prev.stat.cmajflt;
        }
        continue;
      }
      const grewUser = Math.max(0, cur.stat.cutime_ticks - prev.stat.cutime_ticks);
      const grewSystem = Math.max(0, cur.stat.cstime_ticks - prev.stat.cstime_ticks);
      const grewMinor = Math.max(0, cur.stat.cminflt - prev.stat.cminflt);
      const grewMajor = Math.max(0, cur.stat.cmajflt - prev.stat.cmajflt);
      if (grewUser + grewSystem + grewMinor + grewMajor === 0) continue;
      const t = tally(key);
      t.userTicks += grewUser;
      t.systemTicks += grewSystem;
      t.minor += grewMinor;
      t.major += grewMajor;
    }
  }

  result(): ProcessObservation {
    const tickS = 1 / this.clockTicksPerSecond;
    let userS = 0;
    let systemS = 0;
    let minor = 0;
    let major = 0;
    for (const t of this.reaped.values()) {
      // Faults of children reaped unseen, as for CPU: the parent's reaped count less what the vanished ones showed.
      minor += Math.max(0, t.minor - t.shownMinor);
      major += Math.max(0, t.major - t.shownMajor);
      const ticks = t.userTicks + t.systemTicks;
      if (ticks === 0) continue;
      const extraS = Math.max(0, ticks * tickS - t.shownS);
      userS += (extraS * t.userTicks) / ticks;
      systemS += (extraS * t.systemTicks) / ticks;
    }
    let voluntary = 0;
    let involuntary = 0;
    let rss = 0;
    for (const r of this.records.values()) {
      const { cpuS, userShare } = processCpu(r, tickS);
      userS += cpuS * userShare;
      systemS += cpuS * (1 - userShare);
      for (const [tid, t] of r.threadsLast) {
        const f = r.threadsFirst.get(tid);
        voluntary += t.voluntary_switches - (f?.voluntary_switches ?? 0);
        involuntary += t.involuntary_switches - (f?.involuntary_switches ?? 0);
      }
      rss += r.hwmMax;
      minor += r.last.stat.minflt - (r.first?.stat.minflt ?? 0);
      major += r.last.stat.majflt - (r.first?.stat.majflt ?? 0);
    }
    return {
      wall_ms: this.lastAt - this.firstAt,
      cpu_user_s: userS,
      cpu_system_s: systemS,
      voluntary_switches: voluntary,
      involuntary_switches: involuntary,
      minor_faults: minor,
      major_faults: major,
      rss_peak_bytes: rss,
      pss_peak_bytes: this.pssPeak,
      threads_peak: this.threadsPeak,
      processes_seen: this.records.size,
      samples: this.samples,
    };
  }
}

function processCpu(r: ProcessRecord, tickS: number): { cpuS: number; userShare: number } {
  const last = r.last.stat;
  const first = r.first?.stat;
  const userTicks = last.utime_ticks - (first?.utime_ticks ?? 0);
  const systemTicks = last.stime_ticks - (first?.stime_ticks ?? 0);
  const statS = (userTicks + systemTicks) * tickS;

  let schedNs: number | null = 0;
  for (const [tid, t] of r.threadsLast) {
    if (t.run_ns === null || schedNs === null) {
      schedNs = null;
      break;
    }
    schedNs += t.run_ns - (r.threadsFirst.get(tid)?.run_ns ?? 0);
  }
  const schedS = schedNs === null ? null : schedNs / 1e9;
  const cpuS = schedS === null || statS - schedS > 2 * tickS ? statS : schedS;

  const shareFrom = (u: number, s: number): number | null => (u + s > 0 ? u / (u + s) : null);
  const userShare = shareFrom(userTicks, systemTicks) ?? shareFrom(last.utime_ticks, last.stime_ticks) ?? 1;
  return { cpuS, userShare };
}

/** A process's CPU over its whole life as last seen, its reaped children included: what its parent's cutime/cstime gain when it is reaped. */
function lifetimeCpuS(r: ProcessRecord, tickS: number): number {
  const st = r.last.stat;
  let schedNs: number | null = 0;
  for (const t of r.threadsLast.values()) {
    if (t.run_ns === null) {
      schedNs = null;
      break;
    }
    schedNs += t.run_ns;
  }
  const own = Math.max(schedNs === null ? 0 : schedNs / 1e9, (st.utime_ticks + st.stime_ticks) * tickS);
  return own + (st.cutime_ticks + st.cstime_ticks) * tickS;
}
