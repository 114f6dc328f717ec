import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createIngestServer, openStore } from '../../src/ingest/index.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fleetsim-targets-'));
const SECRET = 'a-fleet-secret-for-tests-0123456789';

describe('where a run uploads', () => {
  it('ingest-restart: the service is SIGKILLed mid-run and started again; laptops retry through it and nothing acknowledged is missing', async () => {
    const s = resolveScenario({
      name: 'restart',
      seed: 'restart',
      fleet: { employees: 30 },
      // 40 simulated minutes at 600x: four wall seconds, the service down for five simulated minutes.
      simulation: { days: 1, speed: 600, window: { day: 1, at: '14:00', durationMinutes: 40 } },
      faults: [{ kind: 'ingest-restart', day: 1, at: '14:10', downSeconds: 300 }],
      thresholds: ['ledger.lost == 0', 'ingest.acknowledged_missing == 0', 'leaks.canaries == 0'],
    });
    const r = await runScenario(s, { reportDir: tmp(), workers: 1 });
    expect(r.thresholds.filter((t) => !t.pass)).toEqual([]);
    expect(r.figures.faults.injected['ingest-restart']).toBe(1);
    // Uploads met the dead service (connection refused) and were retried once it was back.
    expect(r.figures.ingest.by_status['network-error']).toBeGreaterThan(0);
    expect(r.figures.ingest.acknowledged_missing).toBe(0);
    expect(r.figures.ledger.stored).toBeGreaterThan(0);
  });

  it('refuses ingest-restart where it cannot be done: at speed max, or without HTTP', async () => {
    const fault = { kind: 'ingest-restart', day: 1, at: '15:00', downSeconds: 30 };
    const atMax = resolveScenario({ name: 'f', fleet: { employees: 1 }, faults: [fault] });
    await expect(runScenario(atMax, { reportDir: tmp(), workers: 0 })).rejects.toThrow(/needs a paced run/);
    const nowhere = resolveScenario({ name: 'f', fleet: { employees: 1 }, transport: 'null', simulation: { speed: 60 }, faults: [fault] });
    await expect(runScenario(nowhere, { reportDir: tmp(), workers: 0 })).rejects.toThrow(/needs transport http/);
    const window = { day: 1, at: '14:00', durationMinutes: 30 };
    const outside = resolveScenario({ name: 'f', fleet: { employees: 1 }, simulation: { speed: 60, window }, faults: [fault] });
    await expect(runScenario(outside, { reportDir: tmp(), workers: 0 })).rejects.toThrow(/falls outside simulation.window/);
    const twice = { ...fault, at: '14:10', downSeconds: 120 };
    const overlapping = resolveScenario({
      name: 'f',
      fleet: { employees: 1 },
      simulation: { speed: 60, window },
      faults: [twice, { ...twice, at: '14:11' }],
    });
    await expect(runScenario(overlapping, { reportDir: tmp(), workers: 0 })).rejects.toThrow(/overlap/);
  });

  it('ingest.kind url: enrolls the laptops at a running service with its fleet secret and uploads there', async () => {
    const dir = tmp();
    const store = `sqlite:${join(dir, 'theirs.db')}`;
    const server = createIngestServer({
      store,
      fleetSecret: SECRET,
      port: 0,
      limits: { rate: { perSecond: 1e9, burst: 1e9 }, maxAgeMs: 100 * 365 * 86_400_000 },
    });
    const { url } = await server.start();
    try {
      const s = resolveScenario({
        name: 'url',
        seed: 'url',
        fleet: { employees: 3 },
        ingest: { kind: 'url', url },
        thresholds: ['ledger.lost == 0'],
      });
      await expect(runScenario(s, { reportDir: tmp(), workers: 0 })).rejects.toBeInstanceOf(UsageError);
      const r = await runScenario(s, { reportDir: tmp(), workers: 0, fleetSecret: SECRET });
      expect(r.thresholdsPassed).toBe(true);
      expect(r.figures.ingest.errors).toBe(0);
      // No store of theirs to scan: the leak scan reads what the service acknowledged.
      expect(r.figures.leaks.scanned).toBe('accepted uploads');
      expect(r.figures.ingest.acknowledged_missing).toBeNull();
      await expect(runScenario(s, { reportDir: tmp(), workers: 0, fleetSecret: 'not-the-secret-0123456789' })).rejects.toThrow(
        /refused enrollment/,
      );
    } finally {
      await server.stop();
    }
    const theirs = await openStore(store);
    try {
      expect((await theirs.totals()).events).toBeGreaterThan(0);
    } finally {
      await theirs.close();
    }
  });
});
