import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createBodyDecoder, createIngestServer, IngestError, type BodyDecoder } from '../../src/ingest/index.js';
import { decodeBody, type DecodedBody } from '../../src/ingest/decode-body.js';
import { compress, WireError, type Codec } from '../../src/wire/index.js';
import { FLEET_SECRET, T0, makeBatch, tempDir } from './helpers.js';

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

/** A worker script under tmp: `top` runs at load; `onMessage` is its handler body (req in scope; the real worker's answer is `answer(req)`). */
function workerScriptFile(name: string, top: string, onMessage: string): string {
  const real = pathToFileURL(resolve('dist/src/ingest/decode-pool.js')).href;
  const script = join(tmp.dir, `${name}.mjs`);
  writeFileSync(
    script,
    `import { parentPort } from 'node:worker_threads';\nimport { answerDecodeRequest } from ${JSON.stringify(real)};\n${top}\n` +
      `const answer = (req) => { const { reply, transfer } = answerDecodeRequest(req); parentPort.postMessage(reply, transfer); };\n` +
      `parentPort.on('message', (req) => { ${onMessage} });\nparentPort.postMessage({ ready: true });\n`,
  );
  return script;
}

function failure(d: DecodedBody): WireError {
  expect(d.ok).toBe(false);
  const e = (d as { error: unknown }).error;
  expect(e).toBeInstanceOf(WireError);
  return e as WireError;
}

