import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandParts } from './parts.js';
import { resolveAgentOptions, runAgentProcess } from '../../agent-process/index.js';
import { DEFAULT_AGENT_CONFIG } from '../../agent/index.js';

interface AgentArgs {
  url?: string;
  'fleet-secret'?: string;
  'device-id'?: string;
  timezone?: string;
  'time-offset-ms'?: unknown;
  input?: string;
  'tap-socket'?: string;
  display?: string;
  control?: string;
  'stats-file'?: string;
  scenario?: string;
  settings?: string;
  'drain-timeout-ms'?: unknown;
  'first-sequence'?: unknown;
  'read-interval-ms'?: unknown;
}

export const agentCommand: CommandParts<AgentArgs> = {
  builder: (y: Argv) =>
    y
      .option('url', {
        type: 'string',
        describe: 'Ingest service base URL (e.g. http://127.0.0.1:8080): enrolls there and uploads to /v1/batches',
      })
      .option('fleet-secret', { type: 'string', describe: 'Enrollment secret [default: $FLEETSIM_FLEET_SECRET]' })
      .option('device-id', { type: 'string', describe: "This laptop's device id" })
      .option('timezone', { type: 'string', describe: "The laptop's IANA timezone, for the capture-hours rule [default: UTC]" })
      .option('time-offset-ms', {
        describe: "The agent's clock = wall clock + this (a harness replaying a past day; 0 on a laptop)",
        default: 0,
      })
      .option('input', { type: 'string', describe: 'Input path: tap (a tap socket, docs/tap-protocol.md) or x11 (an X display)' })
      .option('tap-socket', { type: 'string', describe: 'Unix socket the harness listens on (--input tap)' })
      .option('display', { type: 'string', describe: 'X display such as :99 (--input x11)' })
      .option('control', { type: 'string', describe: "Unix socket with the employee's UI actions, one JSON object a line (pause, exempt)" })
      .option('stats-file', { type: 'string', describe: "On stop, write ledger, costs and the process's CPU here as JSON (atomically)" })
      .option('scenario', {
        type: 'string',
        describe: 'Take the agent: and policy: settings from this scenario file [default: the built-in defaults]',
      })
      .option('settings', {
        type: 'string',
        describe:
          'Take the agent: and policy: settings and the seed from this JSON file, as fleetsim run writes it for its agents (instead of --scenario)',
      })
      .option('drain-timeout-ms', {
        describe: 'On SIGTERM/SIGINT, how long uploads may take before they are cut (their batches count as spooled)',
        default: 10_000,
      })
      .option('read-interval-ms', {
        describe: `Read input in batches: at most one wake-up per this many ms while input flows; 0 reads each delivery as it comes [default: agent.inputReadIntervalMs of --scenario, else ${DEFAULT_AGENT_CONFIG.inputReadIntervalMs}]`,
      })
      .option('first-sequence', {
        describe: "First batch sequence number (a restarted agent continues its laptop's numbering)",
        default: 0,
      })
      .epilogue(
        'Stops on SIGTERM or SIGINT, or when the input path closes: seals the open batch, drains uploads and writes --stats-file. ' +
          'Exit codes: 0 stopped cleanly, 2 bad flags, 3 the service or the input path could not be reached, or input broke the protocol.',
      )
      .example(
        '$0 agent --url http://127.0.0.1:8080 --device-id laptop-1 --input tap --tap-socket /tmp/l1.tap --stats-file l1.json',
        'Read a tap, upload to a local service',
      ) as unknown as Argv<AgentArgs>,
  handler: async (argv: ArgumentsCamelCase<AgentArgs>) => {
    const options = await resolveAgentOptions({
      url: argv.url,
      fleetSecret: argv['fleet-secret'],
      deviceId: argv['device-id'],
      timezone: argv.timezone,
      timeOffsetMs: argv['time-offset-ms'],
      input: argv.input,
      tapSocket: argv['tap-socket'],
      display: argv.display,
      control: argv.control,
      statsFile: argv['stats-file'],
      scenario: argv.scenario,
      settings: argv.settings,
      drainTimeoutMs: argv['drain-timeout-ms'],
      firstSequence: argv['first-sequence'],
      readIntervalMs: argv['read-interval-ms'],
    } as Parameters<typeof resolveAgentOptions>[0]);
    await runAgentProcess(options, { log: (line) => process.stderr.write(`fleetsim agent: ${line}\n`) });
  },
};
