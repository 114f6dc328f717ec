/**
 * Restarting this process with more node options, in place: process.execve
 * (Node >= 22.15) replaces the program and keeps the pid, the open standard
 * streams and the environment, so whoever started it (a shell, systemd, a
 * test) sees one process throughout. Runtimes without it are left as they are.
 */

type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

let cliProcess = false;

/**
 * Called by the CLI's entry (main.ts): this process is fleetsim's own, and a command may replace it. A command
 * run in someone else's process (runCli from a test or a host program) never does.
 */
export function markCliProcess(): void {
  cliProcess = true;
}

/** Whether this runtime can replace its own process. */
export function canRelaunch(): boolean {
  return typeof (process as { execve?: unknown }).execve === 'function';
}

/** Whether relaunchWithNodeFlags would replace this process (given flags to add). */
export function willRelaunch(): boolean {
  return cliProcess && canRelaunch();
}

/** Why a relaunch did not happen (when it does, the call does not return). */
export type NoRelaunch = 'no-flags' | 'not-the-cli-process' | 'runtime-cannot' | 'execve-failed';

/**
 * Replaces this process with `node <flags> <its own node options> <its script and arguments>`. Does not return
 * when it worked; otherwise says why not: nothing to add, not the CLI's own process, a runtime without
 * process.execve, or execve failing before it replaced anything.
 */
export function relaunchWithNodeFlags(flags: readonly string[]): NoRelaunch {
  if (flags.length === 0) return 'no-flags';
  if (!cliProcess) return 'not-the-cli-process';
  if (!canRelaunch()) return 'runtime-cannot';
  const execve = (process as unknown as { execve: Execve }).execve;
  try {
    execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    return 'execve-failed';
  }
  return 'execve-failed';
}
