import { setFlagsFromString } from 'node:v8';
import { supportedV8Flags } from '../../v8-flags.js';

/**
 * How far old space may grow past what survived a major collection before
 * the next one starts, in percent (V8's --heap-growing-percent), in paced
 * runs. V8 picks the factor itself from how fast it marks against how fast
 * the program allocates, and a paced worker promotes slowly (about 1.5 MB/s
 * at 50,000 laptops) next to a large live heap (about 800 MB): it allowed
 * about 7 %, a major collection every 40 s or so. Each one marks the whole
 * heap on the same two cores the workers need, and every laptop of both
 * workers runs late while it does. At 50 % the next one is minutes away, for
 * at most half the live heap more memory.
 */
export const PACED_HEAP_GROWING_PERCENT = 50;

/**
 * V8's memory reducer, off in paced runs (--no-memory-reducer; V8 flags are
 * read when an isolate is made, so it is off in workers started after this).
 * It starts a major collection when it judges the program idle enough to
 * shrink its heap; a paced worker allocates steadily at a rate it reads as
 * idle, and its collection in a 100,000-laptop window made both workers'
 * timers up to 1 s late. A run's heap is needed until its end.
 */
export const PACED_MEMORY_REDUCER = false;

let applied: readonly string[] | null = null;

/**
 * Sets the paced runs' V8 heap flags for this process (V8 flags are
 * process-wide, so workers started after this use them too), once, and only
 * the flags this runtime's V8 has (checked with `node --v8-options`; Node 20
 * and 24 both have them). Returns the flags set.
 */
export function applyPacedHeapFlags(): readonly string[] {
  if (applied !== null) return applied;
  const wanted = [
    `--heap-growing-percent=${PACED_HEAP_GROWING_PERCENT}`,
    PACED_MEMORY_REDUCER ? '--memory-reducer' : '--no-memory-reducer',
  ];
  applied = supportedV8Flags(wanted);
  for (const f of applied) setFlagsFromString(f);
  return applied;
}
