/**
 * The zstd frame walker runs before zstd inflates (node:zlib's one-shot zstd
 * does not report a cut-off stream). Frames are built by hand from RFC 8878
 * §3.1.1 so these tests run on Node 20 too, where node:zlib has no zstd.
 */
import { describe, expect, it } from 'vitest';
import { availableCodecs, decompress } from '../../src/wire/index.js';
import { checkZstdFrame } from '../../src/wire/zstd-frame.js';
import { catchWireError } from './assert.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Block header: Last_Block bit, Block_Type (0 raw, 1 RLE, 2 compressed, 3 reserved), Block_Size. */
const block = (last: boolean, type: number, size: number) => {
  const h = (last ? 1 : 0) | (type << 1) | (size << 3);
  return [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff];
};
const hello = [...'hello'].map((c) => c.charCodeAt(0));
/** Single segment, 1-byte content size, no checksum: "hello" as a raw block. */
const rawFrame = Uint8Array.from([...MAGIC, 0x20, 5, ...block(true, 0, 5), ...hello]);
/** "hello" as raw "he", RLE "l" x 2, raw "o" (last block), with a content checksum. */
const multiBlockFrame = Uint8Array.from([
  ...MAGIC,
  0x24,
  5,
  ...block(false, 0, 2),
  0x68,
  0x65,
  ...block(false, 1, 2),
  0x6c,
  ...block(true, 0, 1),
  0x6f,
  // XXH64 low 32 bits of "hello"; the walker only checks the 4 bytes are there.
  0x00,
  0x00,
  0x00,
  0x00,
]);

describe('zstd frame walker', () => {
  it('accepts whole frames: raw, RLE and multi-block with a checksum', () => {
    expect(() => checkZstdFrame(rawFrame)).not.toThrow();
    expect(() => checkZstdFrame(multiBlockFrame)).not.toThrow();
  });

  it('refuses every proper prefix as truncated', () => {
    for (const frame of [rawFrame, multiBlockFrame]) {
      for (let cut = 0; cut < frame.length; cut++) {
        const e = catchWireError(() => checkZstdFrame(frame.subarray(0, cut)));
        expect(e.code).toBe('WIRE_CORRUPT');
        expect(e.message).toMatch(/zstd stream is truncated/);
      }
    }
  });

  it('refuses bytes after the frame, a second frame included', () => {
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([...rawFrame, 0]))).message).toMatch(/followed by 1 bytes/);
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([...rawFrame, ...rawFrame]))).message).toMatch(
      new RegExp(`followed by ${rawFrame.length} bytes`),
    );
  });

  it('refuses skippable frames, bad magic, reserved bits and block types', () => {
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]))).message).toMatch(/skippable/);
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0]))).message).toMatch(/bad magic/);
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([...MAGIC, 0x28, 5, ...block(true, 0, 5), ...hello]))).message).toMatch(
      /reserved frame header bit/,
    );
    expect(catchWireError(() => checkZstdFrame(Uint8Array.from([...MAGIC, 0x20, 5, ...block(true, 3, 5), ...hello]))).message).toMatch(
      /reserved block type/,
    );
  });

  it.skipIf(!availableCodecs().includes('zstd'))('agrees with node:zlib: the hand-built frame inflates to "hello"', () => {
    expect(new TextDecoder().decode(decompress('zstd', rawFrame, { maxOutputBytes: 100 }))).toBe('hello');
  });
});
