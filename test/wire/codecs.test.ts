import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODEC_LEVELS,
  WireError,
  availableCodecs,
  codecFromContentEncoding,
  compress,
  decodeBatch,
  decompress,
  encodeBatch,
  type Codec,
} from '../../src/wire/index.js';
import { atWireResolution, batchOf, columnsOf, realisticBlock } from './fixtures.js';
import { catchWireError } from './assert.js';
import { brotliWindowBits } from '../../src/wire/codecs.js';

const compressing = availableCodecs().filter((c): c is Exclude<Codec, 'identity'> => c !== 'identity');
const LIMIT = { maxOutputBytes: 1 << 24 };

describe('codec availability', () => {
  it('offers identity, gzip and br everywhere, and zstd exactly when node:zlib has it', () => {
    const hasZstd = typeof (zlib as unknown as { zstdDecompressSync?: unknown }).zstdDecompressSync === 'function';
    expect(availableCodecs()).toEqual(hasZstd ? ['identity', 'gzip', 'br', 'zstd'] : ['identity', 'gzip', 'br']);
  });

  it.skipIf(availableCodecs().includes('zstd'))('refuses zstd with WIRE_UNSUPPORTED where the runtime lacks it', () => {
    for (const f of [
      () => compress('zstd', new Uint8Array(1)),
      () => decompress('zstd', new Uint8Array(1), LIMIT),
      () => codecFromContentEncoding('zstd'),
    ]) {
      const e = catchWireError(f);
      expect(e.code).toBe('WIRE_UNSUPPORTED');
      expect(e.message).toMatch(/zstd is not available in Node/);
    }
  });

  it('maps Content-Encoding headers to codecs, and refuses the rest', () => {
    expect(codecFromContentEncoding(undefined)).toBe('identity');
    expect(codecFromContentEncoding('')).toBe('identity');
    expect(codecFromContentEncoding(' GZIP ')).toBe('gzip');
    expect(codecFromContentEncoding('x-gzip')).toBe('gzip');
    expect(codecFromContentEncoding('br')).toBe('br');
    for (const bad of ['deflate', 'gzip, br', 'compress']) {
      const e = catchWireError(() => codecFromContentEncoding(bad));
      expect(e.code).toBe('WIRE_UNSUPPORTED');
      expect(e.httpStatus).toBe(415);
    }
  });

  it('refuses levels a codec does not have', () => {
    expect(catchWireError(() => compress('br', new Uint8Array(1), 12)).message).toMatch(/br level 12 is not supported; use 0..11/);
    expect(catchWireError(() => compress('gzip', new Uint8Array(1), 1.5)).code).toBe('WIRE_UNSUPPORTED');
  });
});

describe.each(availableCodecs())('%s', (codec) => {
  it('round-trips arbitrary bytes, empty included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (data) => {
        expect(Buffer.from(decompress(codec, compress(codec, data), LIMIT)).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips a realistic batch at its lowest, default and highest level', () => {
    const input = batchOf(realisticBlock(5000, 11));
    const bytes = encodeBatch(input);
    const levels = codec === 'identity' ? [undefined] : [CODEC_LEVELS[codec].min, undefined, CODEC_LEVELS[codec].max];
    for (const level of levels) {
      const out = decodeBatch(decompress(codec, compress(codec, bytes, level), LIMIT));
      expect(columnsOf(out.events)).toEqual(columnsOf(atWireResolution(input.events)));
    }
  });

  it('inflates exactly to maxOutputBytes, and refuses one byte more with WIRE_TOO_LARGE', () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    const packed = compress(codec, data);
    expect(decompress(codec, packed, { maxOutputBytes: data.length }).length).toBe(data.length);
    const e = catchWireError(() => decompress(codec, packed, { maxOutputBytes: data.length - 1 }));
    expect(e.code).toBe('WIRE_TOO_LARGE');
    expect(e.httpStatus).toBe(413);
    expect(catchWireError(() => decompress(codec, packed, { maxOutputBytes: 0 })).code).toBe('WIRE_TOO_LARGE');
  });
});

