/**
 * Where uploads are inflated and decoded: in the service's own thread
 * (threads = 0) or on worker threads, so that the event loop keeps to HTTP,
 * authentication, policy and the store while other cores do the ~100 µs of
 * brotli and batch decoding every upload costs (bench:ingest, "where the time
 * goes"). The body travels to the worker and back, and the events' times
 * come back, as transferred ArrayBuffers: nothing is copied.
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
 * turn per upload), so it served 0.87–0.99x the uploads/s of decoding in the
 * event loop. On a machine with spare cores the event loop is the limit, and
 * it is what the threads relieve.
 *
 * Failures: workers that cannot start fail the service's start (ready()). A
 * worker that dies later (it should not: every input is bounded by the limits)
 * fails its uploads with 503 INGEST_DECODER_FAILED (retryable) and is
 * replaced, after a pause that doubles while replacements keep dying before
 * they answer anything (no restart storm); meanwhile the other workers take
 * the uploads, or, with none alive, uploads get the 503 at once.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../pool/index.js';
import { WireError, type BatchHeader, type Codec, type ControlRecord, type WireErrorCode } from '../wire/index.js';
import { decodeBody, type DecodeBodyLimits, type DecodedBody } from './decode-body.js';
import { IngestError } from './errors.js';

export interface BodyDecoder {
  /** Decode threads; 0 = the calling thread. */
  readonly threads: number;
  /** Resolves once every decode worker runs; rejects, saying why, when one cannot start. */
  ready(): Promise<void>;
  /**
   * Inflates and decodes `body`; a bad body is a resolved `{ ok: false }`
   * outcome. With threads the body's memory is moved to a worker and back:
   * use the returned `body`, not the argument, afterwards. Rejects (an
   * IngestError, 503) only when no worker could do it.
   */
  decode(codec: Codec, body: Buffer, limits: DecodeBodyLimits): Promise<{ readonly decoded: DecodedBody; readonly body: Buffer }>;
  close(): Promise<void>;
}

/** `script`: another worker entry point (tests: one that dies); default workers/ingest-decode. */
export function createBodyDecoder(threads: number, opts: { readonly script?: string } = {}): BodyDecoder {
  if (!Number.isInteger(threads) || threads < 0 || threads > 64)
    throw new RangeError(`decode threads must be an integer 0..64, got ${threads}`);
  return threads === 0 ? inlineDecoder() : new DecodePool(threads, opts.script ?? workerScript('ingest-decode'));
}

