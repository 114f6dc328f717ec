/**
 * Structural check of a zstd body before it is inflated (RFC 8878 §3.1.1).
 *
 * Why: node:zlib's one-shot zstdDecompressSync (Node 22.23) returns whatever it
 * inflated when the input stops early, without an error, and stops after the
 * first frame. So truncation and extra frames are found here instead, by
 * walking the frame's block headers: O(blocks), no inflating.
 *
 * A batch body is exactly one zstd frame: no skippable frames, nothing after it.
 */
import { WireError } from './errors.js';

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

function corrupt(message: string): WireError {
  return new WireError('WIRE_CORRUPT', `zstd stream is ${message}`, 'zstd');
}

export function checkZstdFrame(data: Uint8Array): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = data.length;
  if (end < 4) throw corrupt(`truncated (${end} bytes, shorter than a frame's magic number)`);
  const magic = view.getUint32(0, true);
  if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) throw corrupt('a skippable frame, not a batch');
  if (magic !== ZSTD_MAGIC) throw corrupt(`corrupt (bad magic number 0x${magic.toString(16)})`);
  let pos = 4;
  if (pos >= end) throw corrupt('truncated (inside the frame header)');
  const descriptor = data[pos++] as number;
  const fcsFlag = descriptor >>> 6;
  const singleSegment = (descriptor >>> 5) & 1;
  if ((descriptor >>> 3) & 1) throw corrupt('corrupt (reserved frame header bit set)');
  const hasChecksum = (descriptor >>> 2) & 1;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const fcsBytes = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] as number);
  pos += (singleSegment ? 0 : 1) + dictIdBytes + fcsBytes;
  for (;;) {
    if (pos + 3 > end) throw corrupt('truncated (inside a block header)');
    const header = (data[pos] as number) | ((data[pos + 1] as number) << 8) | ((data[pos + 2] as number) << 16);
    pos += 3;
    const last = header & 1;
    const type = (header >>> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw corrupt('corrupt (reserved block type)');
    // An RLE block stores its one byte however many it stands for.
    pos += type === 1 ? 1 : size;
    if (pos > end) throw corrupt('truncated (inside a block)');
    if (last) break;
  }
  if (hasChecksum) pos += 4;
  if (pos > end) throw corrupt('truncated (inside the content checksum)');
  if (pos < end) throw corrupt(`followed by ${end - pos} bytes after its frame`);
}
