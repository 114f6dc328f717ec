/**
 * The crc32 trailer (field 31 of batch.proto): the last 6 bytes of every
 * batch are its tag (0xFD 0x01: field 31, wire type fixed32) and the CRC-32
 * (IEEE, the one gzip uses) of every byte before them, little-endian.
 *
 * Why: a batch cut at a field boundary is itself a valid protobuf message (cut
 * after the header, it reads as an empty batch, and the idempotent store
 * would then keep the empty copy and drop the full retry), and brotli and
 * identity bodies carry no checksum of their own, so a flipped bit would be
 * stored as a wrong event. Every language has CRC-32 in its standard library
 * (Go hash/crc32, Python zlib.crc32, Java java.util.zip.CRC32).
 */
import { crc32 } from 'node:zlib';
import { WireError } from './errors.js';
import { BatchField } from './fields.js';

/** (31 << 3) | 5 as a varint. */
const TAG_BYTE_0 = ((BatchField.crc32 << 3) | 5 | 0x80) & 0xff;
const TAG_BYTE_1 = ((BatchField.crc32 << 3) | 5) >>> 7;
export const CRC_TRAILER_BYTES = 6;

/** body + trailer, in one new buffer. */
export function appendCrcTrailer(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + CRC_TRAILER_BYTES);
  out.set(body, 0);
  const at = body.length;
  out[at] = TAG_BYTE_0;
  out[at + 1] = TAG_BYTE_1;
  new DataView(out.buffer, out.byteOffset + at + 2, 4).setUint32(0, crc32(body), true);
  return out;
}

/** The message without its trailer, after checking the trailer is there and matches. */
export function checkCrcTrailer(bytes: Uint8Array): Uint8Array {
  const at = bytes.length - CRC_TRAILER_BYTES;
  if (at < 0 || bytes[at] !== TAG_BYTE_0 || bytes[at + 1] !== TAG_BYTE_1) {
    throw new WireError('WIRE_TRUNCATED', 'batch does not end with its crc32 field (31): it was cut off, or written without it', 'crc32');
  }
  const body = bytes.subarray(0, at);
  const expected = new DataView(bytes.buffer, bytes.byteOffset + at + 2, 4).getUint32(0, true);
  const actual = crc32(body);
  if (actual !== expected) {
    throw new WireError(
      'WIRE_CORRUPT',
      `batch crc32 is 0x${actual.toString(16).padStart(8, '0')}, the batch says 0x${expected.toString(16).padStart(8, '0')}: the bytes were damaged`,
      'crc32',
    );
  }
  return body;
}
