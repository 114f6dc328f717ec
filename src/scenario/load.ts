/**
 * Reading a scenario: the file (the only I/O of this module), YAML or JSON
 * (JSON through the YAML parser, which accepts it), validation with every
 * issue located at file:line:column, then resolution to a Scenario.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, renderGiven, sortIssues, type ScenarioIssue, type ScenarioIssueKind } from './errors.js';
import { UNKNOWN_KEYS_MARK } from './fields.js';
import { scenarioJsonSchema } from './json-schema.js';
import { resolveParsed, type RawIssue } from './resolve.js';
import { scenarioSchema } from './schema.js';
import { applyOverrides, overrideFor, type ScenarioOverride } from './overrides.js';
import { didYouMean } from './suggest.js';
import type { Scenario } from './types.js';

type Path = readonly (string | number)[];

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Brackets nested deeper than this are not settings (the YAML parser would spend gigabytes on them). */
const MAX_NESTING = 64;

/**
 * Reads, validates and resolves a scenario file, with any fields set by flags
 * (`overrides`) applied first; throws ScenarioError listing every problem.
 */
export function loadScenarioFile(file: string, overrides: readonly ScenarioOverride[] = []): Scenario {
  return parseScenario(readScenarioText(file), file, overrides);
}

/**
 * The file's text, bounded: only a regular file (a FIFO would block forever, /dev/zero never ends),
 * at most MAX_FILE_BYTES read whatever the file claims, since a file can grow between stat and read.
 */
