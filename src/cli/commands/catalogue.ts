/**
 * Every fleetsim command: what routes to it (its name and positionals) and the
 * line `fleetsim --help` lists, in that order. A command's own module, its
 * flags and handler and the machinery behind them, is imported only once the
 * command is chosen: `fleetsim agent` runs on every laptop of a measured fleet,
 * and must not carry the simulator, the scenario loader and the reports in
 * its heap (test/cli/lean-agent.test.ts checks that it does not).
 */
import type { Argv, CommandModule } from 'yargs';

export interface CommandEntry {
  /** yargs' command string: the name, then positionals (`run <scenario>`). */
  readonly command: string;
  readonly describe: string;
  /** The command's module (a CommandParts of its own flags' type, seen here with that type erased). */
  readonly load: () => Promise<{ readonly builder: (y: Argv) => unknown; readonly handler: (argv: never) => unknown }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'run <scenario>',
    describe: 'Run a scenario: the simulated fleet through the real capture agent; report bandwidth, battery, yield, leaks and thresholds',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    command: 'generate',
    describe: 'Generate seeded synthetic employees and their input events (typing, mouse, work day, pauses)',
    load: async () => (await import('./generate.js')).generateCommand,
  },
  {
    command: 'load',
    describe: 'Load-test an ingestion endpoint with fleet-shaped traffic of real agent batches; honest latency from intended send times',
    load: async () => (await import('./load.js')).loadCommand,
  },
  {
    command: 'merge <dirs..>',
    describe: 'Combine the reports of `fleetsim run --shard K/N` (or `fleetsim load --shard K/N`) into the report of the whole run',
    load: async () => (await import('./merge.js')).mergeCommand,
  },
  {
    command: 'serve',
    describe: 'Run the reference ingestion service that agents upload batches to',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    command: 'validate <files..>',
    describe:
      'Check scenario files (YAML or JSON) without running them: every problem with file:line, field, what was given and what is allowed',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    command: 'schema',
    describe: 'Print the scenario file JSON Schema (draft 2020-12) for editors: completion, documentation and checks',
    load: async () => (await import('./schema.js')).schemaCommand,
  },
  {
    command: 'sweep <scenario>',
    describe:
      "Run a scenario's sweep grid × replicas: data yield, captured hours, exemptions, pauses and representativeness per cell, with 95 % confidence intervals",
    load: async () => (await import('./sweep.js')).sweepCommand,
  },
  {
    command: 'agent',
    describe: 'Run the reference capture agent as its own process on the real clock, fed by an OS input path',
    load: async () => (await import('./agent.js')).agentCommand,
  },
  {
    command: 'compare [a] [b]',
    describe:
      'Compare report folders of fleetsim run, load or sweep (baseline A, candidate B): differences with bootstrap intervals, verdicts, gates',
    load: async () => (await import('./compare.js')).compareCommand,
  },
];

/** A catalogue entry as a yargs command whose flags and handler are imported when it runs (yargs awaits a builder's promise). */
export function lazyCommand(e: CommandEntry): CommandModule {
  return {
    command: e.command,
    describe: e.describe,
    builder: async (y) => (await e.load()).builder(y) as Argv,
    handler: async (argv) => {
      await (await e.load()).handler(argv as never);
    },
  };
}
