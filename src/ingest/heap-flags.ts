/**
 * How V8's heap is set up for a process whose job is the ingest service.
 *
 * The service keeps a small heap (about 14 MB live) and allocates fast
 * (about 150 MB/s at 6,000 uploads/s: requests, batch scans, answers). With
 * Node's defaults V8 lets the young generation grow to 16 MB semi-spaces and
 * gives old space little room past what survived, and it starts major
 * collections far more often than that live heap needs: one every 50-170 ms
 * under load (on Node 24 almost no young collection happens at all), each
 * marking the heap on helper threads. In bench:ingest (steady state, 24,500
 * uploads a row) these flags cut the service's CPU per upload by 7-13 % on
 * Node 20 and 27-30 % on Node 24, and its major collections to (almost) none:
 * - --max-semi-space-size=4: young collections every 4 MB, cheap because
 *   almost nothing a finished request allocated survives them;
 * - --initial-old-space-size=64: old space may grow to 64 MB before a major
 *   collection is due (V8 keeps a configured initial size as the floor of its
 *   limit), so the rare survivors do not set one off.
 * Both exist on Node 20 and 24. They are start-up flags (NODE_OPTIONS refuses
 * the second), so `fleetsim serve` restarts itself with them where the
 * runtime can replace its own process (process.execve, Node >= 22.15), and
 * the processes fleetsim starts for a service get them on their command line.
 */
import { v8FlagName } from '../v8-flags.js';

/** The flags, in the order they go on node's command line. */
export const SERVER_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--initial-old-space-size=64'];

/**
 * The server heap flags that `execArgv` (a process's node options) does not
 * already set, by name: a flag the user gave with another value is theirs.
 */
export function missingServerHeapFlags(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map(v8FlagName));
  return SERVER_HEAP_FLAGS.filter((f) => !given.has(v8FlagName(f)));
}
