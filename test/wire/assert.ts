import { WireError } from '../../src/wire/index.js';

/** The WireError `f` throws; fails the test if it throws anything else or nothing. */
export function catchWireError(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw new Error(`expected a WireError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a WireError, nothing was thrown');
}
