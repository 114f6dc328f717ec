/**
 * The baseline the wire format is measured against: what an agent without a
 * designed format sends. NDJSON: a header line, one line per control, then one
 * JSON object per event with readable names.
 *
 * Kept fair rather than a strawman: integer epoch ms (the same resolution as
 * the wire), only the fields that event kind has, short field names, flags
 * only when set. Benchmarks gzip it and compare (the goal: the wire
 * format is >= 8x smaller than this after gzip).
 */
import { EVENT_TYPE_NAMES, EventType, INPUT_CONTEXT_NAMES, MOUSE_BUTTON_NAMES, REDACTED_KEY, keyName } from '../events/index.js';
import { type BatchInput } from './types.js';

const utf8 = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function encodeNaiveJson(b: BatchInput): Uint8Array {
  const h = b.header;
  const lines: string[] = [
    JSON.stringify({
      batchId: hex(h.batchId),
      deviceId: h.deviceId,
      sequence: h.sequence,
      windowStart: h.windowStartMs,
      windowEnd: h.windowEndMs,
      agentVersion: h.agentVersion,
    }),
  ];
  for (const c of b.controls) lines.push(JSON.stringify({ control: c.kind, at: c.atMs, until: c.untilMs }));
  const ev = b.events;
  for (let i = 0; i < ev.length; i++) {
    const type = ev.type[i] as number;
    const o: Record<string, unknown> = { ts: Math.round(ev.t_ms[i] as number), type: EVENT_TYPE_NAMES[type] };
    if (type === EventType.keydown || type === EventType.keyup) {
      const k = ev.key[i] as number;
      o.key = k === REDACTED_KEY ? null : keyName(k);
    } else {
      o.x = ev.x[i];
      o.y = ev.y[i];
      if (type === EventType.mousedown || type === EventType.mouseup) o.button = MOUSE_BUTTON_NAMES[ev.button[i] as number] ?? ev.button[i];
      if (type === EventType.wheel) o.delta = ev.key[i];
    }
    o.context = INPUT_CONTEXT_NAMES[ev.context[i] as number] ?? ev.context[i];
    if (ev.flags[i] !== 0) o.flags = ev.flags[i];
    lines.push(JSON.stringify(o));
  }
  return utf8.encode(lines.join('\n') + '\n');
}
