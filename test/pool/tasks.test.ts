/**
 * What crosses from a worker thread to the main thread: structured cloning
 * keeps an Error's message and stack only, so a FleetsimError is carried in
 * its message and rebuilt with its code and exit code (a broken adapter found
 * in a worker is still bad input, exit 2).
 */
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, FleetsimError, RunError, UsageError } from '../../src/errors.js';
import { fromOtherThread, throwAcrossThreads } from '../../src/pool/index.js';

/** What the main thread receives for what a worker's task rejected with (piscina posts it, a structured clone). */
function crossed(err: unknown): unknown {
  try {
    throwAcrossThreads(err);
  } catch (carried) {
    return structuredClone(carried);
  }
  throw new Error('throwAcrossThreads returned');
}

describe('errors across a thread boundary', () => {
  it('loses the class, code and exit code of an error sent as it is (why it needs carrying)', () => {
    const plain = structuredClone(new UsageError('--adapter /x/a.mjs: classify() threw: boom')) as Error & { exitCode?: number };
    expect(plain).not.toBeInstanceOf(FleetsimError);
    expect(plain.exitCode).toBeUndefined();
  });

  it('rebuilds a FleetsimError with its name, code, message and exit code', () => {
    const sent = new UsageError("--adapter /x/a.mjs: classify() threw: TypeError: Cannot read properties of undefined (reading 'kind')");
    const back = fromOtherThread(crossed(sent));
    expect(back).toBeInstanceOf(FleetsimError);
    expect(back!.name).toBe('UsageError');
    expect(back!.code).toBe('USAGE');
    expect(back!.exitCode).toBe(EXIT_CODES.badInput);
    expect(back!.message).toBe(sent.message);
    const io = fromOtherThread(crossed(new RunError('IO', 'cannot write /x/report')));
    expect([io!.code, io!.exitCode, io!.message]).toEqual(['IO', EXIT_CODES.runFailed, 'cannot write /x/report']);
  });

  it('leaves anything else as it is: a bug stays a failed worker', () => {
    const bug = new TypeError('x is not a function');
    expect(crossed(bug)).toBeInstanceOf(TypeError);
    expect(fromOtherThread(structuredClone(bug))).toBeNull();
    expect(fromOtherThread(new Error('fleetsim-error-across-threads {not json'))).toBeNull();
    expect(fromOtherThread(undefined)).toBeNull();
  });
});
