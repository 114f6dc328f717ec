import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventType, REDACTED_KEY } from '../../src/events/index.js';
import {
  DEFAULT_DECODE_LIMITS,
  decodeBatch,
  encodeBatch,
  type BatchHeader,
  type BatchInput,
  type ControlKind,
  type ControlRecord,
} from '../../src/wire/index.js';
import { blockFromRows, type EventRow } from '../events/event-rows.js';
import { catchWireError } from './assert.js';
import { atWireResolution, batchOf, columnsOf, header, realisticBlock, WINDOW_START_MS } from './fixtures.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const coordinate = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.integer({ min: -4000, max: 4000 }),
  fc.constantFrom(INT32_MIN, INT32_MAX, 0),
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
);
/** Zero, sub-ms, the usual few ms, and long gaps (bounded so 300 events stay inside the 24 h window limit). */
const delta_ms = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 20, noNaN: true }),
  fc.integer({ min: 0, max: 250_000 }),
);
const uint8 = fc.integer({ min: 0, max: 255 });
const rareUint8 = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: uint8 });

const eventSpec: fc.Arbitrary<EventRow> = fc.oneof(
  fc.record({
    dt_ms: delta_ms,
    type: fc.constantFrom(EventType.keydown, EventType.keyup),
    key: fc.oneof(fc.constant(REDACTED_KEY), fc.integer({ min: 0, max: 62 }), fc.integer({ min: 0, max: 32767 })),
    x: fc.constant(0),
    y: fc.constant(0),
    button: fc.constant(0),
    context: rareUint8,
    flags: rareUint8,
  }),
  fc.record({
    dt_ms: delta_ms,
    type: fc.constant(EventType.mousemove),
    key: fc.constant(0),
    x: coordinate,
    y: coordinate,
    button: fc.constant(0),
    context: rareUint8,
    flags: rareUint8,
  }),
  fc.record({
    dt_ms: delta_ms,
    type: fc.constantFrom(EventType.mousedown, EventType.mouseup),
    key: fc.constant(0),
    x: coordinate,
    y: coordinate,
    button: uint8,
    context: rareUint8,
    flags: rareUint8,
  }),
  fc.record({
    dt_ms: delta_ms,
    type: fc.constant(EventType.wheel),
    key: fc.integer({ min: -32768, max: 32767 }),
    x: coordinate,
    y: coordinate,
    button: fc.constant(0),
    context: rareUint8,
    flags: rareUint8,
  }),
);

