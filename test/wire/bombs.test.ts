/**
 * Decompression bombs: ~1 MB (gzip) or ~2 KB (brotli) bodies that inflate to
 * 1 GiB of zeros. decompress() must refuse them with WIRE_TOO_LARGE after
 * inflating no more than its limit: the peak RSS of this process (its own file,
 * so its own process under vitest's forks pool) must not grow by anywhere near
 * the bomb's size. The last test shows the probe would see it if it did.
 */
import { Readable, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { availableCodecs, decompress, type Codec } from '../../src/wire/index.js';
import { catchWireError } from './assert.js';

const MiB = 1 << 20;
const GiB = 1024 * MiB;
const LIMIT_BYTES = 16 * MiB;

/** 1 GiB of zeros through a compressing stream, 1 MiB at a time: the bomb is built without ever holding its output. */
async function streamBomb(compressor: Duplex): Promise<Uint8Array> {
  const zeros = Buffer.alloc(MiB);
  const chunks: Buffer[] = [];
  compressor.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    compressor.on('end', resolve);
    compressor.on('error', reject);
  });
  Readable.from(
    (function* () {
      for (let i = 0; i < GiB / MiB; i++) yield zeros;
    })(),
  ).pipe(compressor);
  await done;
  return Buffer.concat(chunks);
}

/** gzip allows concatenated members (RFC 1952 §2.2); 1024 members of 1 MiB of zeros make a 1 GiB stream quickly. */
function gzipBomb(): Uint8Array {
  const member = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: GiB / MiB }, () => member));
}

function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function refuseAndMeasure(codec: Codec, bomb: Uint8Array): { peakGrowthBytes: number; heapGrowthBytes: number } {
  const peakBefore = peakRssBytes();
  const heapBefore = process.memoryUsage().heapUsed;
  const e = catchWireError(() => decompress(codec, bomb, { maxOutputBytes: LIMIT_BYTES }));
  expect(e.code).toBe('WIRE_TOO_LARGE');
  expect(e.message).toMatch(new RegExp(`${codec} body inflates past the limit of ${LIMIT_BYTES} bytes`));
  const m = { peakGrowthBytes: peakRssBytes() - peakBefore, heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore };
  console.log(`${codec} bomb: peak RSS +${(m.peakGrowthBytes / MiB).toFixed(1)} MiB, heap +${(m.heapGrowthBytes / MiB).toFixed(1)} MiB`);
  return m;
}

describe('decompression bombs are refused without inflating them', () => {
  it('refuses a gzip bomb (1 GiB of zeros) with WIRE_TOO_LARGE, peak RSS growing far less than the bomb', () => {
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(2 * MiB);
    const m = refuseAndMeasure('gzip', bomb);
    expect(m.peakGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
    expect(m.heapGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
  });

  it('refuses a brotli bomb (1 GiB of zeros) with WIRE_TOO_LARGE, peak RSS growing far less than the bomb', async () => {
    const bomb = await streamBomb(zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const m = refuseAndMeasure('br', bomb);
    expect(m.peakGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
    expect(m.heapGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
  });

  it.skipIf(!availableCodecs().includes('zstd'))(
    'refuses a zstd bomb (1 GiB of zeros) with WIRE_TOO_LARGE, peak RSS growing far less than the bomb',
    async () => {
      const createZstdCompress = (zlib as unknown as { createZstdCompress: () => Duplex }).createZstdCompress;
      const bomb = await streamBomb(createZstdCompress());
      expect(bomb.length).toBeLessThan(2 * MiB);
      const m = refuseAndMeasure('zstd', bomb);
      expect(m.peakGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
      expect(m.heapGrowthBytes).toBeLessThan(6 * LIMIT_BYTES);
    },
  );

  it('(control) the peak-RSS probe does see a 256 MiB inflate, so the bounds above can fail', () => {
    const peakBefore = peakRssBytes();
    const e = catchWireError(() => decompress('gzip', gzipBomb(), { maxOutputBytes: 256 * MiB }));
    expect(e.code).toBe('WIRE_TOO_LARGE');
    const growth = peakRssBytes() - peakBefore;
    console.log(`control: peak RSS +${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeGreaterThan(6 * LIMIT_BYTES);
  });
});
