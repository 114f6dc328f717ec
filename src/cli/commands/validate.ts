import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { FleetsimError, EXIT_CODES, UsageError } from '../../errors.js';
import { checkScenarioFile, formatIssue, parseScenario, ScenarioError, type Scenario, type ScenarioIssue } from '../../scenario/index.js';
import { STDIN_ARG } from '../options.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { adapterFileProblem } from '../../targets/protocols/index.js';

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
      .positional('files', { type: 'string', array: true, describe: 'Scenario files; - reads one from standard input, named <stdin>' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only problems' })
      .example('$0 validate scenarios/*.yaml', 'Check every shipped scenario')
      .example('generate-scenario | $0 validate -', 'Check a scenario on standard input') as unknown as Argv<ValidateArgs>,
  handler: async (argv: ArgumentsCamelCase<ValidateArgs>) => {
    const given = argv.files.map(String);
    if (given.filter((f) => f === STDIN_ARG).length > 1) throw new UsageError('"-" (standard input) is given more than once: give it once');
    const files = given.map((f) => (f === STDIN_ARG ? STDIN_NAME : f));
    let invalid = 0;
    for (const [i, file] of files.entries()) {
      const text = given[i] === STDIN_ARG ? await readStdin() : null;
      const checked = given[i] === STDIN_ARG ? checkScenarioText(text, STDIN_NAME) : checkScenarioFile(file);
      const r = checked.ok ? withAdapterFile(checked.scenario, text) : checked;
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

/**
 * The scenario, or an issue if its ingest.adapter file is not there or cannot
 * be read: `run` would stop on it with exit 2, so validate must not say ok.
 * The path resolves as run resolves it (beside the scenario file); the module
 * is not imported, since validate runs no user code. `text` is the scenario's
 * text when it came from standard input (a file is read again for the line).
 */
function withAdapterFile(
  scenario: Scenario,
  text: string | null,
): { ok: true; scenario: Scenario } | { ok: false; issues: readonly ScenarioIssue[] } {
  const ingest = scenario.ingest;
  if (ingest.kind !== 'url' || ingest.adapter === undefined) return { ok: true, scenario };
  const path = resolve(scenario.source ? dirname(scenario.source) : process.cwd(), ingest.adapter);
  const problem = adapterFileProblem(path);
  if (problem === null) return { ok: true, scenario };
  const { line, column } = fieldPosition(text ?? readFileSync(scenario.source, 'utf8'), ['ingest', 'adapter']);
  const file = scenario.source || STDIN_NAME;
  return {
    ok: false,
    issues: [{ kind: 'invalid', file, line, column, path: 'ingest.adapter', message: `${problem}: ${ingest.adapter} (${path})` }],
  };
}

/** Where a field's value is written in a scenario's YAML or JSON text (1-based), or 0:0 when not in it (set by a base file). */
function fieldPosition(text: string, path: readonly string[]): { line: number; column: number } {
  const lineCounter = new LineCounter();
  const node = parseDocument(text, { lineCounter }).getIn(path, true);
  const offset = isNode(node) ? node.range?.[0] : undefined;
  if (offset === undefined) return { line: 0, column: 0 };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** How standard input is named in messages: not a path anyone could have meant. */
const STDIN_NAME = '<stdin>';

/** As a scenario file may be (src/scenario/load.ts): more is not a scenario, and must not fill the memory. */
const MAX_STDIN_BYTES = 4 * 1024 * 1024;

function checkScenarioText(
  text: string | null,
  file: string,
): { ok: true; scenario: Scenario } | { ok: false; issues: readonly ScenarioIssue[] } {
  if (text === null)
    return {
      ok: false,
      issues: [
        {
          kind: 'file',
          file,
          line: 0,
          column: 0,
          path: '',
          message: `is larger than ${MAX_STDIN_BYTES / 1024 ** 2} MiB: not a scenario file`,
        },
      ],
    };
  try {
    return { ok: true, scenario: parseScenario(text, file) };
  } catch (err) {
    if (err instanceof ScenarioError) return { ok: false, issues: err.issues };
    throw err;
  }
}

/** Standard input to its end as UTF-8, or null when it is larger than MAX_STDIN_BYTES. */
async function readStdin(): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_STDIN_BYTES) {
      process.stdin.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