const controlSpec = fc.record({
  kind: fc.constantFrom<ControlKind>('pause', 'resume', 'auto_resume', 'exempt'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  until_ms: fc.option(fc.integer({ min: 0, max: 30 * 60_000 }), { nil: undefined }),
});

const batchInput: fc.Arbitrary<BatchInput> = fc
  .record({
    batchId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    deviceId: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    sequence: fc.oneof(fc.constant(0), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
    agentVersion: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
    start_ms: fc.integer({ min: DEFAULT_DECODE_LIMITS.minEpochMs, max: DEFAULT_DECODE_LIMITS.maxEpochMs - 2 * 24 * 3600_000 }),
    tail_ms: fc.integer({ min: 0, max: 60_000 }),
    events: fc.array(eventSpec, { maxLength: 300 }),
    controls: fc.array(controlSpec, { maxLength: 8 }),
  })
  .map((r) => {
    const events = blockFromRows(r.events, r.start_ms);
    const lastMs = r.events.length > 0 ? Math.round(events.t_ms[r.events.length - 1] as number) : r.start_ms;
    const h: BatchHeader = {
      batchId: r.batchId,
      deviceId: r.deviceId,
      sequence: r.sequence,
      windowStartMs: r.start_ms,
      windowEndMs: lastMs + r.tail_ms,
      agentVersion: r.agentVersion,
    };
    const span = h.windowEndMs - h.windowStartMs;
    const controls: ControlRecord[] = r.controls
      .map((c) => {
        const atMs = h.windowStartMs + Math.floor(c.at * span);
        const carriesUntil = c.kind === 'pause' || c.kind === 'exempt';
        return carriesUntil && c.until_ms !== undefined ? { kind: c.kind, atMs, untilMs: atMs + c.until_ms } : { kind: c.kind, atMs };
      })
      .sort((a, b) => a.atMs - b.atMs);
    return { header: h, controls, events };
  });

describe('decodeBatch(encodeBatch(x)) is x at 1 ms resolution', () => {
  // Format 1 too: what older agents send is still read.
  it.each([1, 2] as const)(
    'for arbitrary batches: all event kinds, redacted keys, extreme coordinates, zero and long gaps, controls (format %i)',
    (format) => {
      fc.assert(
        fc.property(batchInput, (input) => {
          const out = decodeBatch(encodeBatch(input, {}, format));
          expect(out.header).toEqual(input.header);
          expect(out.controls).toEqual(input.controls);
          expect(columnsOf(out.events)).toEqual(columnsOf(atWireResolution(input.events)));
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each([1, 2] as const)('for a realistic 10k-event block (format %i)', (format) => {
    const input = batchOf(realisticBlock(10_000));
    const out = decodeBatch(encodeBatch(input, {}, format));
    expect(out.events.length).toBe(input.events.length);
    expect(columnsOf(out.events)).toEqual(columnsOf(atWireResolution(input.events)));
  });

  it('for a batch with no events (controls only, e.g. a paused window)', () => {
    const controls: ControlRecord[] = [
      { kind: 'pause', atMs: WINDOW_START_MS + 1000, untilMs: WINDOW_START_MS + 1000 + 30 * 60_000 },
      { kind: 'auto_resume', atMs: WINDOW_START_MS + 5000 },
    ];
    const input: BatchInput = { header: header(), controls, events: realisticBlock(0) };
    const out = decodeBatch(encodeBatch(input));
    expect(out.events.length).toBe(0);
    expect(out.controls).toEqual(controls);
    expect(out.header).toEqual(input.header);
  });

  it('rounds each absolute time to the nearest ms, half up, so rounding never accumulates', () => {
    // Offsets exactly representable next to an epoch time (ulp 2^-12 ms), deltas chosen so per-delta rounding would drift.
    const offsets = [0.4, 0.6, 1.0, 8.5, 8.999, 16.4];
    const b = blockFromRows(
      offsets.map((o, i) => ({
        dt_ms: o - (offsets[i - 1] ?? 0),
        type: EventType.mousemove,
        key: 0,
        x: 1,
        y: 1,
        button: 0,
        context: 0,
        flags: 0,
      })),
      WINDOW_START_MS,
    );
    offsets.forEach((o, i) => (b.t_ms[i] = WINDOW_START_MS + o));
    const out = decodeBatch(encodeBatch(batchOf(b)));
    expect(Array.from(out.events.t_ms, (t) => t - WINDOW_START_MS)).toEqual([0, 1, 1, 9, 9, 16]);
  });

  it('returns columns that own their memory, not views of the input', () => {
    const bytes = encodeBatch(batchOf(realisticBlock(200)));
    const out = decodeBatch(bytes);
    const before = columnsOf(out.events);
    bytes.fill(0);
    expect(columnsOf(out.events)).toEqual(before);
    expect(out.events.t_ms.buffer).not.toBe(bytes.buffer);
  });
});

describe('encodeBatch refuses what the wire would lose or the decoder would refuse', () => {
  const one = (over: Partial<EventRow>) =>
    blockFromRows([{ dt_ms: 10, type: EventType.keydown, key: 4, x: 0, y: 0, button: 0, context: 1, flags: 0, ...over }], WINDOW_START_MS);
  const cases: [string, BatchInput, RegExp][] = [
    ['a key code below -1', batchOf(one({ key: -2 })), /key -2/],
    ['a position on a key event', batchOf(one({ x: 3 })), /has position \(3, 0\)/],
    ['a button on a mousemove', batchOf(one({ type: EventType.mousemove, key: 0, button: 1 })), /button 1/],
    ['a key on a mousedown', batchOf(one({ type: EventType.mousedown, key: 7 })), /key 7/],
    ['an unknown event type', batchOf(one({ type: 6 })), /unknown type code 6/],
    [
      'an event before the window',
      { ...batchOf(one({})), header: header({ windowStartMs: WINDOW_START_MS + 100 }) },
      /outside the capture window/,
    ],
    [
      'an event after the window',
      { ...batchOf(one({})), header: header({ windowEndMs: WINDOW_START_MS + 5 }) },
      /outside the capture window/,
    ],
    ['a NaN time', batchOf(one({ dt_ms: Number.NaN })), /NaN/],
    [
      'events out of time order',
      batchOf(
        blockFromRows(
          [
            { dt_ms: 10, type: 2, key: 0, x: 0, y: 0, button: 0, context: 0, flags: 0 },
            { dt_ms: -5, type: 2, key: 0, x: 0, y: 0, button: 0, context: 0, flags: 0 },
          ],
          WINDOW_START_MS,
        ),
      ),
      /earlier than event 0/,
    ],
    ['a 15-byte batch id', { ...batchOf(one({})), header: header({ batchId: new Uint8Array(15) }) }, /batch_id must be 16 bytes/],
    ['a fractional window start', { ...batchOf(one({})), header: header({ windowStartMs: WINDOW_START_MS + 0.5 }) }, /integer/],
    ['a window over 24 h', { ...batchOf(one({})), header: header({ windowEndMs: WINDOW_START_MS + 25 * 3600_000 }) }, /spans/],
    ['a negative sequence', { ...batchOf(one({})), header: header({ sequence: -1 }) }, /sequence/],
    ['an empty device id', { ...batchOf(one({})), header: header({ deviceId: '' }) }, /device_id is missing/],
    [
      'until_ms on a resume',
      batchOf(one({}), [{ kind: 'resume', atMs: WINDOW_START_MS, untilMs: WINDOW_START_MS + 1 }]),
      /only pause and exempt/,
    ],
    [
      'controls out of order',
      batchOf(one({}), [
        { kind: 'pause', atMs: WINDOW_START_MS + 5 },
        { kind: 'resume', atMs: WINDOW_START_MS + 1 },
      ]),
      /earlier than control 0/,
    ],
  ];
  it.each(cases)('refuses %s with WIRE_INVALID', (_name, input, message) => {
    const e = catchWireError(() => encodeBatch(input));
    expect(e.code).toBe('WIRE_INVALID');
    expect(e.message).toMatch(message);
  });

  it('refuses more events than the limit with WIRE_TOO_LARGE', () => {
    const e = catchWireError(() => encodeBatch(batchOf(realisticBlock(100)), { maxEvents: 50 }));
    expect(e.code).toBe('WIRE_TOO_LARGE');
  });
});
