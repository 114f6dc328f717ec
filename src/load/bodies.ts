/**
 * Request bodies for a load run, prepared before it starts so the hot path
 * only signs and writes. Each body is a corpus batch re-headed for one of the
 * run's own devices: a fresh batch id (seeded), the device's next sequence
 * number, and its capture window (events and controls with it) moved to just
 * before the request's intended send time, so the target stores every request
 * as a new batch and checks its timestamps as it would a laptop's.
 *
 * Re-heading means re-compressing, and it is done at the agent's own codec
 * level (brotli 10 by default, src/agent/config.ts) so body sizes are the real
 * fleet's: brotli 5 would make them ~10 % larger. At ≈ 3–6 ms a body that is
 * the expensive part of preparing a run, so it runs in piscina workers
 * (workers/load-bodies.ts) in fixed chunks, and its cost is reported.
 *
 * Which template each body uses is decided by the caller (a plan), so the
 * same arrival gets the same batch whatever the shard or chunking; batch ids
 * come from a stream per chunk of the run's own seed.
 */
import type { EventBlock } from '../events/index.js';
import { runTasks } from '../pool/index.js';
import { createStream, uniformInt } from '../random/index.js';
import {
  BATCH_ID_BYTES,
  CODEC_LEVELS,
  compress,
  decodeBatch,
  decompress,
  encodeBatch,
  type Codec,
  type DecodedBatch,
} from '../wire/index.js';
import type { CorpusTemplate } from './corpus.js';

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
  /** Device of each body, in the order the run sends them. */
  readonly device: Uint32Array;
  /** Capture window end of each body, UTC epoch ms. */
  readonly windowEndUtcMs: Float64Array;
  /** Sequence number of each body; default: per device, in plan order from `firstSequence`. */
  readonly sequence?: Float64Array;
  /** Corpus template of each body; default: drawn uniformly (keeps the corpus's size distribution). */
  readonly template?: Uint32Array;
}

/** Compression level per codec; a codec not named gets its CODEC_LEVELS default. */
export type CodecLevels = Readonly<Partial<Record<Codec, number>>>;

/** The agent's codec at the agent's level: bodies the size the fleet sends. */
export function agentCodecLevels(agent: { readonly codec: Codec; readonly compressionLevel?: number }): CodecLevels {
  return agent.compressionLevel === undefined ? {} : { [agent.codec]: agent.compressionLevel };
}

export interface PrepareCost {
  readonly codec_levels: Readonly<Record<string, number>>;
  readonly wall_s: number;
  /** Worker time per body (compression dominates; CPU-bound, so ≈ CPU time). */
  readonly ms_per_body: number;
  readonly workers: number;
}

/** Bodies per task: big enough to amortise a task, small enough to spread a few thousand bodies over the workers. */
export const BODY_CHUNK = 256;

export interface BodyChunkTask {
  /** Identifies the corpus, so a worker decodes its templates once. */
  readonly corpusKey: string;
  /** Every template's body as the agent sent it, back to back (shared, not copied per task). */
  readonly templateBytes: SharedArrayBuffer;
  readonly templateOffsets: Float64Array;
  readonly templateCodecs: readonly Codec[];
  readonly levels: CodecLevels;
  /** Seed of the batch-id stream, and this chunk's index (its stream). */
  readonly seed: string;
  readonly chunk: number;
  readonly deviceId: readonly string[];
  readonly sequence: Float64Array;
  readonly windowEndUtcMs: Float64Array;
  readonly template: Uint32Array;
}

export interface BodyChunkResult {
  readonly bytes: Uint8Array;
  /** count + 1 offsets into bytes. */
  readonly offsets: Float64Array;
  readonly events: Uint32Array;
  readonly elapsedMs: number;
}

export function levelFor(levels: CodecLevels, codec: Codec): number | undefined {
  return codec === 'identity' ? undefined : (levels[codec] ?? CODEC_LEVELS[codec].default);
}

let decoded: { key: string; batches: Map<number, DecodedBatch> } | null = null;

function templateBatch(t: BodyChunkTask, k: number): DecodedBatch {
  if (decoded?.key !== t.corpusKey) decoded = { key: t.corpusKey, batches: new Map() };
  let b = decoded.batches.get(k);
  if (!b) {
    const bytes = new Uint8Array(t.templateBytes, t.templateOffsets[k]!, t.templateOffsets[k + 1]! - t.templateOffsets[k]!);
    b = decodeBatch(decompress(t.templateCodecs[k]!, bytes, { maxOutputBytes: 256 << 20 }));
    decoded.batches.set(k, b);
  }
  return b;
}