describe.each(compressing)('%s refuses damaged streams', (codec) => {
  const body = encodeBatch(batchOf(realisticBlock(2000, 5)));
  const packed = compress(codec, body);

  it('refuses every truncation with WIRE_CORRUPT', () => {
    for (let cut = 0; cut < packed.length; cut += Math.max(1, Math.floor(packed.length / 300))) {
      const e = catchWireError(() => decompress(codec, packed.subarray(0, cut), LIMIT));
      expect(e.code).toBe('WIRE_CORRUPT');
    }
    expect(catchWireError(() => decompress(codec, packed.subarray(0, packed.length - 1), LIMIT)).message).toMatch(/truncated|corrupt/);
  });

  it('refuses bytes after the end of the stream', () => {
    const e = catchWireError(() => decompress(codec, new Uint8Array([...packed, 1, 2, 3]), LIMIT));
    expect(e.code).toBe('WIRE_CORRUPT');
  });

  it('refuses garbage', () => {
    expect(catchWireError(() => decompress(codec, new TextEncoder().encode('{"events": []}'), LIMIT)).code).toBe('WIRE_CORRUPT');
  });

  it('turns bit flips into a WireError (from the codec or the batch crc32), never another exception or a wrong batch', () => {
    fc.assert(
      fc.property(fc.nat({ max: packed.length * 8 - 1 }), (bit) => {
        const damaged = packed.slice();
        damaged[bit >> 3]! ^= 1 << (bit & 7);
        try {
          const out = decodeBatch(decompress(codec, damaged, LIMIT));
          // Possible only where the flip hit bytes no check covers (gzip's header time stamp): the batch must be intact.
          expect(
            Buffer.from(encodeBatch({ header: out.header, controls: out.controls, events: out.events })).equals(Buffer.from(body)),
          ).toBe(true);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });
});

/** WBITS from a brotli stream header (RFC 7932 section 9.1; bits are read least significant first). */
function brotliWindowBitsOf(stream: Uint8Array): number {
  let bitPos = 0;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, bitPos++) v |= ((stream[bitPos >> 3]! >> (bitPos & 7)) & 1) << i;
    return v;
  };
  if (read(1) === 0) return 16;
  const n = read(3);
  if (n !== 0) return 17 + n;
  const m = read(3);
  if (m === 1) throw new Error('large-window brotli stream');
  return m === 0 ? 17 : 8 + m;
}

describe('brotli window', () => {
  it('is the smallest that holds the input (2^bits − 16 bytes), from 10 bits up to brotli’s default of 22', () => {
    expect(brotliWindowBits(0)).toBe(10);
    expect(brotliWindowBits(1008)).toBe(10);
    expect(brotliWindowBits(1009)).toBe(11);
    expect(brotliWindowBits(4096)).toBe(13);
    expect(brotliWindowBits(65_520)).toBe(16);
    expect(brotliWindowBits(65_521)).toBe(17);
    expect(brotliWindowBits(64 << 20)).toBe(22);
  });

  it('is what a compressed batch declares, and the batch still round-trips at every level', () => {
    const bytes = encodeBatch(batchOf(realisticBlock(3000, 5)));
    expect(brotliWindowBits(bytes.length)).toBeLessThan(18);
    for (let level = CODEC_LEVELS.br.min; level <= CODEC_LEVELS.br.max; level++) {
      const packed = compress('br', bytes, level);
      // Qualities 0 and 1 are brotli's one-pass modes, which always use a 2^18 window.
      expect(brotliWindowBitsOf(packed)).toBe(level <= 1 ? 18 : brotliWindowBits(bytes.length));
      expect(Buffer.from(decompress('br', packed, LIMIT)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('costs no bytes against brotli’s default window on a realistic batch (within 0.5 %)', () => {
    const bytes = encodeBatch(batchOf(realisticBlock(3000, 7)));
    for (const level of [5, 9, 10, 11]) {
      const wide = zlib.brotliCompressSync(bytes, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      });
      expect(brotliWindowBitsOf(wide)).toBe(22);
      expect(compress('br', bytes, level).length).toBeLessThanOrEqual(Math.ceil(wide.length * 1.005));
    }
  });
});
