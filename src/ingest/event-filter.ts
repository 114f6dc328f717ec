/**
 * Server-side refusal of individual events: pure functions over the decoded
 * event block, no I/O.
 */
import { allocateBlock, type EventBlock } from '../events/index.js';

/** The events outside every pause window, or null when none falls inside one (the common case: nothing copied). */
export function eventsOutsidePauses(ev: EventBlock, windows: readonly { startMs: number; endMs: number }[]): EventBlock | null {
  const n = ev.length;
  if (n === 0) return null;
  const first = ev.t_ms[0]!;
  const last = ev.t_ms[n - 1]!;
  let overlaps = false;
  for (const w of windows) if (w.startMs <= last && w.endMs > first) overlaps = true;
  if (!overlaps) return null;
  const keep = new Uint8Array(n);
  let kept = 0;
  let wi = 0;
  for (let i = 0; i < n; i++) {
    const t = ev.t_ms[i]!;
    while (wi < windows.length && windows[wi]!.endMs <= t) wi++;
    const w = windows[wi];
    const inside = w !== undefined && t >= w.startMs;
    if (!inside) {
      keep[i] = 1;
      kept++;
    }
  }
  return kept === n ? null : pick(ev, keep, kept);
}

/** The events whose keep flag is set, in order. */
function pick(ev: EventBlock, keep: Uint8Array, kept: number): EventBlock {
  const out = allocateBlock(kept);
  let o = 0;
  for (let i = 0; i < ev.length; i++) {
    if (!keep[i]) continue;
    out.t_ms[o] = ev.t_ms[i]!;
    out.type[o] = ev.type[i]!;
    out.key[o] = ev.key[i]!;
    out.x[o] = ev.x[i]!;
    out.y[o] = ev.y[i]!;
    out.button[o] = ev.button[i]!;
    out.context[o] = ev.context[i]!;
    out.flags[o] = ev.flags[i]!;
    o++;
  }
  return out;
}
