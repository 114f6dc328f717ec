import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeLoadResults } from '../../src/load/index.js';
import { writeLoadReport } from '../../src/report/load-report.js';
import { CLI } from '../helpers/cli.js';
import { loadOptions, runLoad, smallScenario, startSlowServer, writeCorpus } from './helpers.js';

function fleetsim(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// Two shards of a run, side by side against one loopback target, add up to the unsharded run.
// These runs measure schedule lag on a shared 2-core machine: a retry absorbs a neighbour's CPU burst.
describe('sharded load runs', { retry: 2 }, () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let dir: string;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    dir = mkdtempSync(join(tmpdir(), 'fleetsim-load-shards-'));
  });
  afterAll(() => {
    corpus?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--shard K/N sends a deterministic slice; the merged shards count what the whole run does, through `fleetsim merge` too', async () => {
    const srv = await startSlowServer({ delayMs: 2 });
    try {
      const base = {
        rateOverridePerS: 150,
        durationMs: 1500,
        laptops: 200,
        devices: 50,
        bounds: { maxLagP99Ms: 50, minCpuHeadroom: 0.05 },
      };
      const whole = await runLoad(loadOptions(s, srv.url, corpus.dir, base));
      const shards = await Promise.all(
        [0, 1].map((index) =>
          runLoad(
            loadOptions(s, srv.url, corpus.dir, { ...base, shard: { index, count: 2 }, runTag: `shard${index}-${Date.now() % 1e6}` }),
          ),
        ),
      );
      expect(shards.map((r) => r.shard)).toEqual([
        { index: 0, count: 2 },
        { index: 1, count: 2 },
      ]);
      // Each shard sends a real part of the traffic, and the parts are the whole.
      for (const r of shards) expect(r.requests.planned).toBeGreaterThan(0.25 * whole.requests.planned);
      const merged = mergeLoadResults(shards);
      expect(whole.errors.total).toBe(0);
      for (const k of ['planned', 'sent', 'accepted', 'failed', 'events_accepted'] as const)
        expect(merged.requests[k]).toBe(whole.requests[k]);
      // Same batches; only the run's own device names and batch ids differ, which compress a few bytes either way.
      expect(Math.abs(merged.requests.bytes_accepted / whole.requests.bytes_accepted - 1)).toBeLessThan(0.01);
      expect(merged.latency.all.requests).toBe(whole.latency.all.requests);
      expect(merged.schedule_lag.requests).toBe(whole.schedule_lag.requests);
      expect(merged.errors.by_status).toEqual(whole.errors.by_status);
      expect(merged.shard).toBeNull();
      // Percentiles come from the added histograms: inside the shards' range.
      const p50s = shards.map((r) => r.latency.all.p50_ms!);
      expect(merged.latency.all.p50_ms!).toBeGreaterThanOrEqual(Math.min(...p50s) - 0.01);
      expect(merged.latency.all.p50_ms!).toBeLessThanOrEqual(Math.max(...p50s) + 0.01);

      // The CLI merges the shards' report folders the same way.
      const dirs = await Promise.all(
        shards.map(async (r, i) => {
          const d = join(dir, `shard${i}`);
          await writeLoadReport(d, {
            result: r,
            thresholds: [{ expression: 'errors.rate < 0.5', actual: 0, pass: true }],
            versions: { fleetsim: 'test' },
          });
          return d;
        }),
      );
      const m = await fleetsim(['merge', ...dirs, '--out', mkdtempSync(join(dir, 'merged-')), '--json']);
      expect(m.stderr).toBe('');
      expect(m.code).toBe(0);
      const j = JSON.parse(m.stdout) as {
        requests: { sent: number; accepted: number };
        thresholds: { expression: string; pass: boolean }[];
        valid: boolean;
      };
      expect(j.requests.sent).toBe(whole.requests.sent);
      expect(j.requests.accepted).toBe(whole.requests.accepted);
      expect(j.thresholds).toEqual([expect.objectContaining({ expression: 'errors.rate < 0.5', pass: true })]);
      expect(Object.keys(j).filter((k) => !/^[a-z0-9_]+$/.test(k))).toEqual([]);
      expect((j as unknown as { thresholds_passed: boolean }).thresholds_passed).toBe(true);

      // Not every shard: refused, naming what is missing.
      const one = await fleetsim(['merge', dirs[0]!, '--out', mkdtempSync(join(dir, 'merged1-'))]);
      expect(one.code).toBe(2);
      expect(one.stderr).toMatch(/every shard of the load run exactly once: got shards 0\/2/);
    } finally {
      await srv.stop();
    }
  });
});
