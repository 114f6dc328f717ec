/**
 * The target-protocol flags of `fleetsim load`, as a user meets them: bad
 * settings are refused before any work (exit 2, a message that says what is
 * allowed, no report folder), and a plain HTTP server under the default
 * fleetsim protocol gets an error that names the target and what came back.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetsim, fleetsimAsync as fleetsimAsyncAt } from '../helpers/cli.js';
import { startPlainServer, startRawServer } from './plain-servers.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-targets-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = join(dir, 's.yaml');
writeFileSync(scenario, 'name: t\nseed: t\nfleet: { employees: 2 }\nsimulation: { days: 1, startDate: "2026-03-02" }\n');
writeFileSync(join(dir, 'bad-adapter.mjs'), 'export default { name: "bad", request() { return {}; } };\n');
writeFileSync(
  join(dir, 'throwing-adapter.mjs'),
  'export default { name: "throwing", request() { throw new Error("adapter kaboom"); }, classify() { return { kind: "accepted" }; } };\n',
);
// The user's environment without FLEETSIM_FLEET_SECRET: the flags under test are the only source of a secret.
const { FLEETSIM_FLEET_SECRET: _secret, ...env } = process.env;

describe('fleetsim load --protocol settings', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown protocol', ['--protocol', 'grpc'], /--protocol must be one of fleetsim, http, otlp-http, adapter, got "grpc"/],
    ['a setting of another protocol', ['--protocol', 'http', '--encoding', 'json'], /--encoding applies to --protocol otlp-http, not http/],
    ['--body for fleetsim', ['--body', 'ndjson', '--fleet-secret', 'x'], /--body applies to --protocol http, not fleetsim/],
    ['a bad --body', ['--protocol', 'http', '--body', 'xml'], /--body must be one of wire, ndjson, got "xml"/],
    [
      'a header without a colon',
      ['--protocol', 'http', '--header', 'Authorization Bearer s3cret'],
      /--header must look like "Name: value".*without a colon/,
    ],
    ['a header fleetsim sets itself', ['--protocol', 'http', '--header', 'Content-Length: 3'], /content-length is set by fleetsim/],
    [
      'a header variable that is not set',
      ['--protocol', 'http', '--header', 'Authorization: Bearer ${FLEETSIM_TEST_UNSET_TOKEN}'],
      /environment variables that are not set: \$\{FLEETSIM_TEST_UNSET_TOKEN\}/,
    ],
    ['an adapter that does not exist', ['--adapter', 'no-such-adapter.mjs'], /--adapter \S*no-such-adapter\.mjs: no such file/],
    ['an adapter without classify', ['--adapter', join(dir, 'bad-adapter.mjs')], /lacks or mistypes classify\(answer\)/],
    [
      '--fleet-secret for a protocol without enrollment',
      ['--protocol', 'http', '--fleet-secret', 'x'],
      /--fleet-secret applies to --protocol fleetsim/,
    ],
    [
      '--mode capacity with a foreign protocol',
      ['--protocol', 'http', '--mode', 'capacity'],
      /--mode capacity \(autocannon\) speaks fleetsim's protocol only/,
    ],
  ];
  for (const [what, flags, message] of cases) {
    it(`refuses ${what}: exit 2, nothing written`, () => {
      const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
      const r = fleetsim(['load', '--target', 'http://127.0.0.1:9', '--scenario', scenario, '--out', out, '--quiet', ...flags], { env });
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("an adapter whose request() throws: the adapter's error (exit 2, file, function, message), not fleetsim's internal error", () => {
    const adapter = join(dir, 'throwing-adapter.mjs');
    const flags = ['--adapter', adapter, '--corpus-laptops', '1', '--laptops', '2', '--rate', '5', '--duration', '1s', '--quiet'];
    const r = fleetsim(['load', '--target', 'http://127.0.0.1:9', '--scenario', scenario, ...flags], { env });
    expect(r.stderr).toContain(`--adapter ${adapter}: request() threw: adapter kaboom`);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/at .*\.m?js:\d+/);
    expect(r.code).toBe(2);
  });

  it("an adapter whose classify() throws mid-run: the adapter's error (exit 2), not an uncaught exception", async () => {
    const adapter = join(dir, 'classify-throws.mjs');
    writeFileSync(
      adapter,
      'export default { name: "classify-throws", request(b) { return { method: "POST", path: "/in", headers: {}, body: new Uint8Array(8) }; }, ' +
        'classify() { throw new Error("classify kaboom"); } };\n',
    );
    const srv = await startPlainServer({ delayMs: 0 });
    try {
      const r = await fleetsimAsync([
        'load',
        '--target',
        srv.url,
        '--scenario',
        scenario,
        '--adapter',
        adapter,
        '--corpus-laptops',
        '1',
        '--laptops',
        '2',
        '--rate',
        '10',
        '--duration',
        '2s',
        '--out',
        join(dir, 'out-classify'),
        '--quiet',
      ]);
      expect(srv.seen.length).toBeGreaterThan(0);
      expect(r.stderr).toContain(`--adapter ${adapter}: classify() threw: classify kaboom`);
      expect(r.stderr).not.toMatch(/at .*\.m?js:\d+/);
      expect(r.code).toBe(2);
    } finally {
      await srv.stop();
    }
  });

  it('enrollment waits --timeout for an answer, not a fixed 10 s', async () => {
    const hanging = await startRawServer(() => {});
    try {
      const r = await fleetsimAsync([
        'load',
        '--target',
        hanging.url,
        '--scenario',
        scenario,
        '--fleet-secret',
        'x',
        '--corpus-laptops',
        '1',
        '--laptops',
        '2',
        '--rate',
        '5',
        '--duration',
        '1s',
        '--timeout',
        '1s',
        '--out',
        join(dir, 'out-hanging'),
        '--quiet',
      ]);
      expect(r.stderr).toMatch(/no answer within 1000 ms/);
      expect(r.code).toBe(3);
    } finally {
      await hanging.stop();
    }
  });

  it('never prints a header value read from the environment', () => {
    const r = fleetsim(
      [
        'load',
        '--target',
        'http://127.0.0.1:9',
        '--scenario',
        scenario,
        '--quiet',
        '--protocol',
        'http',
        '--header',
        'Authorization: Bearer ${FLEETSIM_TEST_TOKEN}',
        '--encoding',
        'json',
      ],
      {
        env: { ...env, FLEETSIM_TEST_TOKEN: 'tok-7f3a9c-secret' },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('tok-7f3a9c-secret');
  });

  it('a plain HTTP server under the default fleetsim protocol: a clear error naming the target and what came back', async () => {
    const srv = await startPlainServer({ delayMs: 50 });
    try {
      const out = join(dir, 'out-plain');
      // Not spawnSync: the server lives in this process and must answer meanwhile.
      const r = await fleetsimAsync([
        'load',
        '--target',
        srv.url,
        '--scenario',
        scenario,
        '--fleet-secret',
        'x',
        '--corpus-laptops',
        '1',
        '--laptops',
        '2',
        '--rate',
        '10',
        '--duration',
        '1s',
        '--out',
        out,
        '--quiet',
      ]);
      expect(r.stderr).not.toContain('The first argument must be of type string');
      expect(r.stderr).toContain(`POST ${srv.url}/v1/enroll (enrollment) was answered 200 with content-type text/plain and body "ok"`);
      expect(r.stderr).toContain('--protocol http, otlp-http or --adapter');
      expect(r.code).toBe(3);
    } finally {
      await srv.stop();
    }
  });
});

describe('fleetsim run through an adapter that throws', () => {
  // A bug in the user's module is theirs to fix: the run stops at the first exception with exit 2 and the
  // adapter's message, instead of retrying it as a network error until the day ends and blaming the target.
  // maxRequests: one upload per thread (virtual time runs a thread's laptops one after another), or per laptop when
  // paced (side by side); a run that retried would send hundreds.
  const cases = [
    { name: 'a', workers: '0', simulation: '', maxRequests: 1 },
    { name: 'b', workers: '2', simulation: '', maxRequests: 2 },
    // Paced on the wall clock: no one awaits a laptop's uploads until its day ends, hours of wall time at speed 1.
    { name: 'c', workers: '2', simulation: ', speed: 3600, window: { day: 1, at: "10:00", durationMinutes: 600 }', maxRequests: 4 },
  ];
  for (const { name, workers, simulation, maxRequests } of cases) {
    it(`--workers ${workers}${simulation ? ', paced' : ''}: classify() throws, the run stops at once with exit 2 naming the file, the function, the message and the line`, async () => {
      const adapter = join(dir, 'run-classify-throws.mjs');
      writeFileSync(
        adapter,
        'export default { name: "run-classify-throws", request(b) { return { method: "POST", path: "/in", headers: {}, body: b.body }; },\n' +
          '  classify(answer) { return answer.nothing.kind; } };\n',
      );
      const srv = await startPlainServer({ delayMs: 0 });
      try {
        const s = join(dir, `run-adapter-${name}.yaml`);
        writeFileSync(
          s,
          `name: run-adapter\nseed: t\nfleet: { employees: 4 }\nsimulation: { days: 1, startDate: "2026-03-02"${simulation} }\n` +
            `ingest: { kind: url, url: "${srv.url}", protocol: adapter, adapter: ./run-classify-throws.mjs }\n`,
        );
        const r = await fleetsimAsync(['run', s, '--workers', workers, '--out', join(dir, `out-run-${name}`), '--quiet']);
        // The run has no --adapter flag: the message names the scenario setting the user wrote.
        expect(r.stderr).toContain(
          `${s}: ingest.adapter ./run-classify-throws.mjs: classify() threw: TypeError: Cannot read properties of undefined (reading 'kind')`,
        );
        expect(r.stderr).not.toContain('--adapter');
        expect(r.stderr).toMatch(/run-classify-throws\.mjs line 2, column \d+, in classify\)/);
        expect(r.stderr).not.toContain('internal error');
        expect(r.stderr).not.toMatch(/at .*\.m?js:\d+/);
        expect(r.code).toBe(2);
        expect(srv.seen.length).toBeGreaterThan(0);
        expect(srv.seen.length).toBeLessThanOrEqual(maxRequests);
      } finally {
        await srv.stop();
      }
    });
  }
});

function fleetsimAsync(args: readonly string[]) {
  return fleetsimAsyncAt(args, { env, timeoutMs: 120_000 });
}
