import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocateBlock,
  EVENT_TYPE_NAMES,
  EventType,
  INPUT_CONTEXT_NAMES,
  MOUSE_BUTTON_NAMES,
  type EventBlock,
} from '../../src/events/index.js';
import { encodeOtlpLogs, OTLP_LOGS_PATH, OtlpAttr, otlpContentType, type OtlpEncoding } from '../../src/targets/otlp/encode.js';
import type { BatchInput, ControlRecord } from '../../src/wire/types.js';
import { OtlpReceiver, type ReceivedLogRecord } from '../helpers/otlp-receiver.js';
import { batchOf, columnsOf, realisticBlock, WINDOW_START_MS } from '../wire/fixtures.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver.close();
});

async function post(body: Uint8Array, encoding: OtlpEncoding, gzip: boolean): Promise<Response> {
  return fetch(receiver.url + OTLP_LOGS_PATH, {
    method: 'POST',
    headers: { 'content-type': otlpContentType(encoding), ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: gzip ? gzipSync(body) : body,
    signal: AbortSignal.timeout(10_000),
  });
}

const CONTROLS: ControlRecord[] = [
  { kind: 'pause', atMs: WINDOW_START_MS + 1000, untilMs: WINDOW_START_MS + 3_600_000 },
  { kind: 'resume', atMs: WINDOW_START_MS + 2000 },
  { kind: 'exempt', atMs: WINDOW_START_MS + 3000, untilMs: WINDOW_START_MS + 60_000 },
  { kind: 'auto_resume', atMs: WINDOW_START_MS + 4000 },
];

const nameToCode = (names: readonly string[], v: unknown): number => {
  const i = names.indexOf(v as string);
  if (i < 0) throw new Error(`unknown name ${String(v)}`);
  return i;
};

/** The received input-event records back as an EventBlock (absent attributes: the column's 0). */
function blockOf(records: readonly ReceivedLogRecord[]): { block: EventBlock; tNs: bigint[]; misfits: string[] } {
  const b = allocateBlock(records.length);
  const tNs: bigint[] = [];
  const misfits: string[] = [];
  records.forEach((r, i) => {
    const a = r.attributes;
    const type = nameToCode(EVENT_TYPE_NAMES, a[OtlpAttr.eventType]);
    if (r.eventName !== `fleetsim.input.${EVENT_TYPE_NAMES[type]}`) misfits.push(`#${i} event name ${r.eventName}`);
    b.t_ms[i] = Number(r.timeUnixNano) / 1e6;
    tNs.push(r.timeUnixNano);
    b.type[i] = type;
    b.key[i] = Number(a[OtlpAttr.key] ?? a[OtlpAttr.wheelDelta] ?? 0);
    b.x[i] = Number(a[OtlpAttr.x] ?? 0);
    b.y[i] = Number(a[OtlpAttr.y] ?? 0);
    b.button[i] = a[OtlpAttr.button] === undefined ? 0 : nameToCode(MOUSE_BUTTON_NAMES, a[OtlpAttr.button]);
    b.context[i] = nameToCode(INPUT_CONTEXT_NAMES, a[OtlpAttr.context]);
    b.flags[i] = Number(a[OtlpAttr.flags] ?? 0);
    if (r.observedTimeUnixNano !== r.timeUnixNano) misfits.push(`#${i} observed time ${r.observedTimeUnixNano} != ${r.timeUnixNano}`);
  });
  return { block: b, tNs, misfits };
}

describe('OTLP logs encoding, through a real receiver with an independent decoder', () => {
  const cases: [OtlpEncoding, boolean][] = [
    ['protobuf', false],
    ['protobuf', true],
    ['json', false],
    ['json', true],
  ];
  it.each(cases)('%s (gzip %s): every event and control arrives with every column, times to the µs', async (encoding, gzip) => {
    const events = realisticBlock(2500, encoding === 'json' ? 7 : 3);
    const batch: BatchInput = batchOf(events, CONTROLS);
    const before = receiver.requests.length;
    const res = await post(encodeOtlpLogs(batch, { encoding, employeeId: 'emp-0042' }), encoding, gzip);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(otlpContentType(encoding));
    await res.arrayBuffer();
    expect(receiver.requests.length).toBe(before + 1);
    const got = receiver.requests[before]!;
    expect(got.contentEncoding).toBe(gzip ? 'gzip' : undefined);

    expect(got.resourceAttributes).toEqual({
      'service.name': 'fleetsim-agent',
      'service.version': '1.4.2',
      'device.id': 'laptop-00042',
      'user.id': 'emp-0042',
    });
    expect(got.scopeName).toBe('fleetsim-agent');
    expect(got.scopeVersion).toBe('1.4.2');
    expect(got.scopeAttributes).toEqual({
      [OtlpAttr.batchId]: Buffer.from(batch.header.batchId).toString('hex'),
      [OtlpAttr.batchSequence]: 17,
      [OtlpAttr.windowStartMs]: batch.header.windowStartMs,
      [OtlpAttr.windowEndMs]: batch.header.windowEndMs,
    });

    expect(got.records.length).toBe(CONTROLS.length + events.length);
    const controls = got.records.slice(0, CONTROLS.length);
    expect(controls.map((r) => ({ name: r.eventName, t: r.timeUnixNano, attrs: r.attributes }))).toEqual(
      CONTROLS.map((c) => ({
        name: `fleetsim.control.${c.kind}`,
        t: BigInt(c.atMs) * 1_000_000n,
        attrs: { [OtlpAttr.eventType]: c.kind, ...(c.untilMs !== undefined ? { [OtlpAttr.untilMs]: c.untilMs } : {}) },
      })),
    );

    const { block, tNs, misfits } = blockOf(got.records.slice(CONTROLS.length));
    expect(misfits).toEqual([]);
    const { t_ms: gotT, ...gotCols } = columnsOf(block);
    const { t_ms: sentT, ...sentCols } = columnsOf(events);
    expect(gotCols).toEqual(sentCols);
    // Whole ms exact; the fraction kept to the µs (ns rounding of a double).
    expect(tNs.map((t) => Number(t / 1_000_000n))).toEqual(sentT.map((t) => Math.floor(t)));
    const worst = Math.max(...gotT.map((t, i) => Math.abs(t - sentT[i]!)));
    expect(worst).toBeLessThan(1e-3);
    // The fixture has every event type, so every attribute path ran.
    expect(new Set(sentCols.type)).toEqual(new Set(Object.values(EventType)));
  });

  it('leaves user.id out when no employee is given', async () => {
    const res = await post(encodeOtlpLogs(batchOf(realisticBlock(50)), { encoding: 'protobuf' }), 'protobuf', false);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(receiver.requests.at(-1)!.resourceAttributes).not.toHaveProperty('user.id');
  });

  it('JSON follows the OTLP JSON rules: lowerCamelCase keys, int64 as decimal strings', () => {
    const events = realisticBlock(300);
    const body = encodeOtlpLogs(batchOf(events, CONTROLS), { encoding: 'json' });
    const json = JSON.parse(new TextDecoder().decode(body)) as unknown;
    const keys = new Set<string>();
    const ints: unknown[] = [];
    const times: unknown[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          keys.add(k);
          if (k === 'intValue') ints.push(x);
          if (k === 'timeUnixNano' || k === 'observedTimeUnixNano') times.push(x);
          walk(x);
        }
      }
    };
    walk(json);
    for (const k of keys) expect(k).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(keys).toContain('resourceLogs');
    expect(keys).toContain('logRecords');
    expect(times.length).toBe(2 * (events.length + CONTROLS.length));
    for (const t of times) expect(t).toMatch(/^[1-9][0-9]{18}$/);
    expect(ints.length).toBeGreaterThan(300);
    for (const i of ints) expect(i).toMatch(/^-?(0|[1-9][0-9]*)$/);
    // Redacted keys and scroll-up deltas are negative: the sign survives the string form.
    expect(ints).toContain('-1');
    // No trace context in these records, so no ids to get wrong (hex in JSON).
    expect(keys).not.toContain('traceId');
  });

  it('the receiver refuses what is not an ExportLogsServiceRequest, and answers planned statuses', async () => {
    const garbage = await post(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), 'protobuf', false);
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/cannot decode/);
    const badJson = await post(new TextEncoder().encode('{"resourceLogs": 3}'), 'json', false);
    expect(badJson.status).toBe(400);
    receiver.respond = (n) => (n % 2 === 0 ? { status: 429, headers: { 'retry-after': '2' } } : undefined);
    try {
      const body = encodeOtlpLogs(batchOf(realisticBlock(20)), { encoding: 'protobuf' });
      const counts = receiver.requests.length;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await post(body, 'protobuf', false);
        await r.arrayBuffer();
        statuses.push(r.status);
        if (r.status === 429) expect(r.headers.get('retry-after')).toBe('2');
      }
      expect(statuses.filter((s) => s === 429).length).toBe(2);
      expect(statuses.filter((s) => s === 200).length).toBe(2);
      expect(receiver.requests.length).toBe(counts + 2);
    } finally {
      receiver.respond = undefined;
    }
  });
});
