/**
 * Pure parsers for the /proc files the observer reads: text in, numbers out,
 * null where a file is not in the shape the kernel documents (proc(5)).
 * Every function here is tested on fixtures; the reading happens in
 * proc-observer.ts.
 */

/** The fields of /proc/<pid>/stat the observer uses. Times are in clock ticks (USER_HZ). */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Page faults of the whole thread group: minor (mapped without I/O) and major (read back from disk). */
  readonly minflt: number;
  readonly majflt: number;
  /** The same of waited-for (reaped) children and their reaped descendants. */
  readonly cminflt: number;
  readonly cmajflt: number;
  /** User and kernel time of the whole thread group, exited threads included, clock ticks. */
  readonly utime_ticks: number;
  readonly stime_ticks: number;
  /** User and kernel time of waited-for (reaped) children and their reaped descendants, clock ticks. */
  readonly cutime_ticks: number;
  readonly cstime_ticks: number;
  readonly num_threads: number;
  /** Start time after boot, clock ticks: with the pid, it names a process across pid reuse. */
  readonly starttime_ticks: number;
}

/**
 * Parses /proc/<pid>/stat. The comm field is in parentheses and may itself
 * hold spaces and parentheses (a process may name itself `a) b`), so the
 * fields after it are found from the LAST `)` in the line, as procps does.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields from 3 (state) onward; proc(5) numbers them from 1.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  if (rest.length < 20) return null;
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm,
    state: rest[0]!,
    ppid: field(4),
    minflt: field(10),
    cminflt: field(11),
    majflt: field(12),
    cmajflt: field(13),
    utime_ticks: field(14),
    stime_ticks: field(15),
    cutime_ticks: field(16),
    cstime_ticks: field(17),
    num_threads: field(20),
    starttime_ticks: field(22),
  };
  for (const v of [
    stat.pid,
    stat.ppid,
    stat.minflt,
    stat.cminflt,
    stat.majflt,
    stat.cmajflt,
    stat.utime_ticks,
    stat.stime_ticks,
    stat.cutime_ticks,
    stat.cstime_ticks,
    stat.num_threads,
    stat.starttime_ticks,
  ]) {
    if (!Number.isFinite(v)) return null;
  }
  return stat;
}

/** The fields of /proc/<pid>/task/<tid>/status the observer uses. */
export interface ProcStatus {
  /**
   * Context switches of THIS task (thread) only: the kernel prints the
   * task's own nvcsw/nivcsw, so a process's total is the sum over its
   * /proc/<pid>/task/* entries (checked on Linux 6.18: the group leader's
   * status shows the main thread's count alone).
   */
  readonly voluntary_switches: number | null;
  readonly involuntary_switches: number | null;
  /** Peak resident set size of the process (shared by its threads), bytes; null for a zombie (no mm). */
  readonly vm_hwm_bytes: number | null;
  readonly vm_rss_bytes: number | null;
  readonly threads: number | null;
}

function statusField(text: string, name: string): string | null {
  const re = new RegExp(`^${name}:\\s*(.*)$`, 'm');
  const m = re.exec(text);
  return m ? m[1]!.trim() : null;
}

function kbField(text: string, name: string): number | null {
  const v = statusField(text, name);
  if (v === null) return null;
  const m = /^(\d+)\s*kB$/.exec(v);
  return m ? Number(m[1]) * 1024 : null;
}

function intField(text: string, name: string): number | null {
  const v = statusField(text, name);
  if (v === null || !/^\d+$/.test(v)) return null;
  return Number(v);
}

export function parseStatus(text: string): ProcStatus {
  return {
    voluntary_switches: intField(text, 'voluntary_ctxt_switches'),
    involuntary_switches: intField(text, 'nonvoluntary_ctxt_switches'),
    vm_hwm_bytes: kbField(text, 'VmHWM'),
    vm_rss_bytes: kbField(text, 'VmRSS'),
    threads: intField(text, 'Threads'),
  };
}

/**
 * Parses /proc/<pid>/task/<tid>/schedstat: "run_ns wait_ns timeslices".
 * The first figure is the task's exact time on a CPU in nanoseconds
 * (se.sum_exec_runtime). A kernel without CONFIG_SCHED_INFO prints "0 0 0";
 * that reads as null (unknown), not as zero CPU.
 */
export function parseSchedstat(text: string): { readonly run_ns: number; readonly timeslices: number } | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 3 || !parts.every((p) => /^\d+$/.test(p))) return null;
  const run_ns = Number(parts[0]);
  const timeslices = Number(parts[2]);
  if (run_ns === 0 && timeslices === 0) return null;
  return { run_ns, timeslices };
}

/** Pss from /proc/<pid>/smaps_rollup, bytes; null where absent (kernel < 4.14, zombie, or no permission). */
export function parseSmapsRollupPss(text: string): number | null {
  return kbField(text, 'Pss');
}

/** /proc/<pid>/task/<tid>/children: space-separated pids of the children this thread started. */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}
