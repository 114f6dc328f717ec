/**
 * Request bodies for a load run, prepared before it starts so the hot path
 * only signs and writes. Each body is a corpus batch re-headed for one of the
 * run's own devices: a fresh batch id (seeded), the device's next sequence
 * number, and its capture window (events and controls with it) moved to just
 * before the request's intended send time, so the target stores every request
 * as a new batch and checks its timestamps as it would a laptop's. Picking
 * templates uniformly keeps the corpus's size distribution.
 *
 * Re-compression uses the template's codec; brotli at quality 5 rather than the
 * agent's 10 (bodies ≈ 10 % larger, src/agent/config.ts) because preparing
 * tens of thousands of bodies at 3 ms each would take minutes.
 */
import type { EventBlock } from '../events/index.js';
import { createStream, uniformInt } from '../random/index.js';
import { BATCH_ID_BYTES, compress, encodeBatch, type Codec } from '../wire/index.js';
import type { CorpusTemplate } from './corpus.js';

export const LOAD_CODEC_LEVEL: Readonly<Record<Codec, number | undefined>> = { identity: undefined, gzip: 6, br: 5, zstd: 3 };

export interface PreparedBodies {
  readonly count: number;
  readonly body: readonly Buffer[];
  /** Device index of each body (the signed device must be the batch's). */
  readonly device: Uint32Array;
  readonly events: Uint32Array;
  readonly codec: readonly Codec[];
  readonly bytes: number;
}

export interface BodyPlan {
  /** Device of each body, in the order the run sends them (sequences increase in that order). */
  readonly device: Uint32Array;
  /** Capture window end of each body, UTC epoch ms. */
  readonly windowEndUtcMs: Float64Array;
}

export function prepareBodies(templates: readonly CorpusTemplate[], deviceIds: readonly string[], plan: BodyPlan, seed: string, firstSequence = 0): PreparedBodies {
  const s = createStream(seed, 'load', 'bodies');
  const n = plan.device.length;
  const nextSeq = new Float64Array(deviceIds.length).fill(firstSequence);
  const body: Buffer[] = new Array(n);
  const events = new Uint32Array(n);
  const codec: Codec[] = new Array(n);
  let bytes = 0;
  for (let j = 0; j < n; j++) {
    const t = templates[uniformInt(s, templates.length)]!;
    const d = plan.device[j]!;
    const h = t.batch.header;
    const shift = Math.round(plan.windowEndUtcMs[j]! - h.windowEndMs);
    const batchId = new Uint8Array(BATCH_ID_BYTES);
    for (let k = 0; k < BATCH_ID_BYTES; k++) batchId[k] = Math.floor(s.next() * 256);
    const raw = encodeBatch({
      header: { batchId, deviceId: deviceIds[d]!, sequence: nextSeq[d]!++, windowStartMs: h.windowStartMs + shift, windowEndMs: h.windowEndMs + shift, agentVersion: h.agentVersion },
      controls: t.batch.controls.map((c) => ({ ...c, atMs: c.atMs + shift, ...(c.untilMs !== undefined ? { untilMs: c.untilMs + shift } : {}) })),
      events: shifted(t.batch.events, shift),
    });
    const b = Buffer.from(compress(t.codec, raw, LOAD_CODEC_LEVEL[t.codec]));
    body[j] = b;
    events[j] = t.batch.events.length;
    codec[j] = t.codec;
    bytes += b.byteLength;
  }
  return { count: n, body, device: plan.device, events, codec, bytes };
}

function shifted(e: EventBlock, shiftMs: number): EventBlock {
  const t = new Float64Array(e.length);
  for (let i = 0; i < e.length; i++) t[i] = e.t_ms[i]! + shiftMs;
  return { ...e, t_ms: t };
}
