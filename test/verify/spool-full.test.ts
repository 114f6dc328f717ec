import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyLedger, type Ledger } from '../../src/metrics/ledger.js';
import { judgeSpoolFull, runSpoolFullCheck, type StoredBatchRef } from '../../src/verify/spool-full.js';

/** A balanced ledger: `produced` events, of which `lost` lost and the rest stored. */
function ledger(produced: number, lost: number): Ledger {
  return { ...emptyLedger(), produced, stored: produced - lost, lost };
}
const batches = (device: string, sizes: readonly number[]): StoredBatchRef[] =>
  sizes.map((events, sequence) => ({ deviceId: device, sequence, events }));

// With room: laptop a stores sequences 0..5 (60 events), b stores 0..2 (30).
const roomy = { ledger: ledger(90, 0), stored: [...batches('a', [10, 10, 10, 10, 10, 10]), ...batches('b', [10, 10, 10])] };
const keep = (refs: readonly StoredBatchRef[], drop: readonly string[]) =>
  refs.filter((r) => !drop.includes(`${r.deviceId}#${r.sequence}`));

describe('judging spool-full accounting', () => {
  it('passes when the batches missing from the capped store are one run of the oldest and their events are exactly `lost`', () => {
    const v = judgeSpoolFull({ ledger: ledger(90, 20), stored: keep(roomy.stored, ['a#1', 'a#2']) }, roomy);
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ survived: true, lost: 20, droppedBatches: 2, droppedEvents: 20, laptopsDropping: 1 });
  });

  it('fails when `lost` differs from the events in the dropped batches by even one', () => {
    const v = judgeSpoolFull({ ledger: ledger(90, 19), stored: keep(roomy.stored, ['a#1', 'a#2']) }, roomy);
    expect(v.survived).toBe(false);
    expect(v.problems).toEqual(['ledger lost 19 ≠ 20 events in the 2 dropped batches']);
  });

  it('fails when the dropped batches are not one run (not oldest first)', () => {
    const v = judgeSpoolFull({ ledger: ledger(90, 20), stored: keep(roomy.stored, ['a#1', 'a#3']) }, roomy);
    expect(v.problems).toEqual(['a dropped sequences 1, 3: not one run of the oldest']);
  });

  it('fails when the spool never filled, so the row would prove nothing', () => {
    expect(judgeSpoolFull({ ledger: ledger(90, 0), stored: roomy.stored }, roomy).problems).toEqual([
      'the spool never filled (0 lost): the check proves nothing; make the cap smaller or the outage longer',
    ]);
  });

  it('fails on an unbalanced ledger, a loss in the run with room, or batches the two runs sealed differently', () => {
    const off = { ...ledger(90, 20), stored: 69 };
    expect(judgeSpoolFull({ ledger: off, stored: keep(roomy.stored, ['a#1', 'a#2']) }, roomy).problems).toContain(
      'capped run: ledger off by 1',
    );
    expect(
      judgeSpoolFull({ ledger: ledger(90, 20), stored: keep(roomy.stored, ['a#1', 'a#2']) }, { ...roomy, ledger: ledger(90, 5) }).problems,
    ).toContain('run with room lost 5 events (nothing may be lost while the spool has room)');
    const resealed = keep(roomy.stored, ['a#1', 'a#2']).map((b) => (b.deviceId === 'b' && b.sequence === 0 ? { ...b, events: 11 } : b));
    expect(judgeSpoolFull({ ledger: ledger(90, 20), stored: resealed }, roomy).problems).toContain(
      'b sequence 0 carries 11 events in the capped run, 10 with room: the runs sealed different batches',
    );
  });
});

describe('spool-full through a real-HTTP run', () => {
  it('laptops offline for 4 hours with a 32 KiB spool drop their oldest batches, and `lost` is exactly their events', async () => {
    const r = await runSpoolFullCheck({
      employees: 4,
      seed: 'spool-full-test',
      spoolMaxBytes: 32 * 1024,
      // Every laptop offline through the middle of both offices' day, so the cap bites whoever works.
      offline: { at: '13:00', durationMinutes: 240, share: 1 },
      workers: 1,
      makeDir: (label) => mkdtempSync(join(tmpdir(), `fleetsim-spool-${label}-`)),
    });
    expect(r.problems).toEqual([]);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.droppedEvents).toBe(r.lost);
    expect(r.injected).toBeGreaterThan(0);
    expect(r.canariesLeaked).toBe(0);
  }, 60_000);
});
