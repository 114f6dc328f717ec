import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReports, type CompareReport } from '../../src/compare/index.js';
import { writeLoadReport } from '../../src/report/load-report.js';
import { writeSweepReport } from '../../src/report/sweep-report.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/sweep/index.js';
import { loadOptions, runLoad, smallScenario, startSlowServer, writeCorpus } from '../load/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-ls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let sweepDir: string | undefined;
const mean = (r: CompareReport, key: string) =>
  r.result.figures.find((f) => f.figure.key === key)!.statistics.find((s) => s.statistic === 'mean')!;

describe('fleetsim compare over load and sweep reports', () => {
  // Two sweeps of the same grid and seeds; the candidate fleet asks for exemptions and has them approved.
  it('compares sweeps cell by cell, paired by replica seed', { timeout: 60_000 }, async () => {
    const sweep = (approval: number, name: string) =>
      resolveScenario({
        name,
        seed: 'compare-sweep',
        fleet: { employees: 16, exemptionRequestShare: 0.5 },
        simulation: { days: 1, startDate: '2026-03-03' },
        transport: 'null',
        policy: { exemptionApprovalRate: approval },
        sweep: { replicas: 3, policy: { pauseCapMinutes: [15, 30] } },
      });
    const dirs: string[] = [];
    for (const [approval, name] of [
      [0, 'none'],
      [1, 'all'],
    ] as const) {
      const r = await runSweep(sweep(approval, name), { mode: 'fast', workers: 0 });
      const d = join(tmp, `sweep-${name}`);
      await writeSweepReport(r, d, { csv: true, html: true });
      dirs.push(d);
    }
    const r = compareReports({ baseline: [dirs[0]!], candidate: [dirs[1]!] });
    expect(r.kind).toBe('sweep');
    expect(r.result.pairing.paired).toBe(true);
    const keys = r.result.figures.map((f) => f.figure.key);
    expect(keys).toContain('cell[policy.pauseCapMinutes=15].yield');
    expect(keys).toContain('cell[policy.pauseCapMinutes=30].exempt_share');
    for (const cap of [15, 30]) {
      expect(mean(r, `cell[policy.pauseCapMinutes=${cap}].exempt_share`).verdict).toBe('worse');
      expect(mean(r, `cell[policy.pauseCapMinutes=${cap}].yield`).verdict).toBe('worse');
    }
    // A sweep against itself: no change anywhere.
    const same = compareReports({ baseline: [dirs[0]!], candidate: [dirs[0]!] });
    for (const f of same.result.figures) for (const st of f.statistics) expect(st.verdict, f.figure.key).toBe('no change');
    sweepDir = dirs[0]!;
  });

  // Real load runs against loopback servers that answer after 2 ms (baseline) and 40 ms (candidate), two replicas each.
  it('finds a slower service worse on latency, unpaired over replica folders', { retry: 1, timeout: 60_000 }, async () => {
    const s = smallScenario();
    const corpus = await writeCorpus(s);
    const folders: Record<'fast' | 'slow', string[]> = { fast: [], slow: [] };
    try {
      for (const [side, delayMs] of [
        ['fast', 2],
        ['slow', 40],
      ] as const) {
        const srv = await startSlowServer({ delayMs });
        try {
          for (let i = 0; i < 2; i++) {
            const r = await runLoad(
              loadOptions(s, srv.url, corpus.dir, {
                rateOverridePerS: 60,
                durationMs: 1000,
                laptops: 50,
                devices: 20,
                runTag: `${side}${i}-${Date.now() % 1e6}`,
              }),
            );
            const d = join(tmp, `load-${side}-${i}`);
            await writeLoadReport(d, { result: r, thresholds: [], versions: { fleetsim: 'test' } });
            folders[side].push(d);
          }
        } finally {
          await srv.stop();
        }
      }
    } finally {
      corpus.cleanup();
    }
    // Replicas of a load run on a shared machine vary more than runs of the simulation: a wider erratic limit.
    const r = compareReports({ baseline: folders.fast, candidate: folders.slow, erraticCv: 0.5 });
    expect(r.kind).toBe('load');
    expect(r.result.pairing.paired).toBe(false);
    expect(r.compared).toMatch(/not each request/);
    const p50 = mean(r, 'latency.all.p50_ms');
    expect(p50.verdict).toBe('worse');
    expect(p50.candidate).toBeGreaterThan(30);
    expect(r.result.figures.map((f) => f.figure.key)).toEqual(
      expect.arrayContaining(['latency.all.p99_ms', 'latency.all.p999_ms', 'errors.rate', 'throughput.requests_per_s']),
    );
    // A sweep report (from the test above) against a load report: refused.
    expect(sweepDir).toBeDefined();
    expect(() => compareReports({ baseline: [sweepDir!], candidate: folders.fast })).toThrow(
      /the baseline is a sweep report and the candidate a load report/,
    );
  });
});
