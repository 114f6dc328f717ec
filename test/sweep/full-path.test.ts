import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/sweep/index.js';

describe('fast mode and --full-path', () => {
  it('agree within their confidence intervals on a small sweep (agent + ingest over HTTP vs the policy code alone)', async () => {
    const s = resolveScenario({
      name: 'fast-vs-full',
      seed: 'fast-vs-full',
      fleet: { employees: 5, activeMinutesLogMu: Math.log(40), exemptionRequestShare: 0.2, pause: { neverPauseShare: 0.2 } },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      sweep: { replicas: 3, policy: { pauseCapMinutes: [15, 60], exemptionApprovalRate: [1] } },
    });
    const fast = await runSweep(s, { mode: 'fast', workers: 0 });
    const full = await runSweep(s, { mode: 'full-path', workers: 1, reportDir: mkdtempSync(join(tmpdir(), 'fleetsim-sweep-full-')) });
    expect(full.cells).toHaveLength(2);
    for (const [k, f] of fast.cells.entries()) {
      const p = full.cells[k]!;
      const ci = Math.max(f.yield.ci95 ?? 0, p.yield.ci95 ?? 0);
      expect(Math.abs(f.yield.mean - p.yield.mean)).toBeLessThanOrEqual(ci);
      // Same seeds, no faults: the fast counter reproduces the agent's ledger event for event.
      for (const [i, rf] of f.replicas.entries()) {
        expect(rf.produced).toBe(p.replicas[i]!.produced);
        expect(rf.captured).toBe(p.replicas[i]!.captured);
      }
    }
    expect(fast.cells[1]!.yield.mean).toBeLessThan(fast.cells[0]!.yield.mean);
  }, 60_000);
});
