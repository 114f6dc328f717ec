import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { FleetsimError, EXIT_CODES } from '../../errors.js';
import { checkScenarioFile, formatIssue } from '../../scenario/index.js';

interface ValidateArgs {
  files: string[];
  quiet: boolean;
}

/** Invalid scenario files: the issues are already printed; this carries the exit code (2). */
class InvalidScenarios extends FleetsimError {
  override readonly name = 'InvalidScenarios';
  constructor(invalid: number, total: number) {
    super(
      'SCENARIO_INVALID',
      `${invalid} of ${total} scenario file${total === 1 ? '' : 's'} ${invalid === 1 ? 'is' : 'are'} invalid`,
      EXIT_CODES.badInput,
    );
  }
}

export const validateCommand: CommandParts<ValidateArgs> = {
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'Scenario files' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only problems' })
      .example('$0 validate scenarios/*.yaml', 'Check every shipped scenario') as unknown as Argv<ValidateArgs>,
  handler: (argv: ArgumentsCamelCase<ValidateArgs>) => {
    const files = argv.files.map(String);
    let invalid = 0;
    for (const file of files) {
      const r = checkScenarioFile(file);
      if (r.ok) {
        if (!argv.quiet)
          process.stdout.write(
            `ok  ${file} (name: ${r.scenario.name}, employees: ${r.scenario.fleet.employees.toLocaleString('en-US')})\n`,
          );
      } else {
        invalid++;
        for (const issue of r.issues) process.stdout.write(`${formatIssue(issue)}\n`);
      }
    }
    if (invalid > 0) throw new InvalidScenarios(invalid, files.length);
  },
};
