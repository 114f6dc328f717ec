import { allocateBlock, type EventBlock } from '../../src/events/index.js';

/** The columns of a block besides time. */
const VALUE_COLUMNS = ['type', 'key', 'x', 'y', 'button', 'context', 'flags'] as const satisfies readonly (keyof EventBlock)[];

/** One event as plain values: how long (ms) after the one before it came, and its value in every other column. */
export type EventRow = { readonly dt_ms: number } & { readonly [C in (typeof VALUE_COLUMNS)[number]]: number };

/** The rows as a block: the first event dt_ms after startMs, each next one dt_ms after the one before. */
export function blockFromRows(rows: readonly EventRow[], startMs: number): EventBlock {
  const b = allocateBlock(rows.length);
  let t = startMs;
  rows.forEach((r, i) => {
    t += r.dt_ms;
    b.t_ms[i] = t;
    for (const c of VALUE_COLUMNS) b[c][i] = r[c];
  });
  return b;
}
