import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/ingest/index.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

const faulty = (transport: 'http' | 'null') =>
  resolveScenario({
    name: `faults-${transport}`,
    seed: 'faults',
    fleet: { employees: 10, officeMix: { 'New York': 1 } },
    simulation: { days: 1, startDate: '2026-03-03' },
    transport,
    faults: [
      // 09:30–10:00 in New York: the morning, when everyone is uploading.
      { kind: 'ingest-outage', day: 1, at: '14:30', durationMinutes: 30 },
      { kind: 'http-errors', day: 1, at: '15:00', durationMinutes: 20, status: 429, share: 0.5, retryAfterSeconds: 30 },
      { kind: 'connection-resets', day: 1, at: '16:00', durationMinutes: 60, share: 0.3 },
      { kind: 'duplicate-delivery', share: 0.1 },
      { kind: 'laptops-offline', day: 1, at: '18:00', durationMinutes: 120, share: 0.5 },
    ],
    thresholds: ['ledger.lost == 0', 'leaks.canaries == 0'],
  });

describe('faults injected into fleetsim run', () => {
  it('over real HTTP: the ledger balances, nothing is lost, the store holds every acknowledged event exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-faults-'));
    const r = await runScenario(faulty('http'), { reportDir: dir, workers: 2 });
    const l = r.figures.ledger;
    expect(ledgerImbalance(l)).toBe(0);
    expect(l.lost).toBe(0);
    expect(l.spooled).toBe(0);
    expect(r.thresholdsPassed).toBe(true);
    const f = r.figures.faults;
    for (const kind of ['ingest-outage', 'http-errors', 'connection-resets', 'duplicate-delivery'])
      expect(f.injected[kind] ?? 0).toBeGreaterThan(0);
    // Resets after delivery and duplicate deliveries make the service see batches twice: it must store them once.
    const store = await openStore(`sqlite:${join(dir, 'ingest.sqlite')}`);
    const totals = await store.totals();
    const gaps = await store.sequenceGaps();
    await store.close();
    expect(totals.events).toBe(l.stored + l.redacted);
    expect(gaps).toEqual([]);
    expect(r.figures.ingest.by_status['200']).toBeGreaterThan(totals.batches);
  });

  it('keeps the fleet from coming back as a herd: peak uploads per minute after a 30-minute outage within 2x of what full jitter predicts', async () => {
    const s = resolveScenario({
      name: 'herd',
      seed: 'faults',
      fleet: { employees: 60, officeMix: { 'New York': 1 } },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      faults: [{ kind: 'ingest-outage', day: 1, at: '14:30', durationMinutes: 30 }],
    });
    const r = await runScenario(s, { reportDir: mkdtempSync(join(tmpdir(), 'fleetsim-herd-')), workers: 2 });
    const rec = r.figures.faults.recoveries[0]!;
    expect(rec.steady_per_min).toBeGreaterThan(0);
    // Steady: the batches the fleet sealed per minute in the hour after the outage (15:00–16:00 UTC).
    const end = (Date.parse('2026-03-03T15:00:00Z') - r.fleet.epochUtcMs) / 60_000;
    let sealed = 0;
    for (let m = end; m < end + 60; m++) sealed += r.fleet.sealedByMinute?.[m] ?? 0;
    expect(rec.steady_per_min).toBeCloseTo(sealed / 60, 5);
    expect(rec.peak_per_min).toBeGreaterThan(rec.steady_per_min);
    // Steady is the rate the fleet seals batches at in that hour, what it would upload without the outage. With
    // full jitter a laptop's retries during the outage are a renewal process with gaps uniform in [0, ceiling]
    // (5 min), so its first retry after the end falls in the first minute with the chance of the process's
    // residual life: 1 − (1 − 1/5)² = 0.36. It then uploads its backlog at once, the 30 minutes of batches it
    // sealed meanwhile: the peak minute is ~0.36 × 30 ≈ 11x the steady rate (measured 8.2x); a fleet that
    // retried all at once would come back at 30x.
    const ceilingMinutes = s.agent.upload.retryMaxMs / 60_000;
    const firstMinuteShare = 1 - (1 - 1 / ceilingMinutes) ** 2;
    const predicted = firstMinuteShare * 30;
    expect(rec.peak_to_steady!).toBeGreaterThan(predicted / 2);
    expect(rec.peak_to_steady!).toBeLessThan(2 * predicted);
    expect(r.figures.faults.peak_to_steady).toBe(rec.peak_to_steady);
  }, 60_000);
});
