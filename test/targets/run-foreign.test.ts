/**
 * fleetsim run with `ingest.kind: url` and a foreign protocol: the simulated
 * agents' uploads go through the protocol to a server that knows nothing of
 * fleetsim; the run reports uploads, bytes, latency and errors, and says which
 * figures are missing and why instead of reporting zeros.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { writeScenarioReport } from '../../src/report/run-report.js';
import { formatRun } from '../../src/report/text.js';
import { runScenario } from '../../src/run/index.js';
import { mergeRuns } from '../../src/run/merge.js';
import { loadScenarioFile, resolveScenario, ScenarioError } from '../../src/scenario/index.js';
import { startPlainServer } from './plain-servers.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { OTLP_INPUT_EVENT_PREFIX } from '../../src/targets/otlp/encode.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-run-foreign-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('fleetsim run against a foreign target', () => {
  it('protocol http, ndjson: every upload reaches the plain server; stored events, refusals and store scans are reported missing', async () => {
    const srv = await startPlainServer({ delayMs: 1, answer: () => ({ status: 202 }) });
    process.env.FLEETSIM_TEST_RUN_TOKEN = 'run-token-5e1f';
    try {
      const s = resolveScenario({
        name: 'foreign',
        seed: 'foreign',
        fleet: { employees: 2 },
        simulation: { days: 1, startDate: '2026-03-02' },
        ingest: {
          kind: 'url',
          url: `${srv.url}/events`,
          protocol: 'http',
          body: 'ndjson',
          compression: 'none',
          headers: ['Authorization: Bearer ${FLEETSIM_TEST_RUN_TOKEN}'],
        },
      });
      const dir = tmp();
      const r = await runScenario(s, { reportDir: dir, workers: 0 });
      const f = r.figures;
      expect(f.ingest.requests).toBeGreaterThan(0);
      expect(srv.seen.length).toBe(f.ingest.requests);
      expect(
        srv.seen.every(
          (q) =>
            q.url === '/events' &&
            q.headers.authorization === 'Bearer run-token-5e1f' &&
            q.headers['content-type'] === 'application/x-ndjson',
        ),
      ).toBe(true);
      expect(f.ingest.errors).toBe(0);
      expect(f.ingest.p50_ms).not.toBeNull();
      // Every event line the laptops' acknowledged batches held arrived at the server.
      const lines = srv.seen.reduce(
        (a, q) =>
          a +
          q.body
            .toString('utf8')
            .split('\n')
            .filter((l) => l.includes('"t_ms"')).length,
        0,
      );
      expect(lines).toBe(f.ledger.stored + f.ledger.redacted);
      expect(f.ingest.refused_paused).toBeNull();
      expect(f.target!.protocol).toMatch(/^http POST \/events, body ndjson/);
      expect(f.target!.missing.map((m) => m.figure)).toEqual(
        expect.arrayContaining(['ingest.stored_in_pause_windows', 'ingest.acknowledged_missing', 'ingest.refused_paused', 'ledger.stored']),
      );
      // The report says so in all three forms, and never holds the token.
      const out = join(dir, 'report');
      const { files } = await writeScenarioReport(out, r);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
        target: { missing: { figure: string }[] };
        ingest: { refused_paused: unknown };
      };
      expect(summary.ingest.refused_paused).toBeNull();
      expect(summary.target.missing.map((m) => m.figure)).toContain('ingest.refused_exempt');
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Not measured at this target');
      expect(formatRun(r, files)).toMatch(/not measured ingest\.stored_in_pause_windows: no store to scan/);
      for (const name of readdirSync(out)) expect(readFileSync(join(out, name), 'utf8')).not.toContain('run-token-5e1f');
    } finally {
      delete process.env.FLEETSIM_TEST_RUN_TOKEN;
      await srv.stop();
    }
  });

  it('protocol otlp-http: the receiver decodes as many input-event log records as the laptops saw acknowledged', async () => {
    const rx = await OtlpReceiver.start();
    try {
      const s = resolveScenario({
        name: 'otlp',
        seed: 'otlp',
        fleet: { employees: 2 },
        simulation: { days: 1, startDate: '2026-03-02' },
        ingest: { kind: 'url', url: rx.url, protocol: 'otlp-http', encoding: 'json' },
      });
      const r = await runScenario(s, { reportDir: tmp(), workers: 0 });
      expect(r.figures.ingest.errors).toBe(0);
      expect(rx.requests.length).toBe(r.figures.ingest.requests);
      const inputs = rx.requests.reduce((a, q) => a + q.records.filter((x) => x.eventName.startsWith(OTLP_INPUT_EVENT_PREFIX)).length, 0);
      expect(inputs).toBe(r.figures.ledger.stored + r.figures.ledger.redacted);
      expect(rx.requests.every((q) => q.resourceAttributes['user.id'] === q.resourceAttributes['device.id'])).toBe(true);
      expect(r.figures.target!.protocol).toBe('otlp-http /v1/logs, json, compression gzip');
    } finally {
      await rx.close();
    }
  });

  it('shards merged keep what the target could not measure: the merged report says so as an unsharded one does', async () => {
    const srv = await startPlainServer({ delayMs: 1, answer: () => ({ status: 202 }) });
    try {
      const s = resolveScenario({
        name: 'foreign-shards',
        seed: 'foreign-shards',
        fleet: { employees: 2 },
        simulation: { days: 1, startDate: '2026-03-02' },
        ingest: { kind: 'url', url: `${srv.url}/events`, protocol: 'http' },
      });
      const dir = tmp();
      const parts: string[] = [];
      for (let index = 0; index < 2; index++) {
        const out = join(dir, `shard-${index}`);
        await writeScenarioReport(out, await runScenario(s, { reportDir: out, workers: 0, shard: { index, count: 2 } }));
        parts.push(out);
      }
      const merged = await mergeRuns(parts, join(dir, 'merged'));
      expect(merged.figures.target?.protocol).toMatch(/^http POST \/events/);
      expect(merged.figures.target!.missing.map((m) => m.figure)).toEqual(
        expect.arrayContaining(['ingest.acknowledged_missing', 'ingest.refused_paused', 'ledger.stored']),
      );
      expect(merged.figures.ingest.refused_paused).toBeNull();
    } finally {
      await srv.stop();
    }
  });

  it('a setting of another protocol in a scenario file is an error with file:line', () => {
    const dir = tmp();
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'name: t\nseed: t\ningest:\n  kind: url\n  url: http://127.0.0.1:9\n  protocol: http\n  encoding: json\n');
    expect(() => loadScenarioFile(file)).toThrow(ScenarioError);
    try {
      loadScenarioFile(file);
    } catch (err) {
      expect((err as Error).message).toMatch(
        new RegExp(
          `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+.*ingest\\.encoding.*applies to ingest\\.protocol otlp-http, not http`,
          's',
        ),
      );
    }
    expect(readFileSync(file, 'utf8')).toContain('encoding');
  });
});