function inlineDecoder(): BodyDecoder {
  return {
    threads: 0,
    ready: () => Promise.resolve(),
    decode: (codec, body, limits) => Promise.resolve({ decoded: decodeBody(codec, body, limits), body }),
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

/** A worker's first message, once its module has loaded: it can decode. */
export const DECODER_READY = { ready: true } as const;

/** From a worker: the body back, and the batch (its event times as one buffer) or the error's fields. */
export type DecodeReply =
  | {
      readonly id: number;
      readonly body: Uint8Array;
      readonly ok: true;
      readonly header: BatchHeader;
      readonly controls: ControlRecord[];
      readonly times: ArrayBuffer;
      readonly inflatedBytes: number;
    }
  | {
      readonly id: number;
      readonly body: Uint8Array;
      readonly ok: false;
      readonly code: WireErrorCode | null;
      readonly message: string;
      readonly field: string | undefined;
      readonly inflatedBytes: number;
    };

/** The worker side: answers one request (workers/ingest-decode.ts posts it with its transfer list). */
export function answerDecodeRequest(req: DecodeRequest): { reply: DecodeReply; transfer: ArrayBuffer[] } {
  const bodyBuffer = req.body.buffer as ArrayBuffer;
  const d = decodeBody(req.codec, req.body, req.limits);
  if (d.ok) {
    const times = d.batch.times.buffer as ArrayBuffer;
    return {
      reply: {
        id: req.id,
        body: req.body,
        ok: true,
        header: d.batch.header,
        controls: d.batch.controls,
        times,
        inflatedBytes: d.inflatedBytes,
      },
      transfer: [bodyBuffer, times],
    };
  }
  const wire = d.error instanceof WireError ? d.error : null;
  return {
    reply: {
      id: req.id,
      body: req.body,
      ok: false,
      code: wire?.code ?? null,
      message: (d.error as Error)?.message ?? String(d.error),
      field: wire?.field,
      inflatedBytes: d.inflatedBytes,
    },
    transfer: [bodyBuffer],
  };
}

interface Pending {
  readonly resolve: (v: { decoded: DecodedBody; body: Buffer }) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  /** null while a replacement waits out its pause. */
  worker: Worker | null;
  readonly pending: Map<number, Pending>;
  /** Deaths since this slot's worker last answered; sets the pause before the next replacement. */
  deaths: number;
}

const RESPAWN_FIRST_PAUSE_MS = 100;
const RESPAWN_MAX_PAUSE_MS = 5_000;

class DecodePool implements BodyDecoder {
  private readonly slots: Slot[] = [];
  private readonly started: Promise<void>;
  private nextId = 0;
  private closed = false;

  constructor(
    readonly threads: number,
    private readonly script: string,
  ) {
    const online: Promise<void>[] = [];
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: null, pending: new Map(), deaths: 0 };
      this.slots.push(slot);
      online.push(this.spawn(slot));
    }
    this.started = Promise.all(online).then(() => undefined);
    // ready() reports it; a pool nobody asks must not crash the process with an unhandled rejection.
    this.started.catch(() => {});
  }

  ready(): Promise<void> {
    return this.started;
  }

  decode(codec: Codec, body: Buffer, limits: DecodeBodyLimits): Promise<{ decoded: DecodedBody; body: Buffer }> {
    if (this.closed) return Promise.reject(shuttingDown());
    let slot: Slot | null = null;
    for (const s of this.slots) if (s.worker !== null && (slot === null || s.pending.size < slot.pending.size)) slot = s;
    if (slot === null) return Promise.reject(decoderFailed('no decode worker is running; replacements are starting'));
    // Only memory that is all this body's own can move. Anything else (a view into a larger buffer, e.g. Buffer's
    // shared pool) is copied into memory of its own: moving a pool would take other buffers with it.
    let own = body;
    if (body.byteOffset !== 0 || body.buffer.byteLength !== body.byteLength) {
      own = Buffer.allocUnsafeSlow(body.byteLength);
      own.set(body);
    }
    const id = this.nextId++;
    const target = slot;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const req: DecodeRequest = { id, codec, body: own, limits: { maxDecodedBytes: limits.maxDecodedBytes, maxEvents: limits.maxEvents } };
      try {
        // An empty body moves nothing; a body whose memory already moved (length 0 then) fails to clone, here.
        target.worker!.postMessage(req, own.byteLength === 0 ? [] : [own.buffer as ArrayBuffer]);
      } catch (e) {
        target.pending.delete(id);
        reject(new IngestError('INGEST_INTERNAL', `the body could not be handed to a decode worker (${(e as Error).message})`));
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
  }

  /** Starts the slot's worker; resolves when it says it is ready (its module loaded), rejects if it dies first. */
  private spawn(slot: Slot): Promise<void> {
    const worker = new Worker(this.script);
    // The HTTP server keeps the process alive while it serves; an idle decoder must not.
    worker.unref();
    slot.worker = worker;
    return new Promise<void>((resolveOnline, rejectOnline) => {
      let online = false;
      worker.on('message', (m: DecodeReply | typeof DECODER_READY) => {
        if ('ready' in m) {
          online = true;
          resolveOnline();
        } else this.onReply(slot, m);
      });
      let reported = false;
      const failed = (why: string) => {
        if (reported) return;
        reported = true;
        if (!online) rejectOnline(new Error(`a decode worker (${this.script}) could not start: ${why}`));
        if (slot.worker === worker) slot.worker = null;
        const err = this.closed ? shuttingDown() : decoderFailed(`a decode worker failed (${why})`);
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
        if (this.closed) return;
        slot.deaths++;
        const pauseMs = online && slot.deaths === 1 ? 0 : Math.min(RESPAWN_MAX_PAUSE_MS, RESPAWN_FIRST_PAUSE_MS * 2 ** (slot.deaths - 1));
        const timer = setTimeout(() => {
          if (!this.closed) this.spawn(slot).catch(() => {});
        }, pauseMs);
        timer.unref();
      };
      worker.on('error', (e) => failed(e.message));
      worker.on('exit', (code) => failed(`exit code ${code}`));
    });
  }

  private onReply(slot: Slot, m: DecodeReply): void {
    const p = slot.pending.get(m.id);
    if (p === undefined) return;
    slot.pending.delete(m.id);
    slot.deaths = 0;
    try {
      const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      if (!m.ok) {
        const error = m.code === null ? new Error(m.message) : new WireError(m.code, m.message, m.field);
        p.resolve({ decoded: { ok: false, error, inflatedBytes: m.inflatedBytes }, body });
        return;
      }
      const batch = { header: m.header, controls: m.controls, times: new Float64Array(m.times) };
      p.resolve({ decoded: { ok: true, batch, inflatedBytes: m.inflatedBytes }, body });
    } catch (e) {
      // A reply this thread cannot read (a worker built from other sources): the upload fails, the service does not.
      p.reject(new IngestError('INGEST_INTERNAL', `a decode worker's answer could not be read (${(e as Error).message})`));
    }
  }
}

function shuttingDown(): IngestError {
  return new IngestError('INGEST_SHUTTING_DOWN', 'the service is shutting down; retry after it restarts', 1);
}

function decoderFailed(message: string): IngestError {
  return new IngestError('INGEST_DECODER_FAILED', `${message}; the upload was not stored, retry`, 1);
}
