/**
 * Imported first by every bench entry, for its side effect: a bad flag ends the bench with its message and exit
 * code 2, without a stack trace (exitOnFlagErrors in output.ts).
 */
import { exitOnFlagErrors } from './output.js';

exitOnFlagErrors();
