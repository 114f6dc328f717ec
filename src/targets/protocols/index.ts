/**
 * The target protocols fleetsim speaks, chosen by name (`--protocol`,
 * `ingest.protocol`) or by an adapter file: their settings as plain data (a
 * ProtocolSpec, which travels to worker threads and into reports: header
 * values stay templates, so tokens read from the environment never do), the
 * flag checks, and opening a spec into a TargetProtocol.
 */
import { BATCHES_PATH } from '../../auth/index.js';
import { UsageError } from '../../errors.js';
import type { TargetProtocol } from '../protocol.js';
import { loadAdapter } from './adapter.js';
import { fleetsimProtocol } from './fleetsim.js';
import { parseHeader, resolveHeaders, type HeaderSpec } from './headers.js';
import { httpProtocol } from './http.js';
import { OTLP_DEFAULT_LOGS_PATH, loadOtlpEncoder, otlpHttpProtocol } from './otlp-http.js';

export { parseHeader, resolveHeaders, missingHeaderVariables, type HeaderSpec } from './headers.js';
export { batchToNdjson, NDJSON_CONTENT_TYPE } from './http.js';
export { classifyFleetsimAnswer, fleetsimReason } from './fleetsim.js';
export { classifyOtlpAnswer, loadOtlpEncoder, OTLP_DEFAULT_LOGS_PATH, type OtlpEncoding } from './otlp-http.js';
export { AdapterError, adapterFileProblem, loadAdapter } from './adapter.js';

