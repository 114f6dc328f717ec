/**
 * Static request headers given as `Name: value` (CLI `--header`, scenario
 * `ingest.headers`). A value may name environment variables as `${NAME}`, so
 * tokens stay out of command lines, scenario files and reports: the spec keeps
 * the template, the value is read when the request is built, and errors name
 * the variable, never its value.
 */
import { UsageError } from '../../errors.js';

export interface HeaderSpec {
  /** Lower case. */
  readonly name: string;
  /** As given: may hold ${ENV_NAME} references. */
  readonly template: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the sender or the protocol: a static header may not override them. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-encoding']);
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Parses `Name: value`; `where` names the flag or field for the error. */
export function parseHeader(raw: string, where: string): HeaderSpec {
  const i = raw.indexOf(':');
  if (i <= 0)
    throw new UsageError(
      `${where} must look like "Name: value" (e.g. "Authorization: Bearer \${INGEST_TOKEN}"), got one without a colon (its text is not repeated here: it may hold a secret)`,
    );
  const name = raw.slice(0, i).trim().toLowerCase();
  const template = raw.slice(i + 1).trim();
  if (!TOKEN.test(name))
    throw new UsageError(`${where}: ${JSON.stringify(name)} is not an HTTP header name (letters, digits and !#$%&'*+.^_\`|~- only)`);
  if (RESERVED.has(name)) throw new UsageError(`${where}: ${name} is set by fleetsim from the request itself; leave it out`);
  if (/[\r\n\0]/.test(template))
    throw new UsageError(`${where}: the value of ${name} holds a line break or NUL, which would split the request`);
  if (/\$\{(?![A-Za-z_][A-Za-z0-9_]*\})/.test(template))
    throw new UsageError(`${where}: the value of ${name} has a "\${" that is not a \${ENV_NAME} reference (letters, digits, _)`);
  return { name, template };
}

/** The environment variables a header set needs that `env` lacks. */
export function missingHeaderVariables(headers: readonly HeaderSpec[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const h of headers) for (const m of h.template.matchAll(REF)) if (env[m[1]!] === undefined) out.add(m[1]!);
  return [...out];
}

/** The headers with their ${ENV} references filled in (checked: every variable set, no line breaks). */
export function resolveHeaders(headers: readonly HeaderSpec[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const missing = missingHeaderVariables(headers, env);
  if (missing.length > 0)
    throw new UsageError(
      `header values refer to environment variables that are not set: ${missing.map((m) => `\${${m}}`).join(', ')}; export them before the run`,
    );
  const out: Record<string, string> = {};
  for (const h of headers) {
    const v = h.template.replace(REF, (_, n: string) => env[n]!);
    if (/[\r\n\0]/.test(v) || /[^\t\x20-\x7e\x80-\xff]/.test(v))
      throw new UsageError(`the value of header ${h.name} (from the environment) holds characters an HTTP header cannot carry`);
    out[h.name] = v;
  }
  return out;
}
