import { writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { RunError, UsageError } from '../../errors.js';
import { scenarioJsonSchema } from '../../scenario/index.js';
import { claimOutputFile } from '../kit.js';
import { nonEmpty } from '../options.js';

interface SchemaArgs {
  out?: string;
  overwrite: boolean;
}

export const schemaCommand: CommandParts<SchemaArgs> = {
  builder: (y: Argv) =>
    y
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: 'Write it to this file instead of stdout; an existing file is refused unless --overwrite',
      })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace an existing --out file' })
      .example(
        '$0 schema --out scenario.schema.json',
        'Then start a scenario with "# yaml-language-server: $schema=scenario.schema.json"',
      ) as unknown as Argv<SchemaArgs>,
  handler: (argv: ArgumentsCamelCase<SchemaArgs>) => {
    if (argv.overwrite && argv.out === undefined)
      throw new UsageError(
        '--overwrite applies to --out (it replaces an existing file); without --out, the schema goes to standard output: give --out FILE or leave --overwrite out',
      );
    // Claimed before the schema is built, as every command checks its output before any work.
    const out =
      argv.out === undefined
        ? undefined
        : claimOutputFile({
            flag: 'out',
            given: nonEmpty('out', argv.out),
            overwrite: argv.overwrite,
            what: 'JSON file',
            example: 'scenario.schema.json',
          });
    const json = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
    if (out === undefined) {
      process.stdout.write(json);
      return;
    }
    try {
      writeFileSync(out, json);
    } catch (err) {
      throw new RunError('IO', `cannot write ${out}: ${(err as Error).message}`, { cause: err });
    }
    process.stderr.write(`wrote ${out}\n`);
  },
};
