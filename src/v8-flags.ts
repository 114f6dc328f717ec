/**
 * Which V8 flags this runtime takes. fleetsim sets a few heap flags (for the
 * ingest service's process, src/ingest/heap-flags.ts, and for paced runs,
 * src/run/realtime/heap-flags.ts) that exist on Node 20 to 24; a later
 * runtime may drop or rename one, and node refuses to start with a flag it
 * does not know. So each is checked against `node --v8-options` first.
 */
import { spawnSync } from 'node:child_process';

let names: ReadonlySet<string> | null | undefined;

/** The flag names this runtime's V8 takes, asked once per process (about 40 ms); null if it could not be asked. */
export function v8FlagNames(): ReadonlySet<string> | null {
  if (names !== undefined) return names;
  const r = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8', timeout: 10_000 });
  const listed = r.status === 0 ? (r.stdout.match(/^\s+--[a-z0-9-]+/gm) ?? []) : [];
  names = listed.length > 0 ? new Set(listed.map((s) => s.trim())) : null;
  return names;
}

/**
 * The flags of `wanted` that `known` lists. When V8 could not be asked (null), all of them: they exist on every
 * runtime fleetsim supports.
 */
export function supportedV8Flags(wanted: readonly string[], known: ReadonlySet<string> | null = v8FlagNames()): string[] {
  if (known === null) return [...wanted];
  return wanted.filter((f) => known.has(v8FlagName(f)));
}

/** A flag's name as `node --v8-options` lists it: dashes, without a value after `=`, and `--no-x` as `--x`. */
export function v8FlagName(flag: string): string {
  return flag
    .split('=')[0]!
    .replace(/_/g, '-')
    .replace(/^--no-/, '--');
}
