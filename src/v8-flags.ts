/**
 * Which V8 flags this runtime takes. fleetsim sets a few heap flags (for the
 * ingest service's process, src/ingest/heap-flags.ts, and for paced runs,
 * src/run/realtime/heap-flags.ts) that exist on Node 20 to 24; a later
 * runtime may drop or rename one, and node refuses to start with a flag it
 * does not know. So each is checked against `node --v8-options` first.
 */
import { spawnSync } from 'node:child_process';

let names: ReadonlySet<string> | null = null;

/** The flag names this runtime's V8 takes, asked once per process (about 40 ms); empty if it cannot be asked. */
export function v8FlagNames(): ReadonlySet<string> {
  if (names !== null) return names;
  const r = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8', timeout: 10_000 });
  names = new Set(r.status === 0 ? (r.stdout.match(/^\s+--[a-z0-9-]+/gm) ?? []).map((s) => s.trim()) : []);
  return names;
}

/** The flags of `wanted` that `known` lists; `--no-x` is listed as `--x`, and a value after `=` not at all. */
export function supportedV8Flags(wanted: readonly string[], known: ReadonlySet<string> = v8FlagNames()): string[] {
  return wanted.filter((f) =>
    known.has(
      f
        .split('=')[0]!
        .replace(/_/g, '-')
        .replace(/^--no-/, '--'),
    ),
  );
}
