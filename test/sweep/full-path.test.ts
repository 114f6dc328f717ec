import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/index.js';
import { DIMENSIONS, runSweep } from '../../src/sweep/index.js';

describe('fast mode and --full-path', () => {
  it('agree on every per-cell output (agent + ingest over HTTP, read back from the ledger and the store, vs the policy code alone)', async () => {
    const s = resolveScenario({
      name: 'fast-vs-full',
      seed: 'fast-vs-full',
      fleet: {
        employees: 5,
        activeMinutesLogMu: Math.log(40),
        exemptionRequestShare: 0.2,
        pause: { neverPauseShare: 0.2 },
      },
      // Two days: asks approved on day 1 take effect on day 2, through the agent and the ingest service.
      simulation: { days: 2, startDate: '2026-03-03' },
      transport: 'null',
      policy: { captureHours: { startHour: 10, endHour: 16 } },
      sweep: { replicas: 3, policy: { pauseCapMinutes: [15, 60], exemptionApprovalRate: [1] } },
    });
    const fast = await runSweep(s, { mode: 'fast', workers: 0 });
    const full = await runSweep(s, { mode: 'full-path', workers: 1, reportDir: mkdtempSync(join(tmpdir(), 'fleetsim-sweep-full-')) });
    expect(full.cells).toHaveLength(2);
    for (const [k, f] of fast.cells.entries()) {
      const p = full.cells[k]!;
      const ci = Math.max(f.yield.ci95 ?? 0, p.yield.ci95 ?? 0);
      expect(Math.abs(f.yield.mean - p.yield.mean)).toBeLessThanOrEqual(ci);
      // Same seeds, no faults: the agent's ledgers and the service's store hold, event for event and
      // group for group, what the fast counter decided with the policy code.
      for (const [i, rf] of f.replicas.entries()) {
        const rp = p.replicas[i]!;
        expect(rp.produced).toBe(rf.produced);
        expect(rp.captured).toBe(rf.captured);
        expect(rp.exempt_share).toBe(rf.exempt_share);
        expect(rp.pauses_per_employee_day).toBe(rf.pauses_per_employee_day);
        expect(rp.captured_active_hours_per_employee).toBe(rf.captured_active_hours_per_employee);
        for (const d of DIMENSIONS) {
          expect(rp.groups[d], d).toEqual(rf.groups[d]);
          expect(rp.tvd[d], d).toBe(rf.tvd[d]);
        }
      }
      for (const d of DIMENSIONS) expect(p.groups[d]!.length, d).toBeGreaterThan(0);
    }
    expect(fast.cells[1]!.yield.mean).toBeLessThan(fast.cells[0]!.yield.mean);
    // Capture hours (10:00–16:00 local) leave nothing in the store of the hours outside them.
    const outside = full.cells[0]!.groups.local_hour!.filter((g) => Number(g.group) < 10 || Number(g.group) >= 16);
    expect(outside.length).toBeGreaterThan(0);
    for (const g of outside) expect(g.yield.mean).toBe(0);
    expect(full.cells.every((c) => c.exempt_share.mean > 0)).toBe(true);
  }, 120_000);
});