/** Re-heads and compresses one chunk of bodies (a worker task; also run in-thread). */
export function prepareBodyChunk(t: BodyChunkTask): BodyChunkResult {
  const t0 = performance.now();
  const s = createStream(t.seed, 'load', 'batch-ids', t.chunk);
  const n = t.template.length;
  const parts: Uint8Array[] = new Array(n);
  const events = new Uint32Array(n);
  const offsets = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) {
    const k = t.template[j]!;
    const tb = templateBatch(t, k);
    const h = tb.header;
    const shift = Math.round(t.windowEndUtcMs[j]! - h.windowEndMs);
    const batchId = new Uint8Array(BATCH_ID_BYTES);
    for (let i = 0; i < BATCH_ID_BYTES; i++) batchId[i] = Math.floor(s.next() * 256);
    const raw = encodeBatch({
      header: {
        batchId,
        deviceId: t.deviceId[j]!,
        sequence: t.sequence[j]!,
        windowStartMs: h.windowStartMs + shift,
        windowEndMs: h.windowEndMs + shift,
        agentVersion: h.agentVersion,
      },
      controls: tb.controls.map((c) => ({
        ...c,
        atMs: c.atMs + shift,
        ...(c.untilMs !== undefined ? { untilMs: c.untilMs + shift } : {}),
      })),
      events: shifted(tb.events, shift),
    });
    const codec = t.templateCodecs[k]!;
    parts[j] = compress(codec, raw, levelFor(t.levels, codec));
    events[j] = tb.events.length;
    offsets[j + 1] = offsets[j]! + parts[j]!.byteLength;
  }
  const bytes = new Uint8Array(offsets[n]!);
  for (let j = 0; j < n; j++) bytes.set(parts[j]!, offsets[j]!);
  return { bytes, offsets, events, elapsedMs: performance.now() - t0 };
}

function shifted(e: EventBlock, shiftMs: number): EventBlock {
  const t = new Float64Array(e.length);
  for (let i = 0; i < e.length; i++) t[i] = e.t_ms[i]! + shiftMs;
  return { ...e, t_ms: t };
}

/** Sequence numbers per device in plan order (a laptop seals its batches in that order). */
export function planSequences(device: Uint32Array, devices: number, firstSequence = 0): Float64Array {
  const next = new Float64Array(devices).fill(firstSequence);
  const seq = new Float64Array(device.length);
  for (let j = 0; j < device.length; j++) seq[j] = next[device[j]!]!++;
  return seq;
}

/** Uniform template draws, one per body, from the (seed, purpose) stream. */
export function drawTemplates(n: number, templates: number, seed: string, ...purpose: string[]): Uint32Array {
  const s = createStream(seed, 'load', 'templates', ...purpose);
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = uniformInt(s, templates);
  return out;
}

export interface PrepareOptions {
  /** Seed of the batch ids (give each run its own, or the target dedupes a rerun). */
  readonly seed: string;
  readonly levels: CodecLevels;
  /** Worker threads; 0 prepares in this thread. */
  readonly workers: number;
  readonly firstSequence?: number;
  /** Bodies prepared so far, after each chunk (a million bodies take minutes: the user sees them come). */
  readonly onProgress?: (done: number, total: number) => void;
}

let corpusKeys = 0;

