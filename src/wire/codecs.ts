/**
 * Body compression, named by HTTP Content-Encoding tokens. node:zlib does the
 * work; this file adds what an ingest service facing the internet needs:
 *
 * - Bomb safety: decompress() passes maxOutputLength to zlib, which inflates in
 *   16 KiB chunks and stops as soon as the total passes the limit, so a 1 GiB
 *   bomb costs at most maxOutputBytes of memory, never its full output.
 * - Strictness: truncated streams, bad checksums and bytes after the end of
 *   the compressed stream (which brotli and deflate would otherwise ignore, a
 *   place to smuggle data) are all WIRE_CORRUPT.
 * - zstd only where the runtime has it (node:zlib gained zstd in Node 22.15 /
 *   23.8; fleetsim's floor is Node 20), found by feature detection. Its
 *   one-shot inflate does not report a cut-off stream, so the frame is walked
 *   first (zstd-frame.ts).
 */
import { constants as bufferConstants } from 'node:buffer';
import zlib from 'node:zlib';
import { describeRange, inRange, type NumberRange } from '../ranges.js';
import { WireError } from './errors.js';
import { checkZstdFrame } from './zstd-frame.js';

export type Codec = 'identity' | 'gzip' | 'br' | 'zstd';

/** The subset of node:zlib's zstd API fleetsim uses; absent from @types/node 20. */
interface ZstdZlib {
  zstdCompressSync?: (data: Uint8Array, options: object) => Buffer;
  zstdDecompressSync?: (data: Uint8Array, options: object) => unknown;
  constants: { ZSTD_c_compressionLevel?: number };
}
const zstd = zlib as unknown as ZstdZlib;
const HAS_ZSTD =
  typeof zstd.zstdCompressSync === 'function' &&
  typeof zstd.zstdDecompressSync === 'function' &&
  typeof zstd.constants.ZSTD_c_compressionLevel === 'number';

const AVAILABLE: readonly Codec[] = Object.freeze(HAS_ZSTD ? ['identity', 'gzip', 'br', 'zstd'] : ['identity', 'gzip', 'br']);

export function availableCodecs(): readonly Codec[] {
  return AVAILABLE;
}

/** Compression levels each codec takes, and the default when none is given. */
export const CODEC_LEVELS: Readonly<Record<Exclude<Codec, 'identity'>, { min: number; max: number; default: number }>> = {
  // zlib's own default: the usual speed/size trade-off, and what every HTTP stack sends.
  gzip: { min: 0, max: 9, default: 6 },
  // Measured on 1-minute behaviour-model batches: quality 5 is 9% larger than
  // 11 at 1/55 of its CPU, and smaller and faster than gzip 6 (a laptop pays
  // for compression CPU in battery).
  br: { min: 0, max: 11, default: 5 },
  // zstd's own default level.
  zstd: { min: 1, max: 22, default: 3 },
};

/** Every level some codec takes (the scenario schema's first check; compressionLevelProblem says which codec takes which). */
export const ANY_COMPRESSION_LEVEL: NumberRange = {
  min: Math.min(...Object.values(CODEC_LEVELS).map((r) => r.min)),
  max: Math.max(...Object.values(CODEC_LEVELS).map((r) => r.max)),
  whole: true,
};

/**
 * Whether an agent's codec takes its level (undefined: the codec's default),
 * as "must …" for the level's field, or null when it does. One rule for the
 * scenario and the agent's settings file.
 */
export function compressionLevelProblem(codec: Codec, level: number | undefined): string | null {
  if (level === undefined) return null;
  if (codec === 'identity') return 'must be left out with codec identity (no compression)';
  const r = CODEC_LEVELS[codec];
  return inRange(level, { ...r, whole: true }) ? null : `must be ${describeRange({ ...r, whole: true })} for codec ${codec}`;
}

function unsupported(message: string, codec: string): WireError {
  return new WireError('WIRE_UNSUPPORTED', message, codec);
}

function checkCodec(codec: Codec): void {
  if (!AVAILABLE.includes(codec)) {
    throw unsupported(
      codec === 'zstd'
        ? `zstd is not available in Node ${process.versions.node} (node:zlib has it from 22.15 / 23.8); available: ${AVAILABLE.join(', ')}`
        : `unknown codec ${JSON.stringify(codec)}; available: ${AVAILABLE.join(', ')}`,
      String(codec),
    );
  }
}

/**
 * The codec for a Content-Encoding header value (missing or empty: identity).
 * Stacked encodings ("gzip, br") are refused: one agent, one codec.
 */
export function codecFromContentEncoding(header: string | undefined): Codec {
  const token = (header ?? '').trim().toLowerCase();
  if (token === '' || token === 'identity') return 'identity';
  const codec: Codec | undefined =
    token === 'gzip' || token === 'x-gzip' ? 'gzip' : token === 'br' ? 'br' : token === 'zstd' ? 'zstd' : undefined;
  if (codec === undefined)
    throw unsupported(
      `Content-Encoding ${JSON.stringify(header)} is not supported; use one of ${AVAILABLE.join(', ')}`,
      'content-encoding',
    );
  checkCodec(codec);
  return codec;
}