describe('decode pool: uploads decoded on a worker thread', () => {
  it('gives the same batch as decoding in this thread, and hands the body back intact', async () => {
    const d = pool();
    await d.ready();
    for (const codec of ['gzip', 'br', 'identity'] as Codec[]) {
      const b = makeBatch({
        deviceId: 'laptop-pool',
        sequence: 3,
        events: 1_500,
        codec,
        controls: [{ kind: 'pause', atMs: T0 - 3_600_000 + 180_000, untilMs: T0 - 3_000_000 }],
      });
      const inline = decodeBody(codec, b.body, LIMITS);
      const { decoded, body } = await d.decode(codec, own(b.body), LIMITS);
      expect(Buffer.compare(body, Buffer.from(b.body))).toBe(0);
      expect(inline.ok && decoded.ok).toBe(true);
      if (!inline.ok || !decoded.ok) continue;
      expect(decoded.inflatedBytes).toBe(inline.inflatedBytes);
      expect(decoded.batch.header).toEqual(inline.batch.header);
      expect(decoded.batch.controls).toEqual(inline.batch.controls);
      expect(decoded.batch.times.length).toBe(1_500);
      expect(Array.from(decoded.batch.times)).toEqual(Array.from(inline.batch.times));
    }
  });

  it('refuses bad bodies with the same WireError as this thread, and says how many bytes they inflated to', async () => {
    const d = pool();
    const good = makeBatch({ deviceId: 'laptop-pool', sequence: 1, codec: 'br' });
    const flipped = Buffer.from(good.encoded);
    flipped[10]! ^= 0xff;
    const words = Buffer.alloc(5_000, 'not a batch ');
    const cases: [string, Codec, Uint8Array, typeof LIMITS, number][] = [
      ['corrupt (crc)', 'identity', flipped, LIMITS, flipped.length],
      ['truncated brotli', 'br', good.body.subarray(0, good.body.length - 3), LIMITS, 0],
      ['bomb', 'gzip', compress('gzip', new Uint8Array(8 << 20)), LIMITS, 0],
      ['too many events', 'br', good.body, { ...LIMITS, maxEvents: 10 }, good.encoded.length],
      ['inflates, but is not a batch', 'gzip', gzipSync(words), LIMITS, words.length],
    ];
    for (const [what, codec, bytes, limits, inflated] of cases) {
      const here = decodeBody(codec, bytes, limits);
      const { decoded: there } = await d.decode(codec, own(bytes), limits);
      const [h, t] = [failure(here), failure(there)];
      expect({ code: t.code, message: t.message, field: t.field }, what).toEqual({ code: h.code, message: h.message, field: h.field });
      expect([here.inflatedBytes, there.inflatedBytes], what).toEqual([inflated, inflated]);
    }
  });

  it('copies a body that is a view into a larger buffer instead of moving memory it does not own', async () => {
    const d = pool();
    const b = makeBatch({ deviceId: 'laptop-pool', sequence: 2 });
    const big = Buffer.alloc(b.body.length + 100);
    big.set(b.body, 50);
    const view = big.subarray(50, 50 + b.body.length);
    const { decoded } = await d.decode('gzip', view, LIMITS);
    expect(decoded.ok && decoded.batch.times.length).toBe(b.events);
    expect(big.byteLength).toBe(b.body.length + 100);
    expect(Buffer.compare(view, Buffer.from(b.body))).toBe(0);
  });

  it('refuses a body whose memory already moved, instead of leaving the upload hanging', async () => {
    const d = pool();
    const b = own(makeBatch({ deviceId: 'laptop-pool', sequence: 5 }).body);
    await d.decode('gzip', b, LIMITS);
    // b's memory now belongs to the answer, not to b.
    await expect(d.decode('gzip', b, LIMITS)).rejects.toMatchObject({ code: 'INGEST_INTERNAL' });
  });

  it('fails the uploads of a worker that dies with a retryable 503, and replaces the worker', async () => {
    const d = pool({ script: workerScriptFile('dying', '', 'if (req.body[0] === 0xee) process.exit(7); answer(req);') });
    await d.ready();
    const err = await d.decode('identity', own(Uint8Array.of(0xee, 1, 2)), LIMITS).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('INGEST_DECODER_FAILED');
    expect((err as IngestError).httpStatus).toBe(503);
    expect((err as IngestError).retryAfterS).toBe(1);
    // Right after the death no worker runs: uploads get the 503 at once rather than waiting.
    await expect(d.decode('identity', own(Uint8Array.of(1)), LIMITS)).rejects.toMatchObject({ code: 'INGEST_DECODER_FAILED' });
    const b = makeBatch({ deviceId: 'laptop-pool', sequence: 4 });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const r = await d.decode('gzip', own(b.body), LIMITS).catch((e: unknown) => e);
      if (!(r instanceof IngestError) || Date.now() > deadline) {
        expect(r).toMatchObject({ decoded: { ok: true } });
        break;
      }
      await new Promise((w) => setTimeout(w, 20));
    }
  });

  it('reports workers that cannot start, and replaces them with growing pauses, not in a loop', async () => {
    const log = join(tmp.dir, 'starts.log');
    writeFileSync(log, '');
    const script = workerScriptFile(
      'broken',
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, 'x');\nthrow new Error('boom at load');`,
      '',
    );
    const d = createBodyDecoder(1, { script });
    await expect(d.ready()).rejects.toThrow(/could not start: .*boom at load/);
    await new Promise((w) => setTimeout(w, 1_000));
    await d.close();
    // Pauses of 100, 200, 400 ms… after the first try: a handful of starts in a second, not thousands.
    const starts = readFileSync(log, 'utf8').length;
    expect(starts).toBeGreaterThanOrEqual(2);
    expect(starts).toBeLessThanOrEqual(6);
  });

  it('a service with decode threads starts once its workers run, and refuses a thread count over 64', async () => {
    const server = createIngestServer({ store: `sqlite:${join(tmp.dir, 'x.db')}`, fleetSecret: FLEET_SECRET, decodeThreads: 2 });
    await server.start();
    expect(server.decodeThreads).toBe(2);
    await server.stop();
    expect(() => createIngestServer({ store: 'sqlite::memory:', fleetSecret: FLEET_SECRET, decodeThreads: 65 })).toThrow(
      /decodeThreads must be an integer 0\.\.64/,
    );
  });

  it('refuses work after close, and a thread count outside 0..64', async () => {
    const d = createBodyDecoder(1);
    await d.close();
    await expect(d.decode('gzip', own(makeBatch({ deviceId: 'x', sequence: 0 }).body), LIMITS)).rejects.toMatchObject({
      code: 'INGEST_SHUTTING_DOWN',
    });
    expect(() => createBodyDecoder(-1)).toThrow(/0\.\.64/);
    expect(() => createBodyDecoder(1.5)).toThrow(/0\.\.64/);
  });
});
