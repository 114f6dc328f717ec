import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { CLI } from '../helpers/cli.js';
import { FLEET_SECRET, loadOptions, runLoad, smallScenario, startReference, writeCorpus } from './helpers.js';

/** The built CLI as a user runs it; asynchronous, because the target lives in this process. */
function fleetsim(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

// Against the reference ingest service (SQLite) on loopback: real enrollment,
// real signatures, real stores.
// These runs measure schedule lag on a shared 2-core machine: a retry absorbs a neighbour's CPU burst,
// and a real fault still fails all three attempts.
describe('fleetsim load against the reference service', { retry: 2 }, () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let ref: Awaited<ReturnType<typeof startReference>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    ref = await startReference();
  });
  afterAll(async () => {
    await ref?.stop();
    corpus?.cleanup();
  });

  it('steady: every upload is a real agent batch, authenticated, stored once under its own batch id', async () => {
    const o = loadOptions(s, ref.url, corpus.dir, { rateOverridePerS: 100, durationMs: 2000, devices: 40 });
    const r = await runLoad(o);
    expect(r.errors.total).toBe(0);
    expect(r.requests.accepted).toBe(r.requests.planned);
    expect(r.requests.accepted).toBeGreaterThan(150);
    expect(r.throughput.events_per_s).toBeGreaterThan(0);
    expect(r.corpus.unique_bodies).toBe(true);
    expect(r.valid).toBe(true);
    let stored = 0;
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const rows = await ref.server.store.listBatches(`load-${o.runTag}-${String(i).padStart(6, '0')}`);
      stored += rows.length;
      for (const row of rows) ids.add(Buffer.from(row.batchId).toString('hex'));
    }
    expect(stored).toBe(r.requests.accepted);
    expect(ids.size).toBe(stored);
  });

  it("outage recovery: silence while the target is down, then every laptop's spool drains through the agent's own uploader; drain time and herd reported", async () => {
    // A short backoff ceiling keeps the test bounded; the default agent waits up to 5 minutes.
    const fast = resolveScenario({
      name: 'load-outage',
      seed: 'load-outage',
      fleet: { employees: 8 },
      simulation: { days: 1, startDate: '2026-03-02', speed: 'max' },
      agent: { upload: { retryBaseMs: 100, retryMaxMs: 800 } },
    });
    const o = loadOptions(fast, ref.url, corpus.dir, {
      profile: { kind: 'outage-recovery', outageMs: 3600_000, warmupMs: 1000, outageScale: 3600 },
      laptops: 300,
      devices: 300,
      rateOverridePerS: 20,
      durationMs: 3500,
    });
    const r = await runLoad(o);
    expect(r.drain).not.toBeNull();
    const d = r.drain!;
    expect(d.outage_run_s).toBe(1);
    expect(d.recovery_at_s).toBe(2);
    expect(d.backlog_batches).toBeGreaterThan(100);
    expect(d.drained).toBe(true);
    expect(d.drain_s!).toBeGreaterThan(0);
    // Spools, and open arrivals of laptops still draining, go through the uploaders.
    expect(r.latency.spool_drain!.requests).toBeGreaterThanOrEqual(d.backlog_batches);
    expect(r.errors.total).toBe(0);
    // Nothing reaches the target while it is down (run second 1); the herd after it outnumbers the steady 20/s.
    const second = (k: number) => r.timeline.find((t) => t.second === k)!;
    expect(second(1).sent).toBe(0);
    expect(second(0).sent).toBeGreaterThan(0);
    expect(d.peak_to_steady!).toBeGreaterThan(2);
    // Every accepted upload is stored once.
    let stored = 0;
    for (let i = 0; i < 300; i++) stored += (await ref.server.store.listBatches(`load-${o.runTag}-${String(i).padStart(6, '0')}`)).length;
    expect(stored).toBe(r.requests.accepted);
  });

  it('capacity mode sends every batch once: each request a new batch the target stores, never a duplicate', async () => {
    // 20 bodies and room for 60 requests: the closed loop must stop at 20 rather than send a body again.
    const o = loadOptions(s, ref.url, corpus.dir, {
      mode: 'capacity',
      connections: 4,
      durationMs: 3000,
      maxRequests: 60,
      maxUniqueBodies: 20,
      devices: 5,
    });
    const r = await runLoad(o);
    expect(r.requests.sent).toBe(20);
    expect(r.requests.accepted + r.requests.failed).toBe(r.requests.sent);
    expect(r.requests.accepted).toBe(20);
    expect(r.corpus.unique_bodies).toBe(true);
    expect(r.stopped_by).toBe('max_requests');
    expect(r.notes!.join(' ')).toMatch(/sent all 20 batches prepared for it .*raise --max-requests/);
    let stored = 0;
    for (let i = 0; i < 5; i++) stored += (await ref.server.store.listBatches(`load-${o.runTag}-${String(i).padStart(6, '0')}`)).length;
    expect(stored).toBe(r.requests.accepted);
  });

  it('the CLI runs end to end: --json result, report files, thresholds and the loopback rule as exit codes', async () => {
    const dir = join(corpus.dir, '..');
    const file = join(dir, 'load.yaml');
    writeFileSync(
      file,
      'name: cli-load\nseed: cli-load\nfleet: { employees: 8 }\nsimulation: { days: 1, startDate: "2026-03-02" }\nthresholds:\n  - ingest.p99_ms < 5000\n',
    );
    const base = [
      'load',
      '--target',
      ref.url,
      '--scenario',
      file,
      '--corpus',
      corpus.dir,
      '--fleet-secret',
      FLEET_SECRET,
      '--rate',
      '50',
      '--duration',
      '1s',
      '--laptops',
      '100',
      '--workers',
      '0',
      '--max-lag-ms',
      '200',
    ];
    const ok = await fleetsim([...base, '--json', '--out', join(dir, 'report')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout) as {
      valid: boolean;
      latency: { upload: { p50_ms: number } };
      thresholds_passed: boolean;
      report_dir: string;
      errors: { total: number };
      schedule_lag: { p99_ms: number };
      corpus: { codec_levels: Record<string, number> };
    };
    expect(j.valid).toBe(true);
    // Bodies at the scenario agent's own level (brotli 5 by default), not another one.
    expect(j.corpus.codec_levels).toEqual({ br: 5 });
    expect(j.errors.total).toBe(0);
    expect(j.latency.upload.p50_ms).toBeGreaterThan(0);
    expect(j.thresholds_passed).toBe(true);
    expect(j.report_dir).toBe(join(dir, 'report'));
    // The same snake_case as every JSON file fleetsim writes (and as run --json prints).
    expect(Object.keys(j).filter((k) => !/^[a-z0-9_]+$/.test(k))).toEqual([]);
    for (const f of ['summary.json', 'latency.csv', 'errors.csv', 'timeline.csv', 'report.html'])
      expect(statSync(join(dir, 'report', f)).size).toBeGreaterThan(0);

    const failed = await fleetsim([...base, '--quiet', '--out', join(dir, 'report2'), '--threshold', 'latency.upload.p50_ms < 0.001']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/thresholds failed/);

    const remote = await fleetsim(['load', '--target', 'http://10.9.8.7:8080', '--scenario', file, '--fleet-secret', FLEET_SECRET]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/--allow-remote/);

    const typo = await fleetsim([...base, '--profil', 'ramp']);
    expect(typo.code).toBe(2);

    // Bad flags of the shard, body and outage options: usage errors that say what is allowed, before any traffic.
    const bad = await Promise.all([
      fleetsim([...base, '--shard', '2/2']),
      fleetsim([...base, '--shard', '0/200', '--devices', '100']),
      fleetsim([...base, '--body-level', '12']),
      fleetsim([...base, '--profile', 'outage-recovery', '--outage', '30m', '--outage-scale', '0']),
      fleetsim([...base, '--profile', 'outage-recovery', '--outage', '30m', '--outage-scale', '60']),
    ]);
    expect(bad.map((b) => b.code)).toEqual([2, 2, 2, 2, 2]);
    expect(bad[0]!.stderr).toMatch(/--shard must be K\/N with 0 <= K < N/);
    expect(bad[1]!.stderr).toMatch(/needs at least 200 devices/);
    expect(bad[2]!.stderr).toMatch(/--body-level must be a whole number from 0 to 11 for the agent's codec br/);
    expect(bad[3]!.stderr).toMatch(/--outage-scale must be a number more than 0/);
    expect(bad[4]!.stderr).toMatch(/leaves no time for the recovery in --duration 1 s/);
  });
});
