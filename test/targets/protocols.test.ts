/** The protocol modules as pure functions: settings checks, header templates, answer classification. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, UsageError } from '../../src/errors.js';
import { classifyByStatus, describeAnswer, type TargetAnswer } from '../../src/targets/protocol.js';
import {
  AdapterError,
  batchToNdjson,
  classifyFleetsimAnswer,
  classifyOtlpAnswer,
  loadAdapter,
  openProtocol,
  parseHeader,
  protocolPath,
  protocolSpec,
  resolveHeaders,
  targetOfKind,
} from '../../src/targets/protocols/index.js';
import { allocateBlock } from '../../src/events/index.js';

const answer = (status: number, body = '', contentType: string | null = null, retryAfterMs: number | null = null): TargetAnswer => ({
  status,
  contentType,
  retryAfterMs,
  body: Buffer.from(body, 'latin1'),
});
const spec = (s: Parameters<typeof protocolSpec>[0]) => protocolSpec(s, (k) => `--${k}`);

describe('protocol settings', () => {
  it('defaults to fleetsim, and to adapter when an adapter is given', () => {
    expect(spec({})).toEqual({ kind: 'fleetsim' });
    expect(spec({ adapter: '/x.mjs' })).toEqual({ kind: 'adapter', file: '/x.mjs', setting: '--adapter /x.mjs' });
    expect(spec({ protocol: 'http' })).toEqual({ kind: 'http', method: 'POST', headers: [], body: 'wire', compression: 'agent' });
    expect(spec({ protocol: 'otlp-http', encoding: 'json', compression: 'none' })).toEqual({
      kind: 'otlp-http',
      headers: [],
      encoding: 'json',
      compression: 'none',
    });
  });

  it('refuses what does not apply, never ignores it', () => {
    expect(() => spec({ protocol: 'otlp-http', body: 'ndjson' })).toThrow(/--body applies to --protocol http, not otlp-http/);
    expect(() => spec({ protocol: 'otlp-http', compression: 'agent' })).toThrow(/--compression must be one of gzip, none/);
    expect(() => spec({ protocol: 'adapter' })).toThrow(/needs --adapter/);
    expect(() => spec({ protocol: 'http', adapter: 'x.mjs' })).toThrow(/--adapter applies to --protocol adapter, not http/);
  });

  it('takes the path from the target URL (OTLP: /v1/logs when the URL has none)', () => {
    expect(protocolPath(spec({ protocol: 'http' }), new URL('http://h:1/in?x=1'))).toBe('/in?x=1');
    expect(protocolPath(spec({ protocol: 'http' }), new URL('http://h:1'))).toBe('/');
    expect(protocolPath(spec({ protocol: 'otlp-http' }), new URL('http://h:4318'))).toBe('/v1/logs');
    expect(protocolPath(spec({ protocol: 'otlp-http' }), new URL('http://h:4318/otlp/v1/logs'))).toBe('/otlp/v1/logs');
  });
});

describe('a target named by its protocol', () => {
  it('takes the article its name is read with ("an adapter target", not "a adapter target")', () => {
    expect(targetOfKind('adapter')).toBe('an adapter target');
    expect(targetOfKind('http')).toBe('an http target');
    expect(targetOfKind('otlp-http')).toBe('an otlp-http target');
    expect(targetOfKind('fleetsim')).toBe('a fleetsim target');
  });
});

describe('static headers', () => {
  it('reads ${ENV} values when the request is built, and names a missing variable without any value', () => {
    const h = [parseHeader('Authorization: Bearer ${TOK}', '--header')];
    expect(h[0]).toEqual({ name: 'authorization', template: 'Bearer ${TOK}' });
    expect(resolveHeaders(h, { TOK: 'abc' })).toEqual({ authorization: 'Bearer abc' });
    expect(() => resolveHeaders(h, {})).toThrow(/not set: \$\{TOK\}/);
    expect(() => resolveHeaders(h, { TOK: 'a\r\nX-Evil: 1' })).toThrow(UsageError);
    expect(() => parseHeader('X-A: ${1BAD}', '--header')).toThrow(/not a \$\{ENV_NAME\} reference/);
    expect(() => parseHeader('Bad Name: v', '--header')).toThrow(/not an HTTP header name/);
  });
});

describe('answers', () => {
  it('plain HTTP: 2xx accepted, 429 retryable with its Retry-After, 400 refused', () => {
    expect(classifyByStatus(answer(204))).toEqual({ kind: 'accepted' });
    expect(classifyByStatus(answer(429, '', null, 2000))).toEqual({ kind: 'retryable', reason: 'HTTP_429', retryAfterMs: 2000 });
    expect(classifyByStatus(answer(400))).toEqual({ kind: 'refused', reason: 'HTTP_400' });
  });

  it("fleetsim: the service's JSON code is the reason", () => {
    expect(classifyFleetsimAnswer(answer(401, '{"code":"AUTH_BAD_SIGNATURE"}'))).toEqual({ kind: 'refused', reason: 'AUTH_BAD_SIGNATURE' });
    expect(classifyFleetsimAnswer(answer(503, 'x', null, 1000))).toEqual({ kind: 'retryable', reason: 'HTTP_503', retryAfterMs: 1000 });
  });

  it('OTLP/HTTP: 200 with an ExportLogsServiceResponse accepted (a partial success counting its rejected records), 200 with garbage unreadable, 502 retryable, 400 refused', () => {
    expect(classifyOtlpAnswer(answer(200), 'protobuf')).toEqual({ kind: 'accepted' });
    // partial_success { rejected_log_records: 2, error_message: "x" }
    expect(classifyOtlpAnswer(answer(200, '\x0a\x05\x08\x02\x12\x01x', 'application/x-protobuf'), 'protobuf')).toEqual({
      kind: 'accepted',
      rejectedRecords: 2,
      message: 'x',
    });
    expect(classifyOtlpAnswer(answer(200, '{"partialSuccess":{}}', 'application/json'), 'json')).toEqual({ kind: 'accepted' });
    // int64 as a JSON string, as protobuf's JSON mapping writes it.
    expect(
      classifyOtlpAnswer(answer(200, '{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}', 'application/json'), 'json'),
    ).toEqual({ kind: 'accepted', rejectedRecords: 3, message: 'too old' });
    expect(classifyOtlpAnswer(answer(200, '{"partialSuccess":{"rejectedLogRecords":"many"}}', 'application/json'), 'json').kind).toBe(
      'unreadable',
    );
    // A length that runs past the end is not a response.
    expect(classifyOtlpAnswer(answer(200, '\x0a\x09\x08\x02', 'application/x-protobuf'), 'protobuf').kind).toBe('unreadable');
    expect(classifyOtlpAnswer(answer(200, '<html>hello</html>', 'text/html'), 'protobuf').kind).toBe('unreadable');
    expect(classifyOtlpAnswer(answer(200, 'not json', 'application/json'), 'json').kind).toBe('unreadable');
    expect(classifyOtlpAnswer(answer(502, '', null, 3000), 'protobuf')).toEqual({
      kind: 'retryable',
      reason: 'HTTP_502',
      retryAfterMs: 3000,
    });
    expect(classifyOtlpAnswer(answer(400), 'protobuf')).toEqual({ kind: 'refused', reason: 'HTTP_400' });
  });

  it('describes an answer with its target, request, status, content type and first bytes, escaped', () => {
    expect(describeAnswer('http://127.0.0.1:9', { method: 'POST', path: '/v1/logs' }, answer(200, 'ab\x00"c', 'text/plain'))).toBe(
      'POST http://127.0.0.1:9/v1/logs was answered 200 (content-type text/plain, body begins "ab\\x00\\"c")',
    );
  });
});

describe('NDJSON bodies', () => {
  it('one line per control and per event, with names for types and contexts', () => {
    const e = allocateBlock(2);
    e.t_ms.set([1000, 1100]);
    e.type.set([0, 3]);
    e.key.set([30, 0]);
    e.x.set([0, 10]);
    e.y.set([0, 20]);
    e.button.set([0, 1]);
    e.context.set([1, 6]);
    const text = batchToNdjson(
      {
        header: { batchId: new Uint8Array(16), deviceId: 'd1', sequence: 4, windowStartMs: 900, windowEndMs: 1200, agentVersion: 'a' },
        controls: [{ kind: 'pause', atMs: 950, untilMs: 2000 }],
        events: e,
      },
      'emp-1',
    );
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ device_id: 'd1', employee_id: 'emp-1', sequence: 4, control: 'pause', at_ms: 950, until_ms: 2000 });
    expect(lines[1]).toMatchObject({ t_ms: 1000, type: 'keydown', context: 'text', key: 30 });
    expect(lines[2]).toMatchObject({ t_ms: 1100, type: 'mousedown', context: 'password', x: 10, y: 20, button: 'left' });
  });
});

describe('adapters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-adapter-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, src: string) => {
    writeFileSync(join(dir, name), src);
    return join(dir, name);
  };

  it('refuses a module that is not one, or exports no protocol', async () => {
    await expect(loadAdapter(write('syntax.mjs', 'export default {'))).rejects.toThrow(
      /could not be loaded as an ES module: SyntaxError: Unexpected end of input \(syntax\.mjs line 1/,
    );
    await expect(loadAdapter(write('none.mjs', 'export const x = 1;'))).rejects.toThrow(
      /must export \(default, or as `protocol`\).*it exports x/,
    );
  });

  it('checks what request() and classify() return, naming the file', async () => {
    const p = await loadAdapter(
      write(
        'liar.mjs',
        'export default { name: "liar", request: () => ({ method: "post", path: "x", headers: {}, body: "s" }), classify: () => ({ kind: "fine" }) };',
      ),
    );
    const batch = {
      body: new Uint8Array(0),
      codec: 'identity' as const,
      deviceId: 'd',
      sequence: 0,
      batch: () => {
        throw new Error('unused');
      },
    };
    expect(() => p.request(batch)).toThrow(/liar\.mjs: request\(\) returned method "post"/);
    expect(() => p.classify(answer(200))).toThrow(
      /liar\.mjs: classify\(\) must return \{ kind: accepted \| retryable \| refused \| unreadable \}/,
    );
  });

  it("turns what request() or classify() throws into an AdapterError (exit 2) naming the file, the function, the adapter's message and its line", async () => {
    const p = await loadAdapter(
      write(
        'thrower.mjs',
        'export default { name: "thrower", request() { throw new TypeError("adapter kaboom"); }, classify() { throw "classify kaboom"; } };',
      ),
    );
    const batch = {
      body: new Uint8Array(0),
      codec: 'identity' as const,
      deviceId: 'd',
      sequence: 0,
      batch: () => {
        throw new Error('unused');
      },
    };
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const r = thrown(() => p.request(batch));
    expect(r).toBeInstanceOf(AdapterError);
    expect((r as AdapterError).exitCode).toBe(EXIT_CODES.badInput);
    // Where in the user's file, in words: the CLI prints no stack trace without --debug.
    expect((r as Error).message).toMatch(
      /^--adapter \S*thrower\.mjs: request\(\) threw: TypeError: adapter kaboom \(thrower\.mjs line 1, column \d+, in request\)$/,
    );
    const c = thrown(() => p.classify(answer(200)));
    expect(c).toBeInstanceOf(AdapterError);
    expect((c as Error).message).toMatch(/^--adapter \S*thrower\.mjs: classify\(\) threw: classify kaboom$/);
  });

  it('names the line of a syntax error, which Node leaves out of the import error', async () => {
    const file = write('typo.mjs', 'export default {\n  name: "typo",\n  request() { return 1 +; },\n};\n');
    await expect(loadAdapter(file)).rejects.toThrow(
      /^--adapter \S*typo\.mjs could not be loaded as an ES module: SyntaxError: Unexpected token ';' \(typo\.mjs line 3, column 25\)$/,
    );
  });

  it("names the setting the user wrote: a scenario's ingest.adapter, not a --adapter flag it does not have", async () => {
    write(
      'scenario-thrower.mjs',
      'export default { name: "t", request() { throw new Error("boom"); }, classify() { return { kind: "accepted" }; } };',
    );
    const fromScenario = protocolSpec(
      { protocol: 'adapter', adapter: './scenario-thrower.mjs' },
      (k) => `x.yaml: ingest.${k}`,
      (f) => join(dir, f),
    );
    const p = await openProtocol(fromScenario, { url: new URL('http://127.0.0.1:9') });
    const batch = { body: new Uint8Array(0), codec: 'identity' as const, deviceId: 'd', sequence: 0, batch: () => ({}) as never };
    expect(() => p.request(batch)).toThrow(/^x\.yaml: ingest\.adapter \.\/scenario-thrower\.mjs: request\(\) threw: boom/);
    const missing = protocolSpec(
      { adapter: './gone.mjs' },
      (k) => `x.yaml: ingest.${k}`,
      (f) => join(dir, f),
    );
    await expect(openProtocol(missing, { url: new URL('http://127.0.0.1:9') })).rejects.toThrow(
      /^x\.yaml: ingest\.adapter \.\/gone\.mjs: no such file \(\S*gone\.mjs\)$/,
    );
  });
});
