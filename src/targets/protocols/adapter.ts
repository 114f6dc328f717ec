/**
 * A user's own protocol: an ES module (`--adapter ./my-target.mjs`, scenario
 * `ingest.adapter`) whose default export (or export `protocol`) implements
 * TargetProtocol: `name`, `request(batch)`, `classify(answer)`, optionally
 * `readsAcceptedBody`. What it exports is checked when it is loaded, and
 * what its functions return is checked on every call, each with an error that
 * names the file and says what was expected (docs/targets.md); what they
 * throw comes out as an AdapterError that names the file, the function and
 * the line of the file it came from.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../errors.js';
import type { AnswerVerdict, OutgoingBatch, TargetAnswer, TargetProtocol, TargetRequest } from '../protocol.js';

/** Thrown when an adapter breaks its contract (at load or in a call), or one of its functions throws. */
export class AdapterError extends UsageError {}

/**
 * What an adapter's own function threw, as an AdapterError naming the file,
 * the function and the adapter's message: the bug is in the user's module, so
 * it must read as theirs (exit 2), not as fleetsim's ("internal error").
 */
function adapterThrew(where: string, path: string, fn: 'request' | 'classify', err: unknown): AdapterError {
  const message = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  const frame = err instanceof Error ? adapterFrame(err.stack, path) : null;
  return new AdapterError(`${where}: ${fn}() threw: ${message.slice(0, 500)}${frame ? ` (${frame})` : ''}`);
}

/**
 * Where in the adapter's own file (absolute `path`) an exception was thrown,
 * from the first frame of its stack in that file: "my-target.mjs line 12,
 * column 7, in parseAck". In words rather than as a stack line: the CLI prints
 * stack traces only with --debug, and the user needs their line, not
 * fleetsim's frames. Frames name the file by URL (Node's loader) or by path
 * (a loader that rewrites modules, such as vitest's).
 */