export function compress(codec: Codec, data: Uint8Array, level?: number): Uint8Array {
  checkCodec(codec);
  if (codec === 'identity') return data;
  const range = CODEC_LEVELS[codec];
  const lvl = level ?? range.default;
  if (!Number.isInteger(lvl) || lvl < range.min || lvl > range.max) {
    throw unsupported(`${codec} level ${lvl} is not supported; use ${range.min}..${range.max}`, codec);
  }
  switch (codec) {
    case 'gzip':
      return zlib.gzipSync(data, { level: lvl });
    case 'br':
      return zlib.brotliCompressSync(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: lvl,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          [zlib.constants.BROTLI_PARAM_LGWIN]: brotliWindowBits(data.length),
        },
      });
    case 'zstd':
      return (zstd.zstdCompressSync as NonNullable<ZstdZlib['zstdCompressSync']>)(data, {
        params: { [zstd.constants.ZSTD_c_compressionLevel as number]: lvl },
      });
  }
}

/**
 * The smallest brotli window that holds the whole input (RFC 7932: a window of
 * 2^bits − 16 bytes, bits 10..24), never more than brotli's default of 22.
 * The size hint alone does not shrink the window: at qualities 5–9 the
 * encoder then sets up hash tables for 4 MiB, which on a 4 KB batch costs
 * 15x the compression itself at quality 9 and 10 % at quality 5 (bench:agent,
 * "brotli settings"). Output bytes are the same (a window larger than the
 * input finds no more matches); quality 10–11 cost the same either way. A
 * smaller window also lets the receiver's decoder allocate less.
 */
export function brotliWindowBits(inputBytes: number): number {
  let bits = BROTLI_MIN_WINDOW_BITS;
  while (bits < BROTLI_DEFAULT_WINDOW_BITS && 2 ** bits - 16 < inputBytes) bits++;
  return bits;
}
const BROTLI_MIN_WINDOW_BITS = 10;
const BROTLI_DEFAULT_WINDOW_BITS = 22;

type SyncInflate = (data: Uint8Array, options: object) => unknown;

function inflater(codec: Exclude<Codec, 'identity'>): SyncInflate {
  switch (codec) {
    case 'gzip':
      return zlib.gunzipSync as SyncInflate;
    case 'br':
      return zlib.brotliDecompressSync as SyncInflate;
    case 'zstd':
      return zstd.zstdDecompressSync as SyncInflate;
  }
}

/**
 * Inflates at most opts.maxOutputBytes; more is WIRE_TOO_LARGE, found while
 * inflating (memory stays near the limit whatever the bomb's size).
 */
export function decompress(codec: Codec, data: Uint8Array, opts: { maxOutputBytes: number }): Uint8Array {
  checkCodec(codec);
  const max = opts.maxOutputBytes;
  if (!Number.isSafeInteger(max) || max < 0) throw unsupported(`maxOutputBytes must be an integer >= 0, got ${max}`, codec);
  if (codec === 'identity') {
    if (data.length > max) throw tooLarge(codec, max);
    return data;
  }
  if (codec === 'zstd') checkZstdFrame(data);
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // zlib refuses a limit of 0, and kMaxLength is its ceiling; the exact limit is checked below.
    const zlibMax = Math.min(Math.max(max, 1), bufferConstants.MAX_LENGTH);
    // info: true returns the engine, whose bytesWritten says how much input the stream used.
    result = inflater(codec)(data, { maxOutputLength: zlibMax, info: true }) as typeof result;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(codec, max, e);
    const detail = e instanceof Error ? e.message : String(e);
    const truncated = code === 'Z_BUF_ERROR' || /unexpected end/i.test(detail);
    throw new WireError(
      'WIRE_CORRUPT',
      truncated ? `${codec} stream is truncated (${detail})` : `${codec} stream is corrupt (${detail})`,
      codec,
      { cause: e },
    );
  }
  if (result.buffer.length > max) throw tooLarge(codec, max);
  const consumed = result.engine.bytesWritten;
  if (consumed !== data.length) {
    throw new WireError('WIRE_CORRUPT', `${data.length - consumed} bytes follow the end of the ${codec} stream`, codec);
  }
  return new Uint8Array(result.buffer.buffer, result.buffer.byteOffset, result.buffer.length);
}

function tooLarge(codec: Codec, max: number, cause?: unknown): WireError {
  return new WireError(
    'WIRE_TOO_LARGE',
    `${codec} body inflates past the limit of ${max} bytes`,
    codec,
    cause === undefined ? undefined : { cause },
  );
}
