/**
 * The batch wire format: schema/batch.proto (the contract other languages
 * generate decoders from), its encoder and decoder over columnar EventBlocks,
 * and the body codecs.
 */
export * from './types.js';
export { WireError, WIRE_ERROR_HTTP_STATUS, type WireErrorCode } from './errors.js';
export { encodeBatch } from './encode.js';
export { decodeBatch } from './decode.js';
export { scanBatch } from './scan.js';
export {
  ANY_COMPRESSION_LEVEL,
  availableCodecs,
  codecFromContentEncoding,
  compress,
  compressionLevelProblem,
  decompress,
  CODEC_LEVELS,
  type Codec,
} from './codecs.js';
export { encodeNaiveJson } from './naive.js';
