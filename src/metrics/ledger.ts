/**
 * The event ledger (DESIGN.md): every input event the behaviour model
 * produced ends in exactly one fate. Checked at the end of every run.
 */
export const FATES = ['stored', 'dropped_paused', 'dropped_exempt', 'redacted', 'coalesced', 'spooled', 'lost'] as const;
export type Fate = (typeof FATES)[number];

export type Ledger = { produced: number } & Record<Fate, number>;

export function emptyLedger(): Ledger {
  return { produced: 0, stored: 0, dropped_paused: 0, dropped_exempt: 0, redacted: 0, coalesced: 0, spooled: 0, lost: 0 };
}

export function fatesTotal(l: Ledger): number {
  let n = 0;
  for (const f of FATES) n += l[f];
  return n;
}

/** The difference produced − Σ fates: 0 when every event is accounted for. */
export function ledgerImbalance(l: Ledger): number {
  return l.produced - fatesTotal(l);
}

export function addLedgers(a: Ledger, b: Ledger): Ledger {
  const out = emptyLedger();
  out.produced = a.produced + b.produced;
  for (const f of FATES) out[f] = a[f] + b[f];
  return out;
}
