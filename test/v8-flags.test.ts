import { describe, expect, it } from 'vitest';
import { SERVER_HEAP_FLAGS } from '../src/ingest/index.js';
import { supportedV8Flags, v8FlagNames } from '../src/v8-flags.js';

describe('supportedV8Flags', () => {
  it('keeps the flags a V8 lists, by name: a value after =, a --no- prefix and either spelling do not matter', () => {
    const known = new Set(['--max-semi-space-size', '--memory-reducer']);
    expect(supportedV8Flags(['--max-semi-space-size=4', '--no-memory-reducer', '--max_semi_space_size=8', '--gone-flag=1'], known)).toEqual(
      ['--max-semi-space-size=4', '--no-memory-reducer', '--max_semi_space_size=8'],
    );
    expect(supportedV8Flags(['--max-semi-space-size=4'], new Set())).toEqual([]);
  });

  it('keeps them all when V8 could not be asked: they exist on every runtime fleetsim supports', () => {
    expect(supportedV8Flags(SERVER_HEAP_FLAGS, null)).toEqual([...SERVER_HEAP_FLAGS]);
  });

  it("finds every server heap flag in this runtime's V8 (Node 20 and 24 have them all)", () => {
    expect(v8FlagNames()?.size).toBeGreaterThan(100);
    expect(supportedV8Flags(SERVER_HEAP_FLAGS)).toEqual([...SERVER_HEAP_FLAGS]);
  });
});
