import { describe, expect, it } from 'vitest';
import { applyPacedHeapFlags, PACED_HEAP_GROWING_PERCENT } from '../../src/run/realtime/heap-flags.js';
import { SERVER_HEAP_FLAGS } from '../../src/ingest/index.js';
import { supportedV8Flags, v8FlagNames } from '../../src/v8-flags.js';

describe('applyPacedHeapFlags', () => {
  it("sets the paced runs' heap flags this runtime's V8 has (Node 20 and 24 have both), once", () => {
    const set = applyPacedHeapFlags();
    expect(set).toEqual([`--heap-growing-percent=${PACED_HEAP_GROWING_PERCENT}`, '--no-memory-reducer']);
    // A second call asks V8 nothing more and returns the same list.
    expect(applyPacedHeapFlags()).toBe(set);
  });
});

describe('supportedV8Flags', () => {
  it('keeps the flags a V8 lists, by name: a value after =, a --no- prefix and either spelling do not matter', () => {
    const known = new Set(['--max-semi-space-size', '--memory-reducer']);
    expect(supportedV8Flags(['--max-semi-space-size=4', '--no-memory-reducer', '--max_semi_space_size=8', '--gone-flag=1'], known)).toEqual(
      ['--max-semi-space-size=4', '--no-memory-reducer', '--max_semi_space_size=8'],
    );
    expect(supportedV8Flags(['--max-semi-space-size=4'], new Set())).toEqual([]);
  });

  it("finds every heap flag fleetsim sets in this runtime's V8 (Node 20 and 24 have them all)", () => {
    expect(supportedV8Flags(SERVER_HEAP_FLAGS)).toEqual([...SERVER_HEAP_FLAGS]);
    expect(v8FlagNames().has('--heap-growing-percent')).toBe(true);
    expect(v8FlagNames().has('--memory-reducer')).toBe(true);
  });
});
