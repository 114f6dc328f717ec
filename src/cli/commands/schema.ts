import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { RunError } from '../../errors.js';
import { scenarioJsonSchema } from '../../scenario/index.js';

interface SchemaArgs {
  out?: string;
}

export const schemaCommand: CommandParts<SchemaArgs> = {
  builder: (y: Argv) =>
    y
      .option('out', { alias: 'o', type: 'string', describe: 'Write it to this file instead of stdout' })
      .example(
        '$0 schema --out scenario.schema.json',
        'Then start a scenario with "# yaml-language-server: $schema=scenario.schema.json"',
      ) as unknown as Argv<SchemaArgs>,
  handler: (argv: ArgumentsCamelCase<SchemaArgs>) => {
    const json = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
    if (argv.out === undefined) {
      process.stdout.write(json);
      return;
    }
    const out = resolve(argv.out);
    try {
      writeFileSync(out, json);
    } catch (err) {
      throw new RunError('IO', `cannot write ${out}: ${(err as Error).message}`, { cause: err });
    }
    process.stderr.write(`wrote ${out}\n`);
  },
};
