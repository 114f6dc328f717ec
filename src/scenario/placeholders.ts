/**
 * Placeholders of a process agent's command and environment: `{name}` is
 * filled per laptop when the run starts the agent; `{{` and `}}` stand for
 * literal braces. Only `{identifier}` is a placeholder, so code in a one-line
 * agent (`() => {}`, `{ a: 1 }`) passes through untouched.
 */

/** What a run fills in, per laptop. */
export const PLACEHOLDER_NAMES = [
  'display',
  'tapSocket',
  'uploadUrl',
  'deviceId',
  'controlSocket',
  'statsFile',
  'timeOffsetMs',
  'fleetSecret',
  'timezone',
] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

/** Placeholders that only exist for one input path. */
export const PLACEHOLDER_INPUT: Partial<Record<PlaceholderName, 'x11' | 'tap'>> = { display: 'x11', tapSocket: 'tap' };

/** Placeholders whose values must never be printed. */
export const SECRET_PLACEHOLDERS: readonly PlaceholderName[] = ['fleetSecret'];

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholder names a text uses, in order (repeats kept). */
export function placeholdersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** Fills a text's placeholders; a name without a value is left as written (validation refuses unknown names first). */
export function fillPlaceholders(text: string, values: Readonly<Partial<Record<string, string>>>): string {
  return text.replace(TOKEN, (all, name: string | undefined) => {
    if (name === undefined) return all === '{{' ? '{' : '}';
    return values[name] ?? all;
  });
}
