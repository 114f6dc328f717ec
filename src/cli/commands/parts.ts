import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * What a command module gives the CLI: its flags and what it does. Its name
 * and one-line description live in the catalogue (catalogue.ts), which is all
 * the CLI loads before a command is chosen.
 */
export interface CommandParts<A> {
  readonly builder: (y: Argv) => Argv<A>;
  readonly handler: (argv: ArgumentsCamelCase<A>) => void | Promise<void>;
}