/** The plan cut into chunk tasks that share the templates' bytes. */
function chunkTasks(
  templates: readonly CorpusTemplate[],
  deviceIds: readonly string[],
  plan: BodyPlan,
  o: Omit<PrepareOptions, 'workers'>,
): { tasks: BodyChunkTask[]; template: Uint32Array } {
  const n = plan.device.length;
  const template = plan.template ?? drawTemplates(n, templates.length, o.seed);
  const sequence = plan.sequence ?? planSequences(plan.device, deviceIds.length, o.firstSequence);
  const offsets = new Float64Array(templates.length + 1);
  for (let k = 0; k < templates.length; k++) offsets[k + 1] = offsets[k]! + templates[k]!.body.byteLength;
  const shared = new SharedArrayBuffer(offsets[templates.length]!);
  const view = new Uint8Array(shared);
  for (let k = 0; k < templates.length; k++) view.set(templates[k]!.body, offsets[k]!);
  const corpusKey = `${process.pid}:${++corpusKeys}`;
  const templateCodecs = templates.map((t) => t.codec);
  const tasks: BodyChunkTask[] = [];
  for (let c = 0; c * BODY_CHUNK < n; c++) {
    const a = c * BODY_CHUNK;
    const b = Math.min(n, a + BODY_CHUNK);
    tasks.push({
      corpusKey,
      templateBytes: shared,
      templateOffsets: offsets,
      templateCodecs,
      levels: o.levels,
      seed: o.seed,
      chunk: c,
      deviceId: Array.from(plan.device.subarray(a, b), (d) => deviceIds[d]!),
      sequence: sequence.slice(a, b),
      windowEndUtcMs: plan.windowEndUtcMs.slice(a, b),
      template: template.slice(a, b),
    });
  }
  return { tasks, template };
}

class BodyAssembly {
  readonly body: Buffer[];
  readonly events: Uint32Array;
  bytes = 0;
  workMs = 0;
  constructor(readonly n: number) {
    this.body = new Array<Buffer>(n);
    this.events = new Uint32Array(n);
  }
  add(chunk: number, r: BodyChunkResult): void {
    const a = chunk * BODY_CHUNK;
    const buf = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (let j = 0; j + 1 < r.offsets.length; j++) this.body[a + j] = buf.subarray(r.offsets[j]!, r.offsets[j + 1]!);
    this.events.set(r.events, a);
    this.bytes += r.bytes.byteLength;
    this.workMs += r.elapsedMs;
  }
  result(plan: BodyPlan, templates: readonly CorpusTemplate[], template: Uint32Array): PreparedBodies {
    return {
      count: this.n,
      body: this.body,
      device: plan.device,
      events: this.events,
      codec: Array.from(template, (k) => templates[k]!.codec),
      bytes: this.bytes,
    };
  }
}

/** The worker threads that prepare `bodies` bodies when `requested` are allowed: a task is one chunk, so never more than the chunks. */
export function bodyWorkers(requested: number, bodies: number): number {
  return Math.min(requested, Math.ceil(bodies / BODY_CHUNK));
}

/** Prepares every planned body, in piscina workers when `workers` > 0. */
export async function prepareBodiesInWorkers(
  templates: readonly CorpusTemplate[],
  deviceIds: readonly string[],
  plan: BodyPlan,
  o: PrepareOptions,
): Promise<PreparedBodies & { readonly cost: PrepareCost }> {
  const t0 = performance.now();
  const { tasks, template } = chunkTasks(templates, deviceIds, plan, o);
  const out = new BodyAssembly(plan.device.length);
  const workers = bodyWorkers(o.workers, plan.device.length);
  let done = 0;
  await runTasks(
    { worker: 'load-bodies', what: 'preparing load bodies', workers, inline: prepareBodyChunk },
    tasks,
    (c, r: BodyChunkResult) => {
      out.add(c, r);
      done += r.events.length;
      o.onProgress?.(done, out.n);
    },
  );
  const codecs = [...new Set(templates.map((t) => t.codec))];
  return {
    ...out.result(plan, templates, template),
    cost: {
      codec_levels: Object.fromEntries(codecs.map((c) => [c, levelFor(o.levels, c) ?? 0])),
      wall_s: Math.round(performance.now() - t0) / 1000,
      ms_per_body: out.n === 0 ? 0 : Math.round((out.workMs / out.n) * 1000) / 1000,
      workers,
    },
  };
}

/**
 * Prepares bodies in this thread (benchmarks and tools that want them
 * synchronously): the same bodies as prepareBodiesInWorkers for the same plan
 * and seed. `levels` defaults to the codecs' library defaults; pass the
 * agent's (agentCodecLevels) for fleet-sized bodies.
 */
export function prepareBodies(
  templates: readonly CorpusTemplate[],
  deviceIds: readonly string[],
  plan: BodyPlan,
  seed: string,
  firstSequence = 0,
  levels: CodecLevels = {},
): PreparedBodies {
  const { tasks, template } = chunkTasks(templates, deviceIds, plan, { seed, levels, firstSequence });
  const out = new BodyAssembly(plan.device.length);
  tasks.forEach((t, c) => out.add(c, prepareBodyChunk(t)));
  return out.result(plan, templates, template);
}
