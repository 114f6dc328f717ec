/**
 * Errors of the observer: a process that cannot be watched, and why.
 */
import { EXIT_CODES, FleetsimError } from '../errors.js';

export type ObserveErrorCode =
  /** The pid to observe does not exist (it exited, or was never started). */
  | 'OBSERVE_NO_SUCH_PROCESS'
  /** /proc is missing or unreadable: the observer needs Linux procfs. */
  | 'OBSERVE_PROC_UNAVAILABLE'
  /** An observer option out of range. */
  | 'OBSERVE_BAD_OPTION';

export class ObserveError extends FleetsimError {
  override readonly name = 'ObserveError';
  constructor(
    readonly observeCode: ObserveErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('IO', `${message} [${observeCode}]`, EXIT_CODES.runFailed, options);
  }
}
