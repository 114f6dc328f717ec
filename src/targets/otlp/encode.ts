/**
 * A fleetsim batch as an OpenTelemetry OTLP/HTTP logs export request
 * (ExportLogsServiceRequest), so load and run can drive a foreign ingestion
 * API (an OpenTelemetry Collector, or any backend speaking OTLP/HTTP) with
 * the same captured events the fleetsim wire format carries.
 *
 * Shape of the request (one ResourceLogs, one ScopeLogs):
 * - resource: `service.name` = fleetsim-agent, `service.version` = the agent
 *   version, `device.id`, and `user.id` = the employee when given;
 * - scope `fleetsim-agent`, attributes for the batch: `fleetsim.batch.id`
 *   (hex), `fleetsim.batch.sequence`, `fleetsim.batch.window_start_ms`,
 *   `fleetsim.batch.window_end_ms` (once per request, not once per event:
 *   repeating them on every record would double the request size);
 * - one LogRecord per control record, then one per event, in batch order.
 *   event_name says which: `fleetsim.control.<kind>` / `fleetsim.input.<type>`,
 *   and `fleetsim.event.type` repeats the bare kind/type as an attribute
 *   because several backends index attributes but drop event_name.
 *
 * Serialization is @opentelemetry/otlp-transformer's (the SDK exporters'
 * own serializers, spec-conformant protobuf and OTLP JSON); this module only
 * maps columns to ReadableLogRecord objects, kept small: attributes a column
 * does not carry for that event type are left out.
 */
import type { HrTime } from '@opentelemetry/api';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
// Not in the package index: the request object its JSON serializer stringifies (version pinned exactly).
import { JSON_ENCODER } from '@opentelemetry/otlp-transformer/build/src/common/utils.js';
import { createExportLogsServiceRequest } from '@opentelemetry/otlp-transformer/build/src/logs/internal.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { EventType, EVENT_TYPE_NAMES, INPUT_CONTEXT_NAMES, MOUSE_BUTTON_NAMES } from '../../events/index.js';
import type { BatchInput, ControlRecord } from '../../wire/types.js';

export const OTLP_LOGS_PATH = '/v1/logs';

export type OtlpEncoding = 'protobuf' | 'json';

/** The service name every request carries (resource `service.name`, scope name). */
export const OTLP_SERVICE_NAME = 'fleetsim-agent';

/** Attribute names, defined once: the test receiver and readers of a foreign store use these. */
export const OtlpAttr = {
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  deviceId: 'device.id',
  userId: 'user.id',
  batchId: 'fleetsim.batch.id',
  batchSequence: 'fleetsim.batch.sequence',
  windowStartMs: 'fleetsim.batch.window_start_ms',
  windowEndMs: 'fleetsim.batch.window_end_ms',
  /** keydown…wheel for input events, pause/resume/auto_resume/exempt for controls. */
  eventType: 'fleetsim.event.type',
  /** InputContext name of the focused field. */
  context: 'fleetsim.context',
  /** Key code (keydown/keyup); -1 is a redacted keystroke. */
  key: 'fleetsim.key',
  /** Signed scroll delta of a wheel event. */
  wheelDelta: 'fleetsim.wheel.delta',
  /** Pointer position in screen pixels (mouse and wheel events). */
  x: 'fleetsim.pointer.x',
  y: 'fleetsim.pointer.y',
  /** MouseButton name (mousedown/mouseup). */
  button: 'fleetsim.button',
  /** EventFlag bits, present only when non-zero. */
  flags: 'fleetsim.flags',
  /** Control records: the cap of a pause, the end of an exemption (UTC epoch ms). */
  untilMs: 'fleetsim.control.until_ms',
} as const;

export const OTLP_INPUT_EVENT_PREFIX = 'fleetsim.input.';
export const OTLP_CONTROL_EVENT_PREFIX = 'fleetsim.control.';