export const PROTOCOL_NAMES = ['fleetsim', 'http', 'otlp-http', 'adapter'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export type ProtocolSpec =
  | { readonly kind: 'fleetsim' }
  | {
      readonly kind: 'http';
      readonly method: 'POST' | 'PUT';
      readonly headers: readonly HeaderSpec[];
      readonly body: 'wire' | 'ndjson';
      readonly compression: 'agent' | 'none';
    }
  | {
      readonly kind: 'otlp-http';
      readonly headers: readonly HeaderSpec[];
      readonly encoding: 'protobuf' | 'json';
      readonly compression: 'gzip' | 'none';
    }
  /**
   * `file` is absolute. `setting` is how the user named it (`--adapter ./x.mjs`,
   * `x.yaml: ingest.adapter ./x.mjs`), for the adapter's errors: a run has no
   * --adapter flag, so a message naming one sends the user looking for it.
   */
  | { readonly kind: 'adapter'; readonly file: string; readonly setting?: string };

export const FLEETSIM_PROTOCOL: ProtocolSpec = { kind: 'fleetsim' };

/** The protocol settings as given on a command line or in a scenario (undefined: not given). */
export interface ProtocolSettings {
  readonly protocol?: string | undefined;
  readonly adapter?: string | undefined;
  readonly headers?: readonly string[] | undefined;
  readonly body?: string | undefined;
  readonly compression?: string | undefined;
  readonly encoding?: string | undefined;
  readonly method?: string | undefined;
}

/**
 * Checks protocol settings and makes a spec. A setting that does not apply to
 * the chosen protocol is an error, never silently ignored. `name` maps a
 * setting to how the user wrote it (`--body`, `ingest.body`) for messages.
 */
export function protocolSpec(
  s: ProtocolSettings,
  name: (setting: keyof ProtocolSettings) => string,
  resolvePath: (file: string) => string = (f) => f,
): ProtocolSpec {
  const kind = s.protocol ?? (s.adapter !== undefined ? 'adapter' : 'fleetsim');
  if (!(PROTOCOL_NAMES as readonly string[]).includes(kind))
    throw new UsageError(`${name('protocol')} must be one of ${PROTOCOL_NAMES.join(', ')}, got ${JSON.stringify(kind)}`);
  const allowed: Record<ProtocolName, (keyof ProtocolSettings)[]> = {
    fleetsim: [],
    http: ['headers', 'body', 'compression', 'method'],
    'otlp-http': ['headers', 'encoding', 'compression'],
    adapter: ['adapter'],
  };
  for (const k of ['adapter', 'headers', 'body', 'compression', 'encoding', 'method'] as const) {
    const given = k === 'headers' ? (s.headers?.length ?? 0) > 0 : s[k] !== undefined;
    if (given && !allowed[kind as ProtocolName].includes(k)) {
      const users = (Object.keys(allowed) as ProtocolName[]).filter((p) => allowed[p].includes(k));
      throw new UsageError(`${name(k)} applies to ${name('protocol')} ${users.join(' or ')}, not ${kind}`);
    }
  }
  const headers = (s.headers ?? []).map((h) => parseHeader(h, name('headers')));
  const pick = <T extends string>(k: keyof ProtocolSettings, choices: readonly T[], dflt: T): T => {
    const v = s[k] as string | undefined;
    if (v === undefined) return dflt;
    if (!(choices as readonly string[]).includes(v))
      throw new UsageError(`${name(k)} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  switch (kind as ProtocolName) {
    case 'fleetsim':
      return FLEETSIM_PROTOCOL;
    case 'http':
      return {
        kind: 'http',
        method: pick('method', ['POST', 'PUT'], 'POST'),
        headers,
        body: pick('body', ['wire', 'ndjson'], 'wire'),
        compression: pick('compression', ['agent', 'none'], 'agent'),
      };
    case 'otlp-http':
      return {
        kind: 'otlp-http',
        headers,
        encoding: pick('encoding', ['protobuf', 'json'], 'protobuf'),
        compression: pick('compression', ['gzip', 'none'], 'gzip'),
      };
    case 'adapter':
      if (s.adapter === undefined || s.adapter.trim() === '')
        throw new UsageError(`${name('protocol')} adapter needs ${name('adapter')}: the path of your module (e.g. ./my-target.mjs)`);
      return { kind: 'adapter', file: resolvePath(s.adapter), setting: `${name('adapter')} ${s.adapter}` };
  }
}

/**
 * "an adapter target", "a fleetsim target": a target named by its protocol in
 * a sentence. Every name but fleetsim is read starting with a vowel sound
 * (http as "aitch"), so the article cannot be a fixed "a".
 */
export function targetOfKind(kind: ProtocolName): string {
  return `${kind === 'fleetsim' ? 'a' : 'an'} ${kind} target`;
}

/** Whether devices enroll at the target before they upload (fleetsim's own service only). */
export function protocolEnrolls(spec: ProtocolSpec): boolean {
  return spec.kind === 'fleetsim';
}

/** The request path for a target URL: http uses the URL's own path; OTLP the URL's path, or /v1/logs when it has none. */
export function protocolPath(spec: ProtocolSpec, url: URL): string {
  const own = url.pathname === '/' || url.pathname === '' ? null : `${url.pathname}${url.search}`;
  switch (spec.kind) {
    case 'fleetsim':
      return BATCHES_PATH;
    case 'http':
      return own ?? `/${url.search}`;
    case 'otlp-http':
      return own ?? OTLP_DEFAULT_LOGS_PATH;
    case 'adapter':
      return own ?? '/';
  }
}

/** One line for reports and progress output: header names only, never values. */
export function describeProtocol(spec: ProtocolSpec, url?: URL): string {
  const hdr = (h: readonly HeaderSpec[]) => (h.length === 0 ? '' : `, headers ${h.map((x) => x.name).join(', ')}`);
  switch (spec.kind) {
    case 'fleetsim':
      return 'fleetsim (enrollment, signed batches)';
    case 'http':
      return `http ${spec.method} ${url ? protocolPath(spec, url) : ''}, body ${spec.body}, compression ${spec.compression}${hdr(spec.headers)}`.replace(
        '  ',
        ' ',
      );
    case 'otlp-http':
      return `otlp-http ${url ? protocolPath(spec, url) : OTLP_DEFAULT_LOGS_PATH}, ${spec.encoding}, compression ${spec.compression}${hdr(spec.headers)}`;
    case 'adapter':
      return `adapter ${spec.file}`;
  }
}

export interface OpenProtocolOptions {
  readonly url: URL;
  /** fleetsim only: the device's key. */
  readonly keyOf?: (deviceId: string) => Uint8Array;
  readonly env?: NodeJS.ProcessEnv;
}

/** The spec as a protocol object (loads an adapter module or the OTLP encoder; reads header values from the environment). */
export async function openProtocol(spec: ProtocolSpec, o: OpenProtocolOptions): Promise<TargetProtocol> {
  switch (spec.kind) {
    case 'fleetsim':
      if (!o.keyOf) throw new Error("the fleetsim protocol needs the devices' keys");
      return fleetsimProtocol({ keyOf: o.keyOf });
    case 'http':
      return httpProtocol({
        method: spec.method,
        path: protocolPath(spec, o.url),
        headers: resolveHeaders(spec.headers, o.env),
        body: spec.body,
        compression: spec.compression,
      });
    case 'otlp-http':
      return otlpHttpProtocol(
        {
          encoding: spec.encoding,
          compression: spec.compression,
          path: protocolPath(spec, o.url),
          headers: resolveHeaders(spec.headers, o.env),
        },
        await loadOtlpEncoder(),
      );
    case 'adapter':
      return loadAdapter(spec.file, spec.setting);
  }
}

/**
 * Everything about a spec that can fail before a run does any work: the
 * adapter loads and exports the interface, the OTLP encoder is there, every
 * header's environment variable is set.
 */
export async function checkProtocol(spec: ProtocolSpec, url: URL, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await openProtocol(spec, { url, env, keyOf: () => new Uint8Array(32) });
}