export function adapterFrame(stack: string | undefined, path: string): string | null {
  if (stack === undefined) return null;
  const names = [pathToFileURL(path).href, path];
  for (const line of stack.split('\n')) {
    for (const name of names) {
      const at = line.indexOf(`${name}:`);
      if (at < 0) continue;
      const pos = /^:(\d+):(\d+)/.exec(line.slice(at + name.length));
      if (!pos) continue;
      const fn = /^\s*at (?:async )?([^\s(]+) \(/.exec(line)?.[1]?.replace(/^Object\./, '');
      return `${basename(path)} line ${pos[1]}, column ${pos[2]}${fn ? `, in ${fn}` : ''}`;
    }
  }
  return null;
}

const VERDICTS = ['accepted', 'retryable', 'refused', 'unreadable'];

/**
 * The file's (absolute `path`) syntax error with its place, as
 * "SyntaxError: Unexpected token ';' (my-target.mjs line 3, column 25)", or
 * null if it parses. Node's import error for a module that does not parse has
 * neither line nor file (its stack is the loader's own frames), so the file is
 * parsed again by `node --check`, which prints them: only on the path where
 * the import failed already.
 */
export function syntaxProblem(path: string): string | null {
  const r = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0 || typeof r.stderr !== 'string') return null;
  const lines = r.stderr.split('\n');
  const problem = lines.find((l) => l.startsWith('SyntaxError:'));
  if (problem === undefined) return null;
  // The first line is "<file>:<line>", then the source line and a caret under the column.
  const line = /:(\d+)$/.exec(lines[0] ?? '')?.[1];
  if (line === undefined) return problem;
  const caret = lines[2]?.indexOf('^') ?? -1;
  return `${problem} (${basename(path)} line ${line}${caret >= 0 ? `, column ${caret + 1}` : ''})`;
}

/**
 * Why the adapter file at `path` (absolute) could not be loaded, without
 * loading it: "no such file", "is a folder, not a file", "cannot be read:
 * permission denied"; null if it is a readable file. For checks that must
 * not run the user's code (fleetsim validate).
 */
export function adapterFileProblem(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return statSync(path).isDirectory() ? 'is a folder, not a file' : 'is not a regular file';
    accessSync(path, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read: permission denied'
        : `cannot be read: ${(err as Error).message}`;
  }
}

/**
 * Loads an adapter module and checks what it exports. `where` is how the user
 * named it, for every message its errors give: `--adapter ./x.mjs` (load's
 * flag) or `x.yaml: ingest.adapter ./x.mjs` (a scenario's setting).
 */
export async function loadAdapter(file: string, where = `--adapter ${file}`): Promise<TargetProtocol> {
  const path = resolve(file);
  if (!existsSync(path)) throw new AdapterError(`${where}: no such file (${path})`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    // A syntax error in the file itself is reported from node --check, with its line; any other failure (a
    // module it imports is missing or does not parse, its top level throws) as the loader gave it.
    const e = err instanceof Error ? err : new Error(String(err));
    const problem = syntaxProblem(path) ?? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
    throw new AdapterError(`${where} could not be loaded as an ES module: ${problem}`);
  }
  const p = (mod.default ?? mod.protocol) as Partial<TargetProtocol> | undefined;
  if (typeof p !== 'object' || p === null)
    throw new AdapterError(
      `${where} must export (default, or as \`protocol\`) an object with name, request(batch) and classify(answer); it exports ${Object.keys(mod).join(', ') || 'nothing'}`,
    );
  const missing: string[] = [];
  if (typeof p.name !== 'string' || !/^[\w.-]{1,64}$/.test(p.name)) missing.push('name (1 to 64 letters, digits, _ . -)');
  if (typeof p.request !== 'function') missing.push('request(batch) → { method, path, headers, body }');
  if (typeof p.classify !== 'function') missing.push('classify(answer) → { kind: accepted | retryable | refused | unreadable }');
  if (p.readsAcceptedBody !== undefined && typeof p.readsAcceptedBody !== 'boolean')
    missing.push('readsAcceptedBody (a boolean, if given)');
  if (missing.length > 0) throw new AdapterError(`${where}: its protocol object lacks or mistypes ${missing.join('; ')}`);
  return checkedAdapter(p as TargetProtocol, where, path);
}

/** The adapter with every answer it gives checked, so a bad return value is an error that names it, not a crash later. */
function checkedAdapter(p: TargetProtocol, where: string, path: string): TargetProtocol {
  return {
    name: p.name,
    ...(p.readsAcceptedBody !== undefined ? { readsAcceptedBody: p.readsAcceptedBody } : {}),
    request(b: OutgoingBatch): TargetRequest {
      let r: Partial<TargetRequest> | undefined;
      try {
        r = p.request(b) as Partial<TargetRequest> | undefined;
      } catch (err) {
        throw adapterThrew(where, path, 'request', err);
      }
      const bad = requestProblem(r);
      if (bad) throw new AdapterError(`${where}: request() returned ${bad}`);
      return r as TargetRequest;
    },
    classify(a: TargetAnswer): AnswerVerdict {
      let v: Partial<AnswerVerdict> | undefined;
      try {
        v = p.classify(a) as Partial<AnswerVerdict> | undefined;
      } catch (err) {
        throw adapterThrew(where, path, 'classify', err);
      }
      if (typeof v !== 'object' || v === null || typeof v.kind !== 'string' || !VERDICTS.includes(v.kind)) {
        throw new AdapterError(
          `${where}: classify() must return { kind: ${VERDICTS.join(' | ')} }, got ${JSON.stringify(v)?.slice(0, 200) ?? String(v)}`,
        );
      }
      if (v.kind !== 'accepted' && typeof (v as { reason?: unknown }).reason !== 'string')
        throw new AdapterError(`${where}: classify() returned kind ${v.kind} without a reason (a short text such as "HTTP_503")`);
      const ra = (v as { retryAfterMs?: unknown }).retryAfterMs;
      if (v.kind === 'retryable' && ra !== undefined && !(typeof ra === 'number' && ra >= 0 && Number.isFinite(ra)))
        throw new AdapterError(`${where}: classify() returned retryAfterMs ${String(ra)}; it must be a number of ms >= 0`);
      if (v.kind === 'unreadable' && typeof (v as { problem?: unknown }).problem !== 'string')
        throw new AdapterError(`${where}: classify() returned kind unreadable without a problem (what was wrong with the answer)`);
      return v as AnswerVerdict;
    },
  };
}

function requestProblem(r: Partial<TargetRequest> | undefined): string | null {
  if (typeof r !== 'object' || r === null) return `${String(r)}, not { method, path, headers, body }`;
  if (typeof r.method !== 'string' || !/^[A-Z]{1,16}$/.test(r.method))
    return `method ${JSON.stringify(r.method)}; it must be an upper-case HTTP method such as "POST"`;
  if (typeof r.path !== 'string' || !r.path.startsWith('/') || /[\s\0]/.test(r.path))
    return `path ${JSON.stringify(r.path)}; it must begin with "/" and hold no spaces`;
  if (typeof r.headers !== 'object' || r.headers === null) return 'no headers object';
  for (const [k, v] of Object.entries(r.headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) return `a header named ${JSON.stringify(k)}, which is not an HTTP header name`;
    if (typeof v !== 'string' || /[\r\n\0]/.test(v)) return `header ${k} with a value that is not a one-line string`;
    if (['host', 'content-length', 'transfer-encoding', 'connection'].includes(k.toLowerCase()))
      return `header ${k}, which the sender sets itself`;
  }
  if (!(r.body instanceof Uint8Array)) return 'a body that is not a Uint8Array (or Buffer)';
  return null;
}
