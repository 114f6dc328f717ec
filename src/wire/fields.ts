/**
 * Field numbers and names of schema/batch.proto, the one place the TypeScript
 * code names them. Keep in step with the .proto (the conformance test checks
 * every number against protobufjs' reading of the file).
 */
import { EventType } from '../events/index.js';
import type { ControlKind } from './types.js';

export const BatchField = {
  batch_id: 1,
  device_id: 2,
  sequence: 3,
  window_start_ms: 4,
  window_end_ms: 5,
  agent_version: 6,
  event_count: 7,
  controls: 8,
  format: 9,
  t_delta_ms: 10,
  event_type: 11,
  key: 12,
  x_delta_px: 13,
  y_delta_px: 14,
  button: 15,
  wheel_delta: 16,
  context_run_value: 17,
  context_run_length: 18,
  flags_run_value: 19,
  flags_run_length: 20,
  t_step_ms: 21,
  key_up: 22,
  crc32: 31,
} as const;
export type BatchFieldName = keyof typeof BatchField;

/** Field name by number (for error messages); undefined for unknown fields. */
export const BATCH_FIELD_NAME: readonly (BatchFieldName | undefined)[] = (() => {
  const names: (BatchFieldName | undefined)[] = [];
  for (const [name, no] of Object.entries(BatchField)) names[no] = name as BatchFieldName;
  return names;
})();

export const ControlField = { kind: 1, at_ms: 2, until_ms: 3 } as const;

/** ControlKind enum values of the .proto (0 is UNSPECIFIED, never valid). */
export const CONTROL_KIND_CODE: Readonly<Record<ControlKind, number>> = {
  pause: 1,
  resume: 2,
  auto_resume: 3,
  exempt: 4,
};
export const CONTROL_KIND_BY_CODE: readonly (ControlKind | undefined)[] = [undefined, 'pause', 'resume', 'auto_resume', 'exempt'];

/**
 * The wire format versions this code reads, and the one it writes unless told
 * (schema/batch.proto, "Formats"). A batch without a `format` field is format 1:
 * what every agent wrote before format 2 existed.
 */
export type WireFormat = 1 | 2;
export const WIRE_FORMATS: readonly WireFormat[] = [1, 2];
export const CURRENT_WIRE_FORMAT: WireFormat = 2;

/** One past the highest EventType code; the wire carries codes below it only. */
export const EVENT_TYPE_COUNT = 6;

/**
 * Which sparse columns an event type has a value in, by type code. Lookup
 * tables rather than comparisons so the decode loop has one load per column.
 */
export const HAS_KEY = new Uint8Array(EVENT_TYPE_COUNT);
export const HAS_POINTER = new Uint8Array(EVENT_TYPE_COUNT);
export const HAS_BUTTON = new Uint8Array(EVENT_TYPE_COUNT);
export const HAS_WHEEL = new Uint8Array(EVENT_TYPE_COUNT);
HAS_KEY[EventType.keydown] = 1;
HAS_KEY[EventType.keyup] = 1;
HAS_POINTER[EventType.mousemove] = 1;
HAS_POINTER[EventType.mousedown] = 1;
HAS_POINTER[EventType.mouseup] = 1;
HAS_POINTER[EventType.wheel] = 1;
HAS_BUTTON[EventType.mousedown] = 1;
HAS_BUTTON[EventType.mouseup] = 1;
HAS_WHEEL[EventType.wheel] = 1;
