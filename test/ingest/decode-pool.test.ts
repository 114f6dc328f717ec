import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBodyDecoder, IngestError, type BodyDecoder } from '../../src/ingest/index.js';
import { decodeBody } from '../../src/ingest/decode-body.js';
import { compress, WireError, type Codec } from '../../src/wire/index.js';
import { T0, makeBatch, tempDir } from './helpers.js';

const LIMITS = { maxDecodedBytes: 1 << 20, maxEvents: 10_000 };
const tmp = tempDir();
const decoders: BodyDecoder[] = [];
afterAll(async () => {
  await Promise.all(decoders.map((d) => d.close()));
  tmp.cleanup();
});

function pool(opts: { script?: string } = {}): BodyDecoder {
  const d = createBodyDecoder(1, opts);
  decoders.push(d);
  return d;
}

/** A buffer of its own, as readBody allocates them (the pool moves it to the worker). */
function own(bytes: Uint8Array): Buffer {
  const b = Buffer.allocUnsafeSlow(bytes.byteLength);
  b.set(bytes);
  return b;
}

describe('decode pool: uploads decoded on a worker thread', () => {
  it('gives the same batch as decoding in this thread, and hands the body back intact', async () => {
    const d = pool();
    for (const codec of ['gzip', 'br', 'identity'] as Codec[]) {
      const b = makeBatch({ deviceId: 'laptop-pool', sequence: 3, events: 1_500, codec, controls: [{ kind: 'pause', atMs: T0 - 3_600_000 + 180_000, untilMs: T0 - 3_000_000 }] });
      const inline = decodeBody(codec, b.body, LIMITS);
      const sent = own(b.body);
      const { decoded, body } = await d.decode(codec, sent, LIMITS);
      expect(Buffer.compare(body, Buffer.from(b.body))).toBe(0);
      expect(decoded.inflatedBytes).toBe(inline.inflatedBytes);
      expect(decoded.batch.header).toEqual(inline.batch.header);
      expect(decoded.batch.controls).toEqual(inline.batch.controls);
      expect(decoded.batch.events.length).toBe(1_500);
      for (const col of ['t_ms', 'type', 'key', 'x', 'y', 'button', 'context', 'flags'] as const) {
        expect(Array.from(decoded.batch.events[col]), col).toEqual(Array.from(inline.batch.events[col]));
      }
    }
  });

  it('refuses bad bodies with the same WireError as this thread: corrupt, truncated, a bomb, too many events', async () => {
    const d = pool();
    const good = makeBatch({ deviceId: 'laptop-pool', sequence: 1, codec: 'br' });
    const flipped = Buffer.from(good.encoded);
    flipped[10]! ^= 0xff;
    const cases: [string, Codec, Uint8Array, typeof LIMITS][] = [
      ['corrupt (crc)', 'identity', flipped, LIMITS],
      ['truncated brotli', 'br', good.body.subarray(0, good.body.length - 3), LIMITS],
      ['bomb', 'gzip', compress('gzip', new Uint8Array(8 << 20)), LIMITS],
      ['too many events', 'br', good.body, { ...LIMITS, maxEvents: 10 }],
    ];
    for (const [what, codec, bytes, limits] of cases) {
      let here: unknown;
      try {
        decodeBody(codec, bytes, limits);
      } catch (e) {
        here = e;
      }
      expect(here, what).toBeInstanceOf(WireError);
      const there = await d.decode(codec, own(bytes), limits).then(
        () => null,
        (e: unknown) => e,
      );
      expect(there, what).toBeInstanceOf(WireError);
      expect({ code: (there as WireError).code, message: (there as WireError).message, field: (there as WireError).field }, what).toEqual({
        code: (here as WireError).code,
        message: (here as WireError).message,
        field: (here as WireError).field,
      });
    }
  });

  it('copies a body that is a view into a larger buffer instead of moving memory it does not own', async () => {
    const d = pool();
    const b = makeBatch({ deviceId: 'laptop-pool', sequence: 2 });
    const big = Buffer.alloc(b.body.length + 100);
    big.set(b.body, 50);
    const view = big.subarray(50, 50 + b.body.length);
    const { decoded } = await d.decode('gzip', view, LIMITS);
    expect(decoded.batch.events.length).toBe(b.events);
    expect(big.byteLength).toBe(b.body.length + 100);
    expect(Buffer.compare(view, Buffer.from(b.body))).toBe(0);
  });

  it('fails the uploads of a worker that dies with a retryable 503, and replaces the worker', async () => {
    // A worker that exits on a body starting with 0xEE and decodes anything else like the real one.
    const real = pathToFileURL(resolve('dist/src/ingest/decode-pool.js')).href;
    const script = join(tmp.dir, 'dying-decoder.mjs');
    writeFileSync(
      script,
      `import { parentPort } from 'node:worker_threads';\nimport { answerDecodeRequest } from ${JSON.stringify(real)};\n` +
        `parentPort.on('message', (req) => { if (req.body[0] === 0xee) process.exit(7); const { reply, transfer } = answerDecodeRequest(req); parentPort.postMessage(reply, transfer); });\n`,
    );
    const d = pool({ script });
    const err = await d.decode('identity', own(Uint8Array.of(0xee, 1, 2)), LIMITS).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('INGEST_DECODER_FAILED');
    expect((err as IngestError).httpStatus).toBe(503);
    expect((err as IngestError).retryAfterS).toBe(1);
    const b = makeBatch({ deviceId: 'laptop-pool', sequence: 4 });
    const { decoded } = await d.decode('gzip', own(b.body), LIMITS);
    expect(decoded.batch.events.length).toBe(b.events);
  });

  it('refuses work after close, and a thread count outside 0..64', async () => {
    const d = createBodyDecoder(1);
    await d.close();
    await expect(d.decode('gzip', own(makeBatch({ deviceId: 'x', sequence: 0 }).body), LIMITS)).rejects.toMatchObject({ code: 'INGEST_SHUTTING_DOWN' });
    expect(() => createBodyDecoder(-1)).toThrow(/0\.\.64/);
    expect(() => createBodyDecoder(1.5)).toThrow(/0\.\.64/);
  });
});