export function otlpContentType(e: OtlpEncoding): string {
  return e === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

export interface OtlpEncodeOptions {
  readonly encoding: OtlpEncoding;
  /** Who the device belongs to (resource `user.id`); absent when the caller does not know. */
  readonly employeeId?: string;
}

/** The request body for POST {@link OTLP_LOGS_PATH}, in the asked encoding. */
export function encodeOtlpLogs(batch: BatchInput, o: OtlpEncodeOptions): Uint8Array {
  const records = toLogRecords(batch, o.employeeId);
  if (o.encoding === 'protobuf') return ProtobufLogsSerializer.serializeRequest(records)!;
  return new TextEncoder().encode(
    JSON.stringify(createExportLogsServiceRequest(records, JSON_ENCODER)).replace(INT_VALUE_NUMBER, '"intValue":"$1"'),
  );
}

/**
 * The SDK's JSON serializer writes AnyValue.int_value as a JSON number; the
 * OTLP JSON encoding (proto3 JSON mapping) prints int64 as a decimal string,
 * and strict receivers expect that. Inside a JSON string a quote is escaped,
 * so this pattern only meets the real key.
 */
const INT_VALUE_NUMBER = /"intValue":(-?\d+)/g;

/** UTC epoch ms (fractional kept to the ns) as OpenTelemetry's [seconds, nanoseconds]. */
export function epochMsToHrTime(ms: number): HrTime {
  let s = Math.floor(ms / 1000);
  let ns = Math.round((ms - s * 1000) * 1e6);
  if (ns >= 1e9) {
    s += 1;
    ns -= 1e9;
  }
  return [s, ns];
}

const EVENT_NAMES = EVENT_TYPE_NAMES.map((t) => OTLP_INPUT_EVENT_PREFIX + t);

/** The batch as the SDK's log record objects, before serialization (exported so bench can split the cost). */
export function toLogRecords(batch: BatchInput, employeeId: string | undefined): ReadableLogRecord[] {
  const h = batch.header;
  const resource = resourceFromAttributes({
    [OtlpAttr.serviceName]: OTLP_SERVICE_NAME,
    [OtlpAttr.serviceVersion]: h.agentVersion,
    [OtlpAttr.deviceId]: h.deviceId,
    ...(employeeId !== undefined ? { [OtlpAttr.userId]: employeeId } : {}),
  });
  // One object for every record: the serializers group records by scope identity.
  const scope = {
    name: OTLP_SERVICE_NAME,
    version: h.agentVersion,
    attributes: {
      [OtlpAttr.batchId]: Buffer.from(h.batchId.buffer, h.batchId.byteOffset, h.batchId.byteLength).toString('hex'),
      [OtlpAttr.batchSequence]: h.sequence,
      [OtlpAttr.windowStartMs]: h.windowStartMs,
      [OtlpAttr.windowEndMs]: h.windowEndMs,
    },
  };
  const out: ReadableLogRecord[] = new Array(batch.controls.length + batch.events.length);
  let n = 0;
  for (const c of batch.controls) out[n++] = controlRecord(c, resource, scope);
  const e = batch.events;
  for (let i = 0; i < e.length; i++) {
    const type = e.type[i] as number;
    const attributes: Record<string, string | number> = {
      [OtlpAttr.eventType]: EVENT_TYPE_NAMES[type] ?? String(type),
      [OtlpAttr.context]: INPUT_CONTEXT_NAMES[e.context[i] as number] ?? String(e.context[i]),
    };
    if (type === EventType.keydown || type === EventType.keyup) {
      attributes[OtlpAttr.key] = e.key[i] as number;
    } else {
      attributes[OtlpAttr.x] = e.x[i] as number;
      attributes[OtlpAttr.y] = e.y[i] as number;
      if (type === EventType.wheel) attributes[OtlpAttr.wheelDelta] = e.key[i] as number;
      else if (type === EventType.mousedown || type === EventType.mouseup)
        attributes[OtlpAttr.button] = MOUSE_BUTTON_NAMES[e.button[i] as number] ?? String(e.button[i]);
    }
    const flags = e.flags[i] as number;
    if (flags !== 0) attributes[OtlpAttr.flags] = flags;
    const t = epochMsToHrTime(e.t_ms[i] as number);
    out[n++] = {
      hrTime: t,
      // The agent observes an event when it captures it.
      hrTimeObserved: t,
      eventName: EVENT_NAMES[type] ?? OTLP_INPUT_EVENT_PREFIX + String(type),
      resource,
      instrumentationScope: scope,
      attributes,
      droppedAttributesCount: 0,
    };
  }
  return out;
}

function controlRecord(
  c: ControlRecord,
  resource: ReadableLogRecord['resource'],
  scope: ReadableLogRecord['instrumentationScope'],
): ReadableLogRecord {
  const t = epochMsToHrTime(c.atMs);
  return {
    hrTime: t,
    hrTimeObserved: t,
    eventName: OTLP_CONTROL_EVENT_PREFIX + c.kind,
    resource,
    instrumentationScope: scope,
    attributes: { [OtlpAttr.eventType]: c.kind, ...(c.untilMs !== undefined ? { [OtlpAttr.untilMs]: c.untilMs } : {}) },
    droppedAttributesCount: 0,
  };
}
