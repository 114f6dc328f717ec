import type { BatchStore } from '../ingest/index.js';
import { countLeakedCanaries, rebuildTypedText } from '../metrics/leaks.js';
import { decodeBatch, decompress } from '../wire/index.js';
import type { StoreFindings } from './summary.js';

/**
 * What reached the store, checked against the service's own records: its
 * refusal counts; every stored keystroke scanned for each device's planted
 * secrets; every stored event checked against the pause windows and
 * exemptions the service recorded (none may fall inside them).
 */
export async function scanStore(store: BatchStore, canaries: Readonly<Record<string, readonly string[]>>): Promise<StoreFindings> {
  const pauses = new Map<string, { startMs: number; endMs: number }[]>();
  for (const p of await store.loadPauses()) (pauses.get(p.deviceId) ?? pauses.set(p.deviceId, []).get(p.deviceId)!).push(p);
  const exemptions = new Map<string, { fromMs: number; untilMs: number | null }[]>();
  for (const e of await store.loadExemptions()) (exemptions.get(e.deviceId) ?? exemptions.set(e.deviceId, []).get(e.deviceId)!).push(e);
  let refusedPaused = 0;
  let refusedExempt = 0;
  let canariesFound = 0;
  let storedInPauses = 0;
  let storedWhileExempt = 0;
  let storedEvents = 0;
  for (const [deviceId, planted] of Object.entries(canaries)) {
    const rows = await store.listBatches(deviceId);
    const blocks = rows.map((row) => decodeBatch(decompress(row.payloadCodec, row.payload, { maxOutputBytes: 256 << 20 })).events);
    for (const row of rows) {
      storedEvents += row.eventCount;
      refusedPaused += row.refusedPaused;
      refusedExempt += row.refusedExempt;
    }
    const windows = pauses.get(deviceId) ?? [];
    const exempt = exemptions.get(deviceId) ?? [];
    for (const b of blocks) {
      for (let i = 0; i < b.length; i++) {
        const t = b.t_ms[i] as number;
        if (windows.some((w) => t >= w.startMs && t < w.endMs)) storedInPauses++;
        if (exempt.some((e) => t >= e.fromMs && (e.untilMs === null || t < e.untilMs))) storedWhileExempt++;
      }
    }
    canariesFound += countLeakedCanaries(rebuildTypedText(blocks), planted);
  }
  return { refusedPaused, refusedExempt, canariesFound, storedInPauses, storedWhileExempt, storedEvents };
}
