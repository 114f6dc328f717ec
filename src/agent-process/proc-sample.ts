/**
 * What Linux says a process spent, summed over its threads: on-CPU time from
 * schedstat (ns, not the 10 ms ticks of /proc/PID/stat) and context switches
 * from status (voluntary ones are wake-ups). A stopgap for measuring an
 * agent child from outside until the observer (src/observe) does it.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample {
  readonly cpuNs: number;
  readonly voluntarySwitches: number;
  readonly involuntarySwitches: number;
}

export function sampleProcess(pid: number): ProcSample {
  let cpuNs = 0;
  let voluntarySwitches = 0;
  let involuntarySwitches = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      cpuNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      voluntarySwitches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      involuntarySwitches += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return { cpuNs, voluntarySwitches, involuntarySwitches };
}
