import { join } from 'node:path';
import { ledgerImbalance, type Ledger } from '../metrics/ledger.js';
import { openStore } from '../ingest/index.js';
import { runScenario } from '../run/index.js';
import { resolveScenario } from '../scenario/index.js';

/**
 * Spool-full accounting: laptops offline for hours with a spool too
 * small for the backlog must drop their oldest batches, and the ledger's
 * `lost` must be exactly what was dropped. "What was dropped" is counted
 * without the agent's own counter: the same scenario and seed run again with
 * room in the spool, and the batches that run stored and the capped run did
 * not are the drops (batches are sealed by time and size alone, so both runs
 * seal the same batches; checked).
 */

/** One batch in an ingest store, by what identifies it and how many events it carried. */
export interface StoredBatchRef {
  readonly deviceId: string;
  readonly sequence: number;
  /** Events in the batch as sent: stored plus refused by the server's policy check. */
  readonly events: number;
}

export interface SpoolRunEvidence {
  readonly ledger: Ledger;
  readonly stored: readonly StoredBatchRef[];
}

export interface SpoolFullVerdict {
  readonly survived: boolean;
  /** The capped run's ledger `lost`. */
  readonly lost: number;
  /** Batches the run with room stored and the capped run did not. */
  readonly droppedBatches: number;
  /** Their events: must equal `lost`. */
  readonly droppedEvents: number;
  /** Laptops that dropped anything. */
  readonly laptopsDropping: number;
  readonly problems: readonly string[];
}

const key = (b: { deviceId: string; sequence: number }) => `${b.deviceId}#${b.sequence}`;

/** Compares a capped run with the same run given room; pure, so each way it can fail is tested. */
export function judgeSpoolFull(capped: SpoolRunEvidence, roomy: SpoolRunEvidence): SpoolFullVerdict {
  const problems: string[] = [];
  if (ledgerImbalance(capped.ledger) !== 0) problems.push(`capped run: ledger off by ${ledgerImbalance(capped.ledger)}`);
  if (ledgerImbalance(roomy.ledger) !== 0) problems.push(`run with room: ledger off by ${ledgerImbalance(roomy.ledger)}`);
  if (roomy.ledger.lost !== 0)
    problems.push(`run with room lost ${roomy.ledger.lost} events (nothing may be lost while the spool has room)`);
  if (capped.ledger.spooled !== roomy.ledger.spooled)
    problems.push(`runs end with different spools (${capped.ledger.spooled} vs ${roomy.ledger.spooled} events): not comparable`);

  const roomyByKey = new Map(roomy.stored.map((b) => [key(b), b]));
  const cappedKeys = new Set<string>();
  for (const b of capped.stored) {
    cappedKeys.add(key(b));
    const twin = roomyByKey.get(key(b));
    if (twin === undefined) problems.push(`${b.deviceId} sequence ${b.sequence} is stored only by the capped run`);
    else if (twin.events !== b.events)
      problems.push(
        `${b.deviceId} sequence ${b.sequence} carries ${b.events} events in the capped run, ${twin.events} with room: the runs sealed different batches`,
      );
  }
  const droppedByDevice = new Map<string, number[]>();
  let droppedEvents = 0;
  for (const b of roomy.stored) {
    if (cappedKeys.has(key(b))) continue;
    droppedEvents += b.events;
    (droppedByDevice.get(b.deviceId) ?? droppedByDevice.set(b.deviceId, []).get(b.deviceId)!).push(b.sequence);
  }
  let droppedBatches = 0;
  for (const [deviceId, seqs] of droppedByDevice) {
    droppedBatches += seqs.length;
    seqs.sort((a, b) => a - b);
    // One outage, oldest first: what is dropped is one unbroken run of sequence numbers.
    if (seqs[seqs.length - 1]! - seqs[0]! + 1 !== seqs.length)
      problems.push(`${deviceId} dropped sequences ${seqs.join(', ')}: not one run of the oldest`);
  }
  if (capped.ledger.lost === 0)
    problems.push('the spool never filled (0 lost): the check proves nothing; make the cap smaller or the outage longer');
  if (droppedEvents !== capped.ledger.lost)
    problems.push(`ledger lost ${capped.ledger.lost} ≠ ${droppedEvents} events in the ${droppedBatches} dropped batches`);
  return {
    survived: problems.length === 0,
    lost: capped.ledger.lost,
    droppedBatches,
    droppedEvents,
    laptopsDropping: droppedByDevice.size,
    problems,
  };
}

export interface SpoolFullCheckOptions {
  readonly employees: number;
  readonly seed: string;
  /** The capped spool, bytes: well under an outage's backlog, above the largest batch. */
  readonly spoolMaxBytes: number;
  readonly offline: { readonly at: string; readonly durationMinutes: number; readonly share: number };
  readonly workers: number;
  /** A fresh directory for each run's report and store. */
  readonly makeDir: (label: string) => string;
}

export interface SpoolFullCheck extends SpoolFullVerdict {
  /** Upload attempts the outage refused in the capped run. */
  readonly injected: number;
  readonly canariesPlanted: number;
  readonly canariesLeaked: number;
}

/** Runs the scenario over real HTTP twice (capped spool, then room), reads both stores, judges. */
export async function runSpoolFullCheck(o: SpoolFullCheckOptions): Promise<SpoolFullCheck> {
  const run = async (label: string, spoolMaxBytes: number | undefined) => {
    const dir = o.makeDir(label);
    const s = resolveScenario({
      name: `verify-spool-full-${label}`,
      seed: o.seed,
      fleet: { employees: o.employees, officeMix: { 'New York': 1, London: 1 } },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'http',
      ...(spoolMaxBytes !== undefined ? { agent: { upload: { spoolMaxBytes } } } : {}),
      faults: [{ kind: 'laptops-offline', day: 1, ...o.offline }],
    });
    const r = await runScenario(s, { reportDir: dir, workers: o.workers });
    const store = await openStore(`sqlite:${join(dir, 'ingest.sqlite')}`);
    try {
      const rows = await store.listBatches();
      const stored = rows.map((b) => ({
        deviceId: b.deviceId,
        sequence: b.sequence,
        events: b.eventCount + b.refusedPaused + b.refusedExempt,
      }));
      return { ledger: r.figures.ledger, stored, figures: r.figures };
    } finally {
      await store.close();
    }
  };
  const capped = await run('capped', o.spoolMaxBytes);
  const roomy = await run('room', undefined);
  const verdict = judgeSpoolFull(capped, roomy);
  return {
    ...verdict,
    injected: capped.figures.faults.injected_total,
    canariesPlanted: capped.figures.leaks.canaries_planted,
    canariesLeaked: capped.figures.leaks.canaries,
  };
}
