import { describe, expect, it } from 'vitest';
import { applyPacedHeapFlags, PACED_HEAP_GROWING_PERCENT } from '../../src/run/realtime/heap-flags.js';

describe('applyPacedHeapFlags', () => {
  it("sets the paced runs' heap flags this runtime's V8 has (Node 20 and 24 have both), once", () => {
    const set = applyPacedHeapFlags();
    expect(set).toEqual([`--heap-growing-percent=${PACED_HEAP_GROWING_PERCENT}`, '--no-memory-reducer']);
    // A second call asks V8 nothing more and returns the same list.
    expect(applyPacedHeapFlags()).toBe(set);
  });
});
