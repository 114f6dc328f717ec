/**
 * Where uploads are inflated and decoded: in the service's own thread
 * (threads = 0) or on worker threads, so that the event loop keeps to HTTP,
 * authentication, policy and the store while other cores do the ~100 µs of
 * brotli and batch decoding every upload costs (bench:ingest, "where the time
 * goes"). The body travels to the worker and back, and the decoded event block
 * comes back, as transferred ArrayBuffers: nothing is copied.
 *
 * Plain worker_threads with one message each way, not piscina: measured on
 * this path (a 4.4 KB agent batch, 32 in flight, one worker), piscina's task
 * bookkeeping cost the event loop 42 µs per upload against 14 µs here, and its
 * worker ran 4,500 decodes/s against 7,650.
 *
 * Off by default, because it pays only where cores are idle: in bench:ingest on
 * 2 cores shared with the load client, one decode thread cut the event loop's
 * busy time per upload by 27 % (203 → 147 µs) but cost 25 % more CPU per upload
 * over all threads (the hand-off: wake-ups, structured clone, a second loop
 * turn per upload), so it served 0.95x the uploads/s of decoding in the event
 * loop. On a machine with spare cores the event loop is the limit, and it is
 * what the threads relieve.
 *
 * A worker that dies (it should not: every input is bounded by the limits)
 * fails its uploads with 503 INGEST_DECODER_FAILED (retryable) and is
 * replaced.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.js';
import { WireError, eventBlockOver, type BatchHeader, type Codec, type ControlRecord, type WireErrorCode } from '../wire/index.js';
import { decodeBody, type DecodeBodyLimits, type DecodedBody } from './decode-body.js';
import { IngestError } from './errors.js';

export interface BodyDecoder {
  /** Decode threads; 0 = the calling thread. */
  readonly threads: number;
  /**
   * Inflates and decodes `body`. With threads the body's memory is moved to a
   * worker and back: use the returned `body`, not the argument, afterwards.
   * Rejects with WireError for a bad body, IngestError when a worker failed.
   */
  decode(codec: Codec, body: Buffer, limits: DecodeBodyLimits): Promise<{ readonly decoded: DecodedBody; readonly body: Buffer }>;
  close(): Promise<void>;
}

/** `script`: another worker entry point (tests: one that dies); default workers/ingest-decode. */
export function createBodyDecoder(threads: number, opts: { readonly script?: string } = {}): BodyDecoder {
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) throw new RangeError(`decode threads must be an integer 0..64, got ${threads}`);
  return threads === 0 ? inlineDecoder() : new DecodePool(threads, opts.script ?? workerScript('ingest-decode'));
}

function inlineDecoder(): BodyDecoder {
  return {
    threads: 0,
    decode: (codec, body, limits) => {
      try {
        return Promise.resolve({ decoded: decodeBody(codec, body, limits), body });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: () => Promise.resolve(),
  };
}

/** To a worker: one body; its buffer is transferred. */
export interface DecodeRequest {
  readonly id: number;
  readonly codec: Codec;
  readonly body: Uint8Array;
  readonly limits: DecodeBodyLimits;
}

/** From a worker: the body back, and the batch (its block as one buffer) or the WireError's fields. */
export type DecodeReply =
  | { readonly id: number; readonly body: Uint8Array; readonly ok: true; readonly header: BatchHeader; readonly controls: ControlRecord[]; readonly events: number; readonly block: ArrayBuffer; readonly inflatedBytes: number }
  | { readonly id: number; readonly body: Uint8Array; readonly ok: false; readonly code: WireErrorCode | null; readonly message: string; readonly field: string | undefined };

/** The worker side: answers one request (workers/ingest-decode.ts posts it with its transfer list). */
export function answerDecodeRequest(req: DecodeRequest): { reply: DecodeReply; transfer: ArrayBuffer[] } {
  const bodyBuffer = req.body.buffer as ArrayBuffer;
  try {
    const { batch, inflatedBytes } = decodeBody(req.codec, req.body, req.limits);
    const block = batch.events.t_ms.buffer as ArrayBuffer;
    return {
      reply: { id: req.id, body: req.body, ok: true, header: batch.header, controls: batch.controls, events: batch.events.length, block, inflatedBytes },
      transfer: [bodyBuffer, block],
    };
  } catch (e) {
    const wire = e instanceof WireError ? e : null;
    return {
      reply: { id: req.id, body: req.body, ok: false, code: wire?.code ?? null, message: (e as Error)?.message ?? String(e), field: wire?.field },
      transfer: [bodyBuffer],
    };
  }
}

interface Pending {
  readonly resolve: (v: { decoded: DecodedBody; body: Buffer }) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
}

class DecodePool implements BodyDecoder {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly threads: number,
    private readonly script: string,
  ) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn({ pending: new Map() } as Slot));
  }

  decode(codec: Codec, body: Buffer, limits: DecodeBodyLimits): Promise<{ decoded: DecodedBody; body: Buffer }> {
    if (this.closed) return Promise.reject(new IngestError('INGEST_SHUTTING_DOWN', 'the service is shutting down; retry after it restarts', 1));
    // Only a buffer that is all this body's own can move; a view into a larger one (never from readBody) is copied.
    const own = body.byteOffset === 0 && body.buffer.byteLength === body.byteLength ? body : Buffer.from(body);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const req: DecodeRequest = { id, codec, body: own, limits: { maxDecodedBytes: limits.maxDecodedBytes, maxEvents: limits.maxEvents } };
      slot.worker.postMessage(req, [own.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(slot: Slot): Slot {
    const worker = new Worker(this.script);
    // The HTTP server keeps the process alive while it serves; an idle decoder must not.
    worker.unref();
    slot.worker = worker;
    worker.on('message', (m: DecodeReply) => this.onReply(slot, m));
    const failed = (why: string) => {
      if (slot.worker !== worker) return;
      const err = new IngestError('INGEST_DECODER_FAILED', `a decode worker failed (${why}); the upload was not stored, retry`, 1);
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      if (!this.closed) this.spawn(slot);
    };
    worker.on('error', (e) => failed(e.message));
    worker.on('exit', (code) => failed(`exit code ${code}`));
    return slot;
  }

  private onReply(slot: Slot, m: DecodeReply): void {
    const p = slot.pending.get(m.id);
    if (p === undefined) return;
    slot.pending.delete(m.id);
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    if (!m.ok) {
      p.reject(m.code === null ? new IngestError('INGEST_INTERNAL', m.message) : new WireError(m.code, m.message, m.field));
      return;
    }
    const batch = { header: m.header, controls: m.controls, events: eventBlockOver(m.block, m.events) };
    p.resolve({ decoded: { batch, inflatedBytes: m.inflatedBytes }, body });
  }
}
