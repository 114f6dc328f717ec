/**
 * Imported first by every bench entry, for its side effects:
 * - `--help` (or `-h`) prints the bench's own header comment (its usage, flags and what it measures) and exits 0,
 *   before any work;
 * - a bad flag ends the bench with its message and exit code 2, without a stack trace (exitOnFlagErrors in
 *   output.ts).
 */
import { readFileSync } from 'node:fs';
import { exitOnFlagErrors, headerComment } from './output.js';

exitOnFlagErrors();

const args = process.argv.slice(2);
if ((args.includes('--help') || args.includes('-h')) && !args.includes('--child')) {
  process.stdout.write(headerComment(readFileSync(process.argv[1]!, 'utf8')));
  process.exit(0);
}
