/**
 * CPU time of the calling thread in microseconds. Node ≥ 22.19/23.9 has
 * process.threadCpuUsage; older runtimes only have process-wide usage, which
 * equals the thread's when nothing else in the process is busy (benchmarks run
 * the agent on the main thread for that reason).
 */
type ThreadCpu = () => { user: number; system: number };
const threadCpuUsage = (process as unknown as { threadCpuUsage?: ThreadCpu }).threadCpuUsage;

export const HAS_THREAD_CPU_USAGE = typeof threadCpuUsage === 'function';

export function cpuMicros(): number {
  const u = HAS_THREAD_CPU_USAGE ? (threadCpuUsage as ThreadCpu).call(process) : process.cpuUsage();
  return u.user + u.system;
}
