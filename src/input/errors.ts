/**
 * Errors of the real input path. Each names what could not be brought up or
 * reached (a display, a socket, an agent that never connected) and what to do.
 */
import { EXIT_CODES, FleetsimError } from '../errors.js';

export type InputErrorCode =
  /** Xvfb missing, or a display that would not start. */
  | 'INPUT_DISPLAY_FAILED'
  /** A tap socket that could not be created or reached. */
  | 'INPUT_TAP_FAILED'
  /** The agent under test never started listening on its input path. */
  | 'INPUT_AGENT_NOT_LISTENING'
  /** The X server lacks an extension the path needs (RECORD, XTEST, XInputExtension). */
  | 'INPUT_EXTENSION_MISSING'
  /** A driver option out of range (scenarios are checked before they reach a driver; this guards other callers). */
  | 'INPUT_BAD_OPTION';

export class InputError extends FleetsimError {
  override readonly name = 'InputError';
  constructor(
    readonly inputCode: InputErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('IO', `${message} [${inputCode}]`, EXIT_CODES.runFailed, options);
  }
}