function readScenarioText(file: string): string {
  const refuse = (message: string): never => {
    throw new ScenarioError([{ kind: 'file', file, line: 0, column: 0, path: '', message }]);
  };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before we can see it is one.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    return refuse(`cannot read the scenario file: ${why}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return refuse('cannot read the scenario file: is a folder, not a file');
    if (!st.isFile()) return refuse('is not a regular file (a pipe, a device or a socket); save the scenario to a file and pass its path');
    if (st.size > MAX_FILE_BYTES) return refuse(`is larger than ${MAX_FILE_BYTES / 1024 ** 2} MiB: not a scenario file`);
    const buf = Buffer.allocUnsafe(MAX_FILE_BYTES + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > MAX_FILE_BYTES) return refuse(`is larger than ${MAX_FILE_BYTES / 1024 ** 2} MiB: not a scenario file`);
    }
    return buf.toString('utf8', 0, n);
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    return refuse(`cannot read the scenario file: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Where flow brackets ([ and {) first nest deeper than MAX_NESTING, skipping quoted text and comments; null when they never do. */
function tooDeep(text: string): { line: number; column: number } | null {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      if (quote === null) continue;
    }
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    // A quote opens a quoted scalar only where one can start (Bob's is plain text).
    if ((c === '"' || c === "'") && (i === lineStart || /[\s:[{,]/.test(text[i - 1]!))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) return { line, column: i - lineStart + 1 };
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return null;
}

/** Validates and resolves scenario text (YAML or JSON); `file` names it in issues. */
export function parseScenario(text: string, file = '<scenario>', overrides: readonly ScenarioOverride[] = []): Scenario {
  const deep = tooDeep(text);
  if (deep !== null) {
    throw new ScenarioError([
      {
        kind: 'syntax',
        file,
        line: deep.line,
        column: deep.column,
        path: '',
        message: `brackets nest deeper than ${MAX_NESTING} levels: not scenario settings`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  // uniqueKeys is checked below in one pass: the parser's own check compares each key with every
  // earlier one, quadratic in a mapping's size (a 1 MB file of unknown keys took minutes).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const { line, col } = at(e.pos[0]);
        return { kind: 'syntax' as const, file, line, column: col, path: '', message: `YAML syntax: ${firstLine(e.message)}` };
      }),
    );
  }
  const duplicate = firstDuplicateKey(doc.contents);
  if (duplicate !== null) {
    const { line, col } = at(duplicate);
    throw new ScenarioError([{ kind: 'syntax', file, line, column: col, path: '', message: 'YAML syntax: Map keys must be unique' }]);
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw new ScenarioError([
      { kind: 'empty', file, line: 1, column: 1, path: '', message: 'the file is empty: a scenario needs at least `name: …`' },
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Alias bombs and unresolved aliases.
    throw new ScenarioError([
      { kind: 'syntax', file, line: 1, column: 1, path: '', message: `YAML: ${firstLine((err as Error).message)}` },
    ]);
  }
  if (overrides.length === 0) return validate(value, file, (path) => locate(doc, path, at));
  const fromFile = value;
  return validate(
    applyOverrides(value, overrides),
    file,
    (path) => locate(doc, path, at),
    (path) => overrideFor(path, overrides, (p) => hasPath(fromFile, p))?.flag,
  );
}

/** Validates and resolves a value already in memory (tests, programmatic use); issues have no line. */
export function resolveScenario(value: unknown, file = '<scenario>'): Scenario {
  return validate(value, file, () => ({ line: 0, column: 0 }));
}

/** Whether a value is a valid scenario, without throwing: the issues, or the Scenario. */
export function checkScenarioFile(file: string): { ok: true; scenario: Scenario } | { ok: false; issues: readonly ScenarioIssue[] } {
  try {
    return { ok: true, scenario: loadScenarioFile(file) };
  } catch (err) {
    if (err instanceof ScenarioError) return { ok: false, issues: err.issues };
    throw err;
  }
}

type Locator = (path: Path) => { line: number; column: number };

const isPlain = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Mappings merge field by field; lists and values replace. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function hasPath(v: unknown, path: Path): boolean {
  let x = v;
  for (const p of path) {
    if (x === null || typeof x !== 'object' || !(String(p) in x)) return false;
    x = (x as Record<string, unknown>)[String(p)];
  }
  return true;
}

/** One side of a scenario's compare section: the file with the side's overrides merged in, validated as a scenario. */
function compareSide(
  value: Record<string, unknown>,
  over: Record<string, unknown>,
  side: 'baseline' | 'candidate',
  file: string,
  raw: RawIssue[],
): Scenario | undefined {
  for (const k of ['name', 'seed', 'compare', 'sweep'])
    if (k in over)
      raw.push({
        path: ['compare', side, k],
        kind: 'invalid',
        message: `cannot be overridden: both sides keep the scenario's ${k === 'seed' ? 'seed, so the same laptops run under each' : k === 'name' ? 'name' : 'single run shape (no sweep or nested compare)'}`,
      });
  const { compare: _c, sweep: _s, ...rest } = value;
  const merged = deepMerge(rest, over);
  // An issue inside the overrides points there; one elsewhere points at the shared field.
  const where = (path: Path): Path => (hasPath(over, path) ? ['compare', side, ...path] : path);
  const parsed = scenarioSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    for (const iss of parsed.error.issues) for (const r of fromZod(iss)) raw.push({ ...r, path: where(r.path) });
    return undefined;
  }
  const r = resolveParsed(parsed.data, file === '<scenario>' ? '' : file);
  for (const i of r.issues) raw.push({ ...i, path: where(i.path) });
  return r.scenario;
}

/** The flag an issue's value came from (`--set fleet.employees=0`), when it did not come from the file. */
type FlagOf = (path: Path) => string | undefined;

function validate(value: unknown, file: string, locate: Locator, flagOf: FlagOf = () => undefined): Scenario {
  const parsed = scenarioSchema.safeParse(value, { reportInput: true });
  const raw: RawIssue[] = [];
  let scenario: Scenario | undefined;
  if (!parsed.success) {
    for (const iss of parsed.error.issues) raw.push(...fromZod(iss));
    // "No positive weight" is noise when the mix's only names were misspelt: the unknown-name issues say it.
    const unknownUnder = new Set(raw.filter((r) => r.kind === 'unknown_field').map((r) => formatPath(r.path.slice(0, -1))));
    for (let i = raw.length - 1; i >= 0; i--) {
      const r = raw[i]!;
      if (r.kind === 'range' && r.allowed === 'at least one weight above 0' && unknownUnder.has(formatPath(r.path))) raw.splice(i, 1);
    }
  } else {
    const r = resolveParsed(parsed.data, file === '<scenario>' ? '' : file);
    raw.push(...r.issues);
    scenario = r.scenario;
    const c = parsed.data.compare;
    if (c && scenario) {
      const base = scenario;
      const sides = (['baseline', 'candidate'] as const).map((side) =>
        compareSide(value as Record<string, unknown>, c[side], side, file, raw),
      );
      if (sides[0] && sides[1]) scenario = { ...base, compare: { replicas: c.replicas, baseline: sides[0], candidate: sides[1] } };
    }
  }
  if (raw.length > 0 || !scenario) {
    throw new ScenarioError(
      sortIssues(
        raw.map((r) => {
          const flag = flagOf(r.path);
          const pos = flag === undefined ? locate(r.path) : { line: 0, column: 0 };
          return {
            kind: r.kind,
            file,
            ...(flag !== undefined ? { flag } : {}),
            line: pos.line,
            column: pos.column,
            path: formatPath(r.path),
            message: r.message,
            ...(r.given !== undefined ? { given: r.given } : {}),
            ...(r.allowed !== undefined ? { allowed: r.allowed } : {}),
          };
        }),
      ),
    );
  }
  return scenario;
}

/** "fleet.pause.reactionWeights", "faults[2].at" */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    const name = p === '' ? '""' : String(p);
    out += typeof p === 'number' ? `[${p}]` : out === '' ? name : `.${name}`;
  }
  return out;
}

const ZOD_KIND: Record<string, ScenarioIssueKind> = {
  invalid_type: 'type',
  too_small: 'range',
  too_big: 'range',
  not_multiple_of: 'range',
  invalid_value: 'enum',
  invalid_union: 'enum',
  invalid_format: 'type',
  invalid_key: 'unknown_field',
  invalid_element: 'type',
  custom: 'invalid',
};

/** A zod issue as one or more located-to-be issues with whole sentences. */
function fromZod(iss: z.core.$ZodIssue): RawIssue[] {
  const path = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
  let input = (iss as { input?: unknown }).input;
  // A discriminated union reports the whole mapping; the author wants to see the discriminator they wrote.
  const discriminator = (iss as { discriminator?: unknown }).discriminator;
  if (iss.code === 'invalid_union' && typeof discriminator === 'string' && input !== null && typeof input === 'object') {
    input = (input as Record<string, unknown>)[discriminator];
  }
  const given = renderGiven(input);
  if (iss.code === 'unrecognized_keys') {
    const allowed: string[] = iss.message.startsWith(UNKNOWN_KEYS_MARK) ? JSON.parse(iss.message.slice(UNKNOWN_KEYS_MARK.length)) : [];
    // Suggestions cost an edit distance per allowed name: the first hundred unknown keys get one, the rest only their location.
    return iss.keys.map((key, i) => {
      const guess = i < 100 ? (didYouMean(key, allowed) ?? elsewhere(key, path)) : undefined;
      const list = allowed.length > 14 ? `${allowed.slice(0, 14).join(', ')}, …` : allowed.join(', ');
      return {
        path: [...path, key],
        kind: 'unknown_field',
        message: `unknown field ${JSON.stringify(key)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}${list ? ` (allowed here: ${list})` : ''}`,
        given: JSON.stringify(key),
        allowed: allowed.join(', '),
      };
    });
  }
  const allowed = iss.message.replace(/^must be /, '');
  if (iss.code === 'custom') {
    const params = (iss.params ?? {}) as { kind?: ScenarioIssueKind; allowed?: string; complete?: boolean };
    const message = params.complete ? iss.message : `${iss.message}, got ${given}`;
    return [{ path, kind: params.kind ?? 'invalid', message, given, allowed: params.allowed ?? allowed }];
  }
  if (input === undefined && (iss.code === 'invalid_type' || iss.code === 'invalid_union' || iss.code === 'invalid_value')) {
    return [{ path, kind: 'required', message: `is required: ${iss.message}`, given, allowed }];
  }
  let message = `${iss.message}, got ${given}`;
  if (iss.code === 'invalid_value' && typeof input === 'string') {
    const guess = didYouMean(input, iss.values.map(String));
    if (guess) message += `; did you mean ${JSON.stringify(guess)}?`;
  }
  if (iss.code === 'invalid_union' && typeof input === 'string' && 'options' in iss && Array.isArray(iss.options)) {
    const guess = didYouMean(input, (iss.options as unknown[]).map(String));
    if (guess) message += `; did you mean ${JSON.stringify(guess)}?`;
  }
  return [{ path, kind: ZOD_KIND[iss.code] ?? 'invalid', message, given, allowed }];
}

let fieldIndex: Map<string, string[]> | undefined;

/**
 * A field written at the wrong level ("pauseCapMinutes" at the top instead of
 * under policy): its full path, when the name exists exactly once elsewhere.
 */
function elsewhere(key: string, at: Path): string | undefined {
  if (!fieldIndex) {
    fieldIndex = new Map();
    const walk = (s: unknown, prefix: string): void => {
      if (!s || typeof s !== 'object') return;
      const node = s as { properties?: Record<string, unknown>; anyOf?: unknown[]; oneOf?: unknown[]; items?: unknown };
      for (const [k, v] of Object.entries(node.properties ?? {})) {
        const full = prefix ? `${prefix}.${k}` : k;
        const list = fieldIndex!.get(k.toLowerCase()) ?? [];
        if (!list.includes(full)) list.push(full);
        fieldIndex!.set(k.toLowerCase(), list);
        walk(v, full);
      }
      for (const o of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(o, prefix);
      if (node.items) walk(node.items, `${prefix}[]`);
    };
    walk(scenarioJsonSchema(), '');
  }
  const found = fieldIndex.get(key.toLowerCase()) ?? [];
  const here = formatPath(at);
  const others = found.filter((p) => !p.includes('[]') && !p.startsWith('sweep.') && p !== (here ? `${here}.${key}` : key));
  return others.length === 1 ? others[0] : undefined;
}

/**
 * Where a path points in the file: the key of the innermost field that exists
 * (a field's line is where its name is written), or the list item. A path
 * that goes past what the file has (a missing field) points at its parent.
 */
/** The offset of the first key repeated in a mapping anywhere in the tree (null when none is), in one pass. */
function firstDuplicateKey(root: unknown): number | null {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const p of node.items) {
        const k = keyString(p.key);
        if (k !== undefined) {
          if (seen.has(k)) return (p.key as YamlNode | null)?.range?.[0] ?? 0;
          seen.add(k);
        }
        stack.push(p.value);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return null;
}

/** Each mapping's pairs by key, built once per mapping: locating n issues in one mapping stays linear. */
const pairIndex = new WeakMap<object, Map<string, unknown>>();

function pairOf(node: { items: unknown[] }, key: string): unknown {
  let index = pairIndex.get(node);
  if (index === undefined) {
    index = new Map();
    for (const p of node.items) {
      const k = isPair(p) ? keyString(p.key) : undefined;
      if (k !== undefined && !index.has(k)) index.set(k, p);
    }
    pairIndex.set(node, index);
  }
  return index.get(key);
}

function locate(doc: Document, path: Path, at: (offset: number) => { line: number; col: number }): { line: number; column: number } {
  let node: unknown = doc.contents;
  let best: YamlNode | null = (doc.contents as YamlNode | null) ?? null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair || !isPair(pair)) break;
      best = (pair.key as YamlNode | null) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      best = item as YamlNode;
      node = item;
    } else break;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = at(offset);
  return { line, column: col };
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? undefined : String(key);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
