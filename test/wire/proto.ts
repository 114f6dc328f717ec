/**
 * batch.proto read by protobufjs at test time: an implementation independent
 * of fleetsim's hand-written codec, as another team would use it.
 */
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import protobuf from 'protobufjs';

export const PROTO_PATH = fileURLToPath(new URL('../../src/wire/schema/batch.proto', import.meta.url));
export const protoRoot = protobuf.loadSync(PROTO_PATH);
export const BatchType = protoRoot.lookupType('fleetsim.wire.v1.Batch');
export const ControlType = protoRoot.lookupType('fleetsim.wire.v1.Control');

export interface ControlObject {
  kind: number;
  atMs: number;
  untilMs?: number;
}

/** A Batch as protobufjs presents it (camelCase names, int64 as numbers). */
export interface BatchObject {
  batchId: Uint8Array;
  deviceId: string;
  sequence: number;
  windowStartMs: number;
  windowEndMs: number;
  agentVersion: string;
  eventCount: number;
  controls: ControlObject[];
  format: number;
  tDeltaMs: number[];
  eventType: number[];
  key: number[];
  xDeltaPx: number[];
  yDeltaPx: number[];
  button: number[];
  wheelDelta: number[];
  contextRunValue: number[];
  contextRunLength: number[];
  flagsRunValue: number[];
  flagsRunLength: number[];
  tStepMs: number[];
  keyUp: number[];
  crc32: number;
}

export function pbDecode(bytes: Uint8Array): BatchObject {
  return BatchType.toObject(BatchType.decode(bytes), { longs: Number, defaults: true, arrays: true }) as BatchObject;
}

/**
 * The crc32 trailer as the .proto tells another language to write it: CRC-32
 * of the serialized message, appended as field 31 (fixed32).
 */
export function seal(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 6);
  out.set(body);
  out.set([0xfd, 0x01], body.length);
  new DataView(out.buffer).setUint32(body.length + 2, crc32(body), true);
  return out;
}

/** Encodes any object protobufjs accepts (int64 fields may be decimal strings, to go past 2^53), then seals it. */
export function pbEncode(obj: Partial<Record<keyof BatchObject, unknown>>): Uint8Array {
  const { crc32: _ignored, ...rest } = obj;
  return seal(BatchType.encode(BatchType.fromObject(rest)).finish());
}
