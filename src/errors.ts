/**
 * Errors a person can act on: a stable code, a message that says what was
 * wrong, where, and what is allowed. The CLI maps the class to an exit code
 * and prints the message (a stack trace only with --debug).
 */

export type FleetsimErrorCode =
  | 'USAGE'
  | 'SCENARIO_INVALID'
  | 'IO'
  | 'WORKER_FAILED'
  | 'THRESHOLDS_FAILED'
  /** A load run whose generator fell behind its schedule: its figures would flatter the target. */
  | 'LOAD_INVALID'
  /** A load run the target failed on its outcomes (error rate above the SLO, no answers, unreadable answers). */
  | 'LOAD_TARGET_FAILED'
  /** A load run stopped by its signal (Ctrl-C) before it sent anything: nothing was measured. */
  | 'LOAD_INTERRUPTED'
  | 'INTERNAL';

/** Exit codes CI can rely on (documented in the README). */
export const EXIT_CODES = {
  ok: 0,
  thresholdsFailed: 1,
  badInput: 2,
  runFailed: 3,
  internal: 4,
  /** A load run the target failed: error rate above the SLO, nothing answered, or answers that cannot be read. */
  loadTargetFailed: 5,
  /** 128 + the signal's number, as shells report a process ended by it. */
  interruptedBySigint: 130,
  interruptedBySigterm: 143,
  /** The output was closed (a pipe to `head`): 128 + SIGPIPE's number, as shells report it. */
  outputClosed: 141,
} as const;

export class FleetsimError extends Error {
  override readonly name: string = 'FleetsimError';
  constructor(
    readonly code: FleetsimErrorCode,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad flags or arguments on the command line. */
export class UsageError extends FleetsimError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message, EXIT_CODES.badInput);
  }
}

/** A run that started but could not complete (I/O, a worker died, a target is down). */
export class RunError extends FleetsimError {
  override readonly name = 'RunError';
  constructor(code: 'IO' | 'WORKER_FAILED', message: string, options?: { cause?: unknown }) {
    super(code, message, EXIT_CODES.runFailed, options);
  }
}
