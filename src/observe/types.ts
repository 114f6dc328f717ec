/**
 * What the observer measures of an agent under test: the agent's OS process
 * and every process it starts, read from /proc, and the package's energy from
 * RAPL where the machine exposes it. These are the measured inputs of the
 * battery proxy (DESIGN.md, "What is measured"); the virtual-time energy
 * model is calibrated on them.
 */

/** One process tree's resource use over an observation window. */
export interface ProcessObservation {
  /** Wall time from the first sample to the last, ms. */
  readonly wall_ms: number;
  /** CPU time in user and kernel mode, seconds, summed over the tree (exited children included where the kernel reports them). */
  readonly cpu_user_s: number;
  readonly cpu_system_s: number;
  /** Voluntary context switches: the process slept and was woken (a wake-up). */
  readonly voluntary_switches: number;
  /** Involuntary context switches: the scheduler took the CPU away. */
  readonly involuntary_switches: number;
  /**
   * Page faults, summed over the tree as CPU is: minor ones map a page without I/O; major ones read a page back
   * from disk, i.e. memory the OS reclaimed (e.g. proactive reclaim of pages left cold while the agent slept).
   * Both are kernel CPU the agent pays on waking.
   */
  readonly minor_faults: number;
  readonly major_faults: number;
  /** Each process's peak resident set size (VmHWM) summed over every process seen, bytes: an upper bound of the tree's simultaneous peak. */
  readonly rss_peak_bytes: number;
  /** Peak proportional set size (smaps_rollup) summed over the tree; null where the kernel does not expose it. */
  readonly pss_peak_bytes: number | null;
  /** Most threads seen at once, summed over the tree. */
  readonly threads_peak: number;
  /** Processes seen in the tree over the window (the agent and its children). */
  readonly processes_seen: number;
  readonly samples: number;
}

/** Package energy from /sys/class/powercap (Intel RAPL), over the same window. */
export type EnergyReading =
  { readonly kind: 'rapl'; readonly joules: number; readonly zone: string } | { readonly kind: 'unavailable'; readonly reason: string };

/** Watches one process tree until stopped. */
export interface ProcessObserver {
  readonly pid: number;
  /** Takes a sample now (also done every interval). */
  sample(): void;
  /** Takes the last sample and returns the window's figures. Idempotent. */
  stop(): ProcessObservation;
}
