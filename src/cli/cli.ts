import yargs from 'yargs';
import { EXIT_CODES, FleetsimError, UsageError } from '../errors.js';
import {
  booleanGivenDashValue,
  dashValueMessage,
  explainUsageFailure,
  flagGivenDash,
  flagWithoutValue,
  joinDashValues,
  markStdinArgs,
  STDIN_ARG,
} from './options.js';
import { VERSION } from '../version.js';
import { COMMANDS, lazyCommand } from './commands/catalogue.js';

/**
 * Parses argv and runs one command. Returns the exit code instead of
 * exiting, so tests can call it in-process.
 */
export async function runCli(
  args: readonly string[],
  io: { stderr: (s: string) => void } = { stderr: (s) => process.stderr.write(s) },
): Promise<number> {
  const debug = args.includes('--debug');
  // The flags the chosen command knows, captured before yargs validates, for "did you mean".
  let knownFlags: readonly string[] = [];
  const parser = yargs(joinDashValues(markStdinArgs(args)))
    // Values stay the text typed: yargs would read 0x10 as 16 and 1e3 as 1000; each flag's check decides its form.
    .parserConfiguration({ 'parse-numbers': false })
    .scriptName('fleetsim')
    .usage('fleetsim — simulate a fleet of laptops running an activity-capture agent, and measure it\n\n' + 'Usage: $0 <command> [options]')
    .command(COMMANDS.map(lazyCommand))
    .demandCommand(1, 'Name a command: see the list above.')
    .recommendCommands()
    .strict()
    .option('debug', { type: 'boolean', default: false, describe: 'Print stack traces of errors' })
    .middleware(
      ((_argv: unknown, y: { getOptions(): { boolean: string[]; key: Record<string, unknown>; alias: Record<string, string[]> } }) => {
        const o = y.getOptions();
        knownFlags = [...Object.keys(o.key), ...Object.values(o.alias).flat()];
        const booleans = new Set(o.boolean.flatMap((b) => [b, ...(o.alias[b] ?? [])]));
        const command = (_argv as { _: unknown[] })._[0];
        const dashed = flagGivenDash(args, booleans);
        if (dashed !== null && typeof command === 'string')
          throw new UsageError(dashValueMessage(command, dashed.shown, dashed.name === 'out' || (o.alias.out ?? []).includes(dashed.name)));
        const flag = flagWithoutValue(args, booleans, new Set(knownFlags));
        if (flag !== null) throw new UsageError(`${flag} needs a value (see --help for what it takes)`);
        const valued = booleanGivenDashValue(args, booleans);
        if (valued !== null) throw new UsageError(valued);
        if (command !== 'validate' && markStdinArgs(args).includes(STDIN_ARG)) {
          throw new UsageError(
            typeof command === 'string' && command !== STDIN_ARG
              ? `"-" (standard input) is not an input of fleetsim ${command}: give the path of a file (only fleetsim validate reads standard input)`
              : `"-" (standard input) is not a command: name a command first, e.g. fleetsim validate -`,
          );
        }
      }) as never,
      true,
    )
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(
      'Exit codes: 0 ok, 1 a threshold failed, 2 bad input (flags, scenario), 3 the run could not complete (I/O: a port in use, an unwritable --out), 4 internal error, 5 the target failed a load run (error rate above --slo-error-rate, no answers, or answers that cannot be read); 130/143 stopped by SIGINT/SIGTERM (run and sweep mark their report folder interrupted); 141 its output was closed (a pipe to head): no stack trace, and run and sweep stop as on a signal, signal SIGPIPE in interrupted.json.',
    )
    // Throwing here stops yargs: a failure handler that returns lets the command run anyway.
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(
        `${explainUsageFailure(msg, knownFlags, args)}\nRun "fleetsim --help" or "fleetsim <command> --help" for what is allowed.`,
      );
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof FleetsimError) {
      io.stderr(`fleetsim: ${err.message} [${err.code}]\n`);
      if (debug && err.stack) io.stderr(`${err.stack}\n`);
      return err.exitCode;
    }
    io.stderr(`fleetsim: internal error: ${(err as Error).message}\n`);
    if (debug) io.stderr(`${(err as Error).stack ?? ''}\n`);
    else io.stderr('(run again with --debug for the stack trace, and please report it)\n');
    return EXIT_CODES.internal;
  }
  return EXIT_CODES.ok;
}
