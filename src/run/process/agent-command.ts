/**
 * The command line of an agent under test, per laptop: the scenario's
 * command (or the reference agent's, `fleetsim agent …`) with its
 * placeholders filled. Secrets are filled into what runs and replaced in what
 * is shown.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentSettingsJson } from '../../agent-process/settings.js';
import { RunError } from '../../errors.js';
import { SECRET_PLACEHOLDERS, fillPlaceholders, type PlaceholderName, type Scenario } from '../../scenario/index.js';
import type { AgentCommand } from './children.js';

/** The environment variable the reference agent reads its fleet secret from (never its argv: /proc/PID/cmdline is world-readable). */
export const AGENT_FLEET_SECRET_ENV = 'FLEETSIM_FLEET_SECRET';

/** Where the compiled CLI is (the reference agent runs from it, also when fleetsim runs from sources under vitest). */
export function fleetsimCli(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.split(/[\\/]/).includes('dist');
  const path = fromDist ? resolve(here, '../../cli/main.js') : resolve(here, '../../../dist/src/cli/main.js');
  if (!existsSync(path)) throw new RunError('WORKER_FAILED', `the fleetsim CLI ${path} is missing: run "npm run build" and try again`);
  return path;
}

/**
 * The reference agent as a process: `node <fleetsim cli> agent …` with the
 * same flags a user would give it, its settings from the file the run wrote
 * (writeAgentSettings): the scenario's agent: and policy: as this run
 * resolved them, read without the scenario loader.
 */
export function referenceAgentCommand(
  input: 'tap' | 'x11',
  settingsFile: string,
  nodeFlags: readonly string[] = [],
): { argv: string[]; env: Record<string, string> } {
  return {
    // --flag=value throughout: a negative time offset would otherwise read as a flag.
    argv: [
      process.execPath,
      ...nodeFlags,
      fleetsimCli(),
      'agent',
      `--input=${input}`,
      input === 'tap' ? '--tap-socket={tapSocket}' : '--display={display}',
      '--url={uploadUrl}',
      '--device-id={deviceId}',
      '--timezone={timezone}',
      '--time-offset-ms={timeOffsetMs}',
      '--control={controlSocket}',
      '--stats-file={statsFile}',
      // Absolute: the agent runs in its laptop's report folder, not where fleetsim was started.
      `--settings=${resolve(settingsFile).replace(/[{}]/g, (b) => b + b)}`,
    ],
    env: { [AGENT_FLEET_SECRET_ENV]: '{fleetSecret}' },
  };
}

/**
 * Writes the reference agents' settings file into `dir`: the agent: and
 * policy: sections and seed of `s`, with the run's --set overrides and
 * configuration applied, which a scenario file re-read by each agent would
 * not have. Returns its path.
 */
export function writeAgentSettings(dir: string, s: Pick<Scenario, 'agent' | 'rules' | 'seed'>): string {
  const path = join(dir, 'agent-settings.json');
  writeFileSync(path, agentSettingsJson({ agent: s.agent, rules: s.rules, seed: s.seed }));
  return path;
}

/** Fills a command and its environment for one laptop. */
export function buildAgentCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  values: Readonly<Partial<Record<PlaceholderName, string>>>,
): AgentCommand {
  const shownValues: Partial<Record<string, string>> = { ...values };
  for (const name of SECRET_PLACEHOLDERS) if (values[name] !== undefined) shownValues[name] = '***';
  const filled = argv.map((a) => fillPlaceholders(a, values));
  const shownArgv = argv.map((a) => fillPlaceholders(a, shownValues));
  return {
    argv: filled,
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fillPlaceholders(v, values)])),
    shown: shownArgv.map(quoteArg).join(' '),
  };
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
