/**
 * Scenario fields set on the command line (`--set fleet.employees=500`,
 * `--employees 500`): parsed here, applied to the file's settings before
 * validation, so a value from a flag is judged exactly as the same value in
 * the file, and an issue it causes names the flag that gave it.
 */
import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';

export type FieldPath = readonly (string | number)[];

/** One field a flag sets: where, to what, and the flag as the user wrote it (for messages). */
export interface ScenarioOverride {
  readonly path: FieldPath;
  readonly value: unknown;
  /** `--set fleet.employees=500`, `--days 3`. */
  readonly flag: string;
}

const SEGMENT = /^[A-Za-z_$][\w$-]*$/;

/** `faults[1].at` → ['faults', 1, 'at']; null when it is not a field path. */
export function parseFieldPath(text: string): (string | number)[] | null {
  const out: (string | number)[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || !SEGMENT.test(m[1]!)) return null;
    out.push(m[1]!);
    for (const [, i] of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(i));
  }
  return out.length > 0 ? out : null;
}

/**
 * `--set path=value`: the value is read as YAML (`500` a number, `true` a
 * boolean, `'007'` a string, `[1, 5]` a list), as it would be in the file.
 */
export function parseSetFlag(text: string): ScenarioOverride {
  const flag = `--set ${text}`;
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag}: must be path=value, e.g. --set fleet.employees=500 or --set policy.pauseCapMinutes=15`);
  const pathText = text.slice(0, eq).trim();
  const path = parseFieldPath(pathText);
  if (path === null)
    throw new UsageError(
      `${flag}: ${JSON.stringify(pathText)} is not a field path: names joined by dots, list items as [i] (e.g. fleet.employees, faults[0].at)`,
    );
  const valueText = text.slice(eq + 1);
  const doc = parseDocument(valueText, { prettyErrors: false });
  if (doc.errors.length > 0)
    throw new UsageError(
      `${flag}: the value is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); quote a string with special characters, e.g. --set 'name="a: b"'`,
    );
  const value = valueText.trim() === '' ? '' : doc.toJS({ maxAliasCount: 0 });
  return { path, value, flag };
}

/** A dedicated flag (`--employees 500`) as an override of its field; the value is judged by the scenario schema. */
export function flagOverride(flag: string, path: FieldPath, raw: unknown): ScenarioOverride {
  const text = String(raw);
  const doc = parseDocument(text, { prettyErrors: false });
  const value = doc.errors.length > 0 || text.trim() === '' ? text : doc.toJS({ maxAliasCount: 0 });
  return { path, value, flag: `--${flag} ${text}` };
}

const isMapping = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * The settings with each override applied in order (a later one wins),
 * missing mappings created on the way; the input is not changed. A path
 * that indexes past a list's end, or names a field of a list, is refused.
 */
export function applyOverrides(settings: unknown, overrides: readonly ScenarioOverride[]): unknown {
  const seen = new Map<string, string>();
  for (const o of overrides) {
    const key = o.path.join('\u0000');
    const before = seen.get(key);
    if (before !== undefined && before !== o.flag)
      throw new UsageError(`${before} and ${o.flag} set the same field ${o.path.join('.')}: give it once`);
    seen.set(key, o.flag);
  }
  let root: unknown = structuredClone(isMapping(settings) ? settings : {});
  for (const o of overrides) root = setAt(root, o.path, o.value, o);
  return root;
}

function setAt(node: unknown, path: FieldPath, value: unknown, o: ScenarioOverride): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    if (!Array.isArray(node)) throw new UsageError(`${o.flag}: [${head}] indexes a list, but the scenario has no list there`);
    if (head >= node.length)
      throw new UsageError(
        `${o.flag}: the list has ${node.length} item${node.length === 1 ? '' : 's'} (from [0]); [${head}] is past its end`,
      );
    node[head] = setAt(node[head], rest, value, o);
    return node;
  }
  if (Array.isArray(node))
    throw new UsageError(`${o.flag}: ${JSON.stringify(head)} names a field, but the scenario has a list there: pick an item with [i]`);
  const m = isMapping(node) ? node : {};
  m[head!] = setAt(m[head!], rest, value, o);
  return m;
}

/**
 * The override an issue at `issuePath` comes from, if any: the issue is
 * inside the value a flag set, or on a field the flag created (an unknown
 * name, a mapping the file did not have).
 */
export function overrideFor(
  issuePath: FieldPath,
  overrides: readonly ScenarioOverride[],
  fileHas: (p: FieldPath) => boolean,
): ScenarioOverride | undefined {
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i]!;
    if (startsWith(issuePath, o.path)) return o;
    if (startsWith(o.path, issuePath) && !fileHas(issuePath)) return o;
  }
  return undefined;
}

const startsWith = (p: FieldPath, prefix: FieldPath): boolean =>
  prefix.length <= p.length && prefix.every((x, i) => String(x) === String(p[i]));
