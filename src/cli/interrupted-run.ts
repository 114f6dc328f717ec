/**
 * What a `fleetsim run` stopped by a signal leaves behind, beside
 * interrupted.json: the reports of the agent configurations it finished
 * (written by the caller), and no folder of one it did not.
 */
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPORARY_FILES } from './kit.js';

/**
 * Removes the database of each configuration cut short or never reported, and
 * its folder once empty, then configurations/ itself if nothing is left: an
 * empty folder beside a completed one read as a configuration that ran.
 */
export function removeUnfinishedConfigurations(reportDir: string, completed: readonly string[]): void {
  const root = join(reportDir, 'configurations');
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    if (completed.includes(name)) continue;
    const dir = join(root, name);
    for (const f of TEMPORARY_FILES) rmSync(join(dir, f), { force: true });
    removeIfEmpty(dir);
  }
  removeIfEmpty(root);
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Not a folder, or already gone: nothing to tidy.
  }
}

/** The closing words of an interrupted run: which reports it holds, if any (there is no top-level report). */
export function keptAfterInterrupt(reportDir: string, completed: readonly string[]): string {
  const mark = `${reportDir} is marked interrupted (interrupted.json says how far the run got)`;
  if (completed.length === 0) return `no report was written (the run did not finish); ${mark}`;
  const where =
    completed.length === 1
      ? `the report of the completed configuration ${completed[0]} is in ${join(reportDir, 'configurations', completed[0]!)}`
      : `the reports of the completed configurations ${completed.join(', ')} are in ${join(reportDir, 'configurations')}/<name>`;
  return `${where}; ${mark}`;
}
