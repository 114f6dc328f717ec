/**
 * Batch rules shared by the encoder (which refuses to write a batch the
 * decoder would refuse) and the decoder (which trusts nothing it reads).
 * Per-event column rules live in the loops of encode.ts and decode.ts, where
 * they cost one comparison each.
 */
import { WireError } from './errors.js';
import { BATCH_ID_BYTES, type BatchHeader, type ControlRecord, type DecodeLimits } from './types.js';

export function invalid(field: string, message: string): WireError {
  return new WireError('WIRE_INVALID', message, field);
}

function checkEpochMs(field: string, ms: number, limits: DecodeLimits): void {
  if (!Number.isSafeInteger(ms)) throw invalid(field, `${field} must be an integer number of ms, got ${ms}`);
  if (ms < limits.minEpochMs || ms > limits.maxEpochMs) {
    throw invalid(
      field,
      `${field} ${ms} (${isoOrRaw(ms)}) is outside the sane range ${isoOrRaw(limits.minEpochMs)} .. ${isoOrRaw(limits.maxEpochMs)}`,
    );
  }
}

export function isoOrRaw(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** Header rules; string byte lengths are passed in because the caller already has the UTF-8. */
export function checkHeader(h: BatchHeader, deviceIdBytes: number, agentVersionBytes: number, limits: DecodeLimits): void {
  if (h.batchId.length !== BATCH_ID_BYTES) {
    throw invalid('batch_id', `batch_id must be ${BATCH_ID_BYTES} bytes, got ${h.batchId.length}`);
  }
  if (deviceIdBytes === 0) throw invalid('device_id', 'device_id is missing');
  if (deviceIdBytes > limits.maxDeviceIdBytes) {
    throw new WireError('WIRE_TOO_LARGE', `device_id is ${deviceIdBytes} bytes, the limit is ${limits.maxDeviceIdBytes}`, 'device_id');
  }
  if (agentVersionBytes === 0) throw invalid('agent_version', 'agent_version is missing');
  if (agentVersionBytes > limits.maxAgentVersionBytes) {
    throw new WireError(
      'WIRE_TOO_LARGE',
      `agent_version is ${agentVersionBytes} bytes, the limit is ${limits.maxAgentVersionBytes}`,
      'agent_version',
    );
  }
  if (!Number.isSafeInteger(h.sequence) || h.sequence < 0) {
    throw invalid('sequence', `sequence must be an integer >= 0 below 2^53, got ${h.sequence}`);
  }
  checkEpochMs('window_start_ms', h.windowStartMs, limits);
  checkEpochMs('window_end_ms', h.windowEndMs, limits);
  if (h.windowEndMs < h.windowStartMs) {
    throw invalid('window_end_ms', `capture window ends (${h.windowEndMs}) before it starts (${h.windowStartMs})`);
  }
  if (h.windowEndMs - h.windowStartMs > limits.maxWindowMs) {
    throw invalid('window_end_ms', `capture window spans ${h.windowEndMs - h.windowStartMs} ms, the limit is ${limits.maxWindowMs} ms`);
  }
}

export function checkControls(controls: readonly ControlRecord[], h: BatchHeader, limits: DecodeLimits): void {
  if (controls.length > limits.maxControls) {
    throw new WireError('WIRE_TOO_LARGE', `${controls.length} controls, the limit is ${limits.maxControls}`, 'controls');
  }
  let previousMs = -Infinity;
  for (let i = 0; i < controls.length; i++) {
    const c = controls[i] as ControlRecord;
    if (!Number.isSafeInteger(c.atMs)) throw invalid('controls', `control ${i} (${c.kind}) at_ms must be an integer, got ${c.atMs}`);
    if (c.atMs < h.windowStartMs || c.atMs > h.windowEndMs) {
      throw invalid(
        'controls',
        `control ${i} (${c.kind}) at ${isoOrRaw(c.atMs)} is outside the capture window ${isoOrRaw(h.windowStartMs)} .. ${isoOrRaw(h.windowEndMs)}`,
      );
    }
    if (c.atMs < previousMs)
      throw invalid('controls', `control ${i} (${c.kind}) at ${c.atMs} is earlier than control ${i - 1} at ${previousMs}`);
    previousMs = c.atMs;
    if (c.untilMs !== undefined) {
      if (c.kind !== 'pause' && c.kind !== 'exempt') {
        throw invalid('controls', `control ${i} (${c.kind}) has until_ms; only pause and exempt carry one`);
      }
      checkEpochMs('until_ms', c.untilMs, limits);
      if (c.untilMs < c.atMs)
        throw invalid('controls', `control ${i} (${c.kind}) ends (until_ms ${c.untilMs}) before it starts (at_ms ${c.atMs})`);
    }
  }
}
