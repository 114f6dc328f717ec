/**
 * The observer's I/O edge: reads /proc for a process and all its
 * descendants at a fixed interval and at stop, and hands the samples to the
 * pure TreeAccount. Reads are synchronous and small (a few hundred bytes per
 * file) so one sample is a consistent instant as far as a 10 ms tick can tell.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ObserveError } from './errors.js';
import { parseChildren, parseSchedstat, parseSmapsRollupPss, parseStat, parseStatus } from './proc-parse.js';
import { DEFAULT_CLOCK_TICKS_PER_SECOND, TreeAccount, type ProcessSample, type ThreadSample, type TreeSample } from './tree-account.js';
import type { ProcessObservation, ProcessObserver } from './types.js';

export interface ObserveOptions {
  /** Sampling interval, ms (10–60,000). A shorter interval loses less of a child that exits unreaped by the tree. */
  readonly intervalMs?: number;
  /** Where procfs is mounted. */
  readonly procRoot?: string;
  readonly clockTicksPerSecond?: number;
  /**
   * How children are found: 'auto' reads /proc/<pid>/task/<tid>/children and
   * falls back to 'scan' (the ppid of every /proc/<pid>/stat, a few hundred
   * reads per sample) where the kernel lacks those files.
   */
  readonly childDiscovery?: 'auto' | 'scan';
}

export const DEFAULT_OBSERVE_INTERVAL_MS = 250;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process or thread exited between listing and reading (ENOENT, ESRCH), or is not ours (EACCES).
    return null;
  }
}

function listNumeric(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** One process's figures now, or null if it is gone. */
export function readProcessSample(procRoot: string, pid: number): ProcessSample | null {
  const base = join(procRoot, String(pid));
  const statText = readText(join(base, 'stat'));
  const stat = statText === null ? null : parseStat(statText);
  if (stat === null) return null;
  const threads: ThreadSample[] = [];
  for (const tid of listNumeric(join(base, 'task'))) {
    const tb = join(base, 'task', String(tid));
    const status = readText(join(tb, 'status'));
    if (status === null) continue;
    const st = parseStatus(status);
    const sched = readText(join(tb, 'schedstat'));
    threads.push({
      tid,
      run_ns: sched === null ? null : (parseSchedstat(sched)?.run_ns ?? null),
      voluntary_switches: st.voluntary_switches ?? 0,
      involuntary_switches: st.involuntary_switches ?? 0,
    });
  }
  const status = readText(join(base, 'status'));
  const rollup = readText(join(base, 'smaps_rollup'));
  return {
    stat,
    threads,
    vm_hwm_bytes: status === null ? null : parseStatus(status).vm_hwm_bytes,
    pss_bytes: rollup === null ? null : parseSmapsRollupPss(rollup),
  };
}

/** Children of a process from /proc/<pid>/task/<tid>/children (Linux ≥ 3.5 with CONFIG_PROC_CHILDREN); null where absent. */
function childrenOf(procRoot: string, pid: number): number[] | null {
  const tids = listNumeric(join(procRoot, String(pid), 'task'));
  const out: number[] = [];
  let any = false;
  for (const tid of tids) {
    const text = readText(join(procRoot, String(pid), 'task', String(tid), 'children'));
    if (text === null) continue;
    any = true;
    out.push(...parseChildren(text));
  }
  return any || tids.length === 0 ? out : null;
}

/** Children of every process, from the ppid field of every /proc/<pid>/stat: the fallback where the children files are absent. */
function childrenByScan(procRoot: string): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const pid of listNumeric(procRoot)) {
    const text = readText(join(procRoot, String(pid), 'stat'));
    const s = text === null ? null : parseStat(text);
    if (s === null) continue;
    const list = byParent.get(s.ppid) ?? [];
    list.push(s.pid);
    byParent.set(s.ppid, list);
  }
  return byParent;
}

export function observeProcessTree(pid: number, options: ObserveOptions = {}): ProcessObserver {
  const intervalMs = options.intervalMs ?? DEFAULT_OBSERVE_INTERVAL_MS;
  if (!Number.isInteger(pid) || pid <= 0)
    throw new ObserveError('OBSERVE_BAD_OPTION', `observer: pid must be a positive integer, got ${pid}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 10 || intervalMs > 60_000) {
    throw new ObserveError('OBSERVE_BAD_OPTION', `observer: intervalMs must be between 10 and 60000, got ${intervalMs}`);
  }
  const procRoot = options.procRoot ?? '/proc';
  if (options.childDiscovery !== undefined && options.childDiscovery !== 'auto' && options.childDiscovery !== 'scan') {
    throw new ObserveError(
      'OBSERVE_BAD_OPTION',
      `observer: childDiscovery must be 'auto' or 'scan', got ${String(options.childDiscovery)}`,
    );
  }
  if (listNumeric(procRoot).length === 0) {
    throw new ObserveError(
      'OBSERVE_PROC_UNAVAILABLE',
      `observer: ${procRoot} lists no processes; the observer needs Linux procfs mounted there`,
    );
  }
  const first = readProcessSample(procRoot, pid);
  if (first === null)
    throw new ObserveError('OBSERVE_NO_SUCH_PROCESS', `observer: no process ${pid} in ${procRoot} (it exited, or was never started)`);

  const account = new TreeAccount(options.clockTicksPerSecond ?? DEFAULT_CLOCK_TICKS_PER_SECOND);
  // Every process ever seen in the tree, by pid, with its start time so a reused pid is not mistaken for it:
  // a child orphaned by an exiting parent is reparented out of the tree but is still the agent's.
  const known = new Map<number, number>();
  let useChildrenFiles = (options.childDiscovery ?? 'auto') === 'auto';

  const takeSample = (seed?: ProcessSample): void => {
    const found = new Map<number, ProcessSample>();
    const root = seed ?? readProcessSample(procRoot, pid);
    const queue: number[] = [];
    if (root !== null && (known.get(pid) ?? root.stat.starttime_ticks) === root.stat.starttime_ticks) {
      found.set(pid, root);
      queue.push(pid);
    }
    let scan: Map<number, number[]> | null = null;
    const visit = (p: number): void => {
      if (found.has(p)) return;
      const s = readProcessSample(procRoot, p);
      if (s === null) return;
      const startedAs = known.get(p);
      if (startedAs !== undefined && startedAs !== s.stat.starttime_ticks) return;
      found.set(p, s);
      queue.push(p);
    };
    for (const p of known.keys()) visit(p);
    while (queue.length > 0) {
      const p = queue.shift()!;
      let kids = useChildrenFiles ? childrenOf(procRoot, p) : null;
      if (kids === null) {
        useChildrenFiles = false;
        scan ??= childrenByScan(procRoot);
        kids = scan.get(p) ?? [];
      }
      for (const k of kids) visit(k);
    }
    for (const [p, s] of found) known.set(p, s.stat.starttime_ticks);
    const sample: TreeSample = { at_ms: performance.now(), processes: [...found.values()] };
    account.add(sample);
  };

  takeSample(first);
  const timer = setInterval(() => takeSample(), intervalMs);
  timer.unref();
  let result: ProcessObservation | null = null;

  return {
    pid,
    sample: () => {
      if (result === null) takeSample();
    },
    stop: () => {
      if (result === null) {
        clearInterval(timer);
        takeSample();
        result = account.result();
      }
      return result;
    },
  };
}
