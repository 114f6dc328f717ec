import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventType, collectingWriter, type EventBlock } from '../../src/events/index.js';
import { WireError, decodeBatch, encodeBatch, scanBatch, type DecodeLimits, type WireErrorCode } from '../../src/wire/index.js';
import { scanFallbackAccepts } from '../../src/wire/scan.js';
import { batchOf, header, realisticBlock, WINDOW_START_MS } from './fixtures.js';
import { pbDecode, pbEncode, seal, type BatchObject } from './proto.js';

/** One event of each kind, so every column is present. */
function everyKind(): EventBlock {
  const { writer, collect } = collectingWriter(16);
  const t = WINDOW_START_MS;
  writer.push(t + 10, EventType.keydown, 4, 0, 0, 0, 1, 0);
  writer.push(t + 60, EventType.keyup, 4, 0, 0, 0, 1, 2);
  writer.push(t + 68, EventType.mousemove, 0, 100, 200, 0, 1, 0);
  writer.push(t + 76, EventType.mousemove, 0, 103, 198, 0, 1, 0);
  writer.push(t + 200, EventType.mousedown, 0, 103, 198, 1, 3, 0);
  writer.push(t + 280, EventType.mouseup, 0, 103, 198, 1, 3, 0);
  writer.push(t + 400, EventType.wheel, -1, 103, 198, 0, 3, 0);
  writer.push(t + 450, EventType.keydown, -1, 0, 0, 0, 6, 0);
  return collect();
}

const everyKindBatch = {
  ...batchOf(everyKind()),
  controls: [{ kind: 'pause' as const, atMs: WINDOW_START_MS + 500, untilMs: WINDOW_START_MS + 500 + 1_800_000 }],
};
/** Format 1, what agents sent before format 2: the service keeps refusing its broken forms as before. */
const validBytes = encodeBatch(everyKindBatch, {}, 1);
const valid = (): BatchObject => pbDecode(validBytes);
const validBytes2 = encodeBatch(everyKindBatch, {}, 2);
const valid2 = (): BatchObject => pbDecode(validBytes2);

function expectRefused(bytes: Uint8Array, code: WireErrorCode, message: RegExp, limits?: Partial<DecodeLimits>): void {
  let caught: unknown;
  try {
    decodeBatch(bytes, limits);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'decodeBatch should have thrown').toBeInstanceOf(WireError);
  const e = caught as WireError;
  expect({ code: e.code, message: e.message }).toEqual({ code, message: expect.stringMatching(message) });
  // The service's scan refuses it with the very same error.
  expect(sameVerdict(bytes, limits)).toBe('wire-error');
}

/**
 * decodeBatch and scanBatch on the same bytes: both throw the same WireError (code, message, field), or both
 * accept with the same header, controls and event times. Returns which.
 */
function sameVerdict(bytes: Uint8Array, limits?: Partial<DecodeLimits>): 'ok' | 'wire-error' {
  const run = <T>(f: () => T): { ok: T } | { error: WireError } => {
    try {
      return { ok: f() };
    } catch (e) {
      if (e instanceof WireError) return { error: e };
      throw e;
    }
  };
  const full = run(() => decodeBatch(bytes, limits));
  const fallbacks = scanFallbackAccepts();
  const scan = run(() => scanBatch(bytes, limits));
  // A valid batch passes the scan's own check: the ordered decode it falls back on never has to accept one.
  expect(scanFallbackAccepts(), 'scanBatch refused a valid batch and left it to the ordered decode').toBe(fallbacks);
  if ('error' in full) {
    expect('error' in scan, `scanBatch accepted what decodeBatch refused (${full.error.message})`).toBe(true);
    const e = (scan as { error: WireError }).error;
    expect({ code: e.code, message: e.message, field: e.field }).toEqual({
      code: full.error.code,
      message: full.error.message,
      field: full.error.field,
    });
    return 'wire-error';
  }
  expect('ok' in scan, 'scanBatch refused what decodeBatch accepted').toBe(true);
  const s = (scan as { ok: ReturnType<typeof scanBatch> }).ok;
  expect(s.header).toEqual(full.ok.header);
  expect(s.controls).toEqual(full.ok.controls);
  expect(Array.from(s.times)).toEqual(Array.from(full.ok.events.t_ms));
  // The times own their buffer: the decode workers transfer it.
  expect(s.times.buffer.byteLength).toBe(8 * s.times.length);
  return 'ok';
}

describe('the valid fixture', () => {
  it('decodes (so each refusal below is caused by its one mutation)', () => {
    expect(decodeBatch(validBytes).events.length).toBe(8);
    expect(decodeBatch(pbEncode(valid())).events.length).toBe(8);
    expect(decodeBatch(validBytes2).events.length).toBe(8);
    expect(decodeBatch(pbEncode(valid2())).events.length).toBe(8);
    // The mutations below act on the columns of their format.
    expect(valid()).toMatchObject({ format: 0, tStepMs: [], keyUp: [], key: [4, 4, -1] });
    expect(valid2()).toMatchObject({ format: 2, tDeltaMs: [], key: [4, -1], keyUp: [0] });
  });
});

type Mutation = [string, (b: BatchObject) => void, WireErrorCode, RegExp, Partial<DecodeLimits>?];

const semantic: Mutation[] = [
  ['a negative time delta', (b) => (b.tDeltaMs[3] = -5), 'WIRE_INVALID', /event 3 has time delta -5 ms; deltas are >= 0/],
  [
    'an extreme time delta past the window',
    (b) => (b.tDeltaMs[1] = 1e12),
    'WIRE_INVALID',
    /event 1 is at .* after the capture window ends/,
  ],
  [
    'a time delta over 53 bits',
    (b) => ((b.tDeltaMs as unknown[])[1] = '1152921504606846976'),
    'WIRE_OVERFLOW',
    /t_delta_ms .* does not fit in 53 bits/,
  ],
  ['a missing time delta', (b) => b.tDeltaMs.pop(), 'WIRE_INVALID', /column t_delta_ms holds 7 values, expected 8/],
  ['an extra time delta', (b) => b.tDeltaMs.push(1), 'WIRE_INVALID', /column t_delta_ms holds 9 values, expected 8/],
  ['event_count one more than the columns', (b) => (b.eventCount += 1), 'WIRE_INVALID', /event_type is 8 bytes, expected 9/],
  ['event_count over the limit', (b) => (b.eventCount = 600_000), 'WIRE_TOO_LARGE', /event_count 600000 is over the limit of 500000/],
  ['event_count over a tighter limit', () => undefined, 'WIRE_TOO_LARGE', /over the limit of 5 events/, { maxEvents: 5 }],
  ['an unknown event type', (b) => (b.eventType[2] = 9), 'WIRE_INVALID', /event 2 has unknown type code 9/],
  ['an extra key value', (b) => b.key.push(5), 'WIRE_INVALID', /column key holds 4 values, expected 3 \(one per keydown\/keyup event\)/],
  ['a missing key value', (b) => b.key.pop(), 'WIRE_INVALID', /column key holds 2 values, expected 3/],
  ['a key code below -1', (b) => (b.key[0] = -2), 'WIRE_INVALID', /event 0 has key -2/],
  ['a key code past int16', (b) => (b.key[0] = 40_000), 'WIRE_OVERFLOW', /key 40000, which does not fit int16/],
  ['a missing x delta', (b) => b.xDeltaPx.pop(), 'WIRE_INVALID', /column x_delta_px holds 4 values, expected 5/],
  ['an extra y delta', (b) => b.yDeltaPx.push(0), 'WIRE_INVALID', /column y_delta_px holds 6 values, expected 5/],
  ['a position past int32', (b) => (b.xDeltaPx[0] = 2 ** 31), 'WIRE_OVERFLOW', /positions must fit int32/],
  ['a negative position past int32', (b) => (b.yDeltaPx[1] = -(2 ** 33)), 'WIRE_OVERFLOW', /positions must fit int32/],
  ['a missing button', (b) => b.button.pop(), 'WIRE_INVALID', /column button holds 1 values, expected 2/],
  ['a button past 255', (b) => (b.button[0] = 256), 'WIRE_OVERFLOW', /button 256/],
  ['an extra wheel delta', (b) => b.wheelDelta.push(1), 'WIRE_INVALID', /column wheel_delta holds 2 values, expected 1/],
  ['a wheel delta past int16', (b) => (b.wheelDelta[0] = -40_000), 'WIRE_OVERFLOW', /wheel delta -40000/],
  [
    'context runs that cover too many events',
    (b) => (b.contextRunLength[0] = (b.contextRunLength[0] ?? 0) + 1),
    'WIRE_INVALID',
    /context runs cover more than event_count/,
  ],
  [
    'context runs that cover too few events',
    (b) => (b.contextRunLength[0] = (b.contextRunLength[0] ?? 1) - 1),
    'WIRE_INVALID',
    /context runs cover 7 events, event_count is 8/,
  ],
  [
    'a zero-length run',
    (b) => ((b.flagsRunLength = [0, ...b.flagsRunLength]), (b.flagsRunValue = [1, ...b.flagsRunValue])),
    'WIRE_INVALID',
    /flags run 0 has length 0/,
  ],
  [
    'more run values than lengths',
    (b) => b.contextRunValue.push(2),
    'WIRE_INVALID',
    /context_run_value has more runs than context_run_length/,
  ],
  ['more run lengths than values', (b) => b.flagsRunLength.push(1), 'WIRE_INVALID', /flags_run_length has more runs than flags_run_value/],
  ['a context value past 255', (b) => (b.contextRunValue[0] = 300), 'WIRE_OVERFLOW', /context run 0 has value 300/],
  [
    'no flags runs at all',
    (b) => ((b.flagsRunLength = []), (b.flagsRunValue = [])),
    'WIRE_INVALID',
    /flags runs cover 0 events, event_count is 8/,
  ],
  ['a 15-byte batch id', (b) => (b.batchId = new Uint8Array(15)), 'WIRE_INVALID', /batch_id must be 16 bytes, got 15/],
  ['no device id', (b) => (b.deviceId = ''), 'WIRE_INVALID', /device_id is missing/],
  ['a 129-byte device id', (b) => (b.deviceId = 'd'.repeat(129)), 'WIRE_TOO_LARGE', /device_id is 129 bytes, the limit is 128/],
  ['no agent version', (b) => (b.agentVersion = ''), 'WIRE_INVALID', /agent_version is missing/],
  ['a window that ends before it starts', (b) => (b.windowEndMs = b.windowStartMs - 1), 'WIRE_INVALID', /ends .* before it starts/],
  [
    'a window longer than 24 h',
    (b) => (b.windowEndMs = b.windowStartMs + 25 * 3600_000),
    'WIRE_INVALID',
    /spans 90000000 ms, the limit is 86400000/,
  ],
  ['a window in 1970', (b) => (b.windowStartMs = 0), 'WIRE_INVALID', /window_start_ms 0 .* outside the sane range/],
  [
    'a sequence past 2^53',
    (b) => ((b as { sequence: unknown }).sequence = '9007199254740993'),
    'WIRE_OVERFLOW',
    /sequence 9007199254740993 is outside/,
  ],
  [
    'an unspecified control kind',
    (b) => ((b.controls[0] as { kind: number }).kind = 0),
    'WIRE_INVALID',
    /controls\[0\] has unknown kind 0/,
  ],
  [
    'a control outside the window',
    (b) => ((b.controls[0] as { atMs: number }).atMs = b.windowEndMs + 1),
    'WIRE_INVALID',
    /control 0 \(pause\) .* outside the capture window/,
  ],
  [
    'controls out of order',
    (b) => b.controls.push({ kind: 2, atMs: b.windowStartMs }),
    'WIRE_INVALID',
    /control 1 \(resume\) .* earlier than control 0/,
  ],
  [
    'until_ms on an auto_resume',
    (b) => b.controls.push({ kind: 3, atMs: b.windowEndMs, untilMs: b.windowEndMs }),
    'WIRE_INVALID',
    /only pause and exempt carry one/,
  ],
  [
    'a pause that ends before it starts',
    (b) => ((b.controls[0] as { untilMs: number }).untilMs = b.windowStartMs),
    'WIRE_INVALID',
    /ends \(until_ms .*\) before it starts/,
  ],
  [
    'more controls than the limit',
    (b) => (b.controls = Array.from({ length: 5 }, () => ({ kind: 2, atMs: b.windowStartMs }))),
    'WIRE_TOO_LARGE',
    /more than 4 controls/,
    { maxControls: 4 },
  ],
];

/** Format 2's own columns, and batches that mix the formats. */
const semantic2: Mutation[] = [
  ['a time step past the window', (b) => (b.tStepMs[1] = 1e12), 'WIRE_INVALID', /event 1 is at .* after the capture window ends/],
  [
    'a time step over 53 bits',
    (b) => ((b.tStepMs as unknown[])[1] = '1152921504606846976'),
    'WIRE_OVERFLOW',
    /t_step_ms .* does not fit in 53 bits/,
  ],
  ['a missing time step', (b) => b.tStepMs.pop(), 'WIRE_INVALID', /column t_step_ms holds 7 values, expected 8/],
  ['an extra time step', (b) => b.tStepMs.push(1), 'WIRE_INVALID', /column t_step_ms holds 9 values, expected 8/],
  ['no time steps at all', (b) => (b.tStepMs = []), 'WIRE_INVALID', /column t_step_ms holds 0 values, expected 8/],
  ['an extra key value', (b) => b.key.push(5), 'WIRE_INVALID', /column key holds 3 values, expected 2 \(one per keydown event\)/],
  ['a keydown code below -1', (b) => (b.key[1] = -2), 'WIRE_INVALID', /event 7 has key -2/],
  ['a missing key_up value', (b) => b.keyUp.pop(), 'WIRE_INVALID', /column key_up holds 0 values, expected 1 \(one per keyup event\)/],
  ['an extra key_up value', (b) => b.keyUp.push(0), 'WIRE_INVALID', /column key_up holds 2 values, expected 1/],
  // One key is held at the keyup: 1 + 1 + 40000 names key 40000.
  ['a key_up naming a key past int16', (b) => (b.keyUp[0] = 40_002), 'WIRE_OVERFLOW', /event 1 has key 40000, which does not fit int16/],
  [
    'a format this decoder does not know',
    (b) => (b.format = 3),
    'WIRE_UNSUPPORTED',
    /format 3 is not a wire format this service reads \(1, 2\)/,
  ],
  [
    "format 1's time column in a format 2 batch",
    (b) => (b.tDeltaMs = b.tStepMs),
    'WIRE_INVALID',
    /t_delta_ms is a column of wire format 1, and this batch is format 2/,
  ],
  [
    'a format 2 batch that lost its format field',
    (b) => (b.format = 0),
    'WIRE_INVALID',
    /t_step_ms is a column of wire format 2, and this batch is format 1 \(it has no format field\)/,
  ],
];

/** Format 1 batches carrying a column only format 2 has. */
const semantic1Mixed: Mutation[] = [
  [
    'a key_up column in a format 1 batch',
    (b) => (b.keyUp = [0]),
    'WIRE_INVALID',
    /key_up is a column of wire format 2, and this batch is format 1/,
  ],
  [
    'format 2 with format 1 columns',
    (b) => (b.format = 2),
    'WIRE_INVALID',
    /t_delta_ms is a column of wire format 1, and this batch is format 2/,
  ],
];

describe('decodeBatch refuses batches that break the rules, saying which', () => {
  it.each([...semantic, ...semantic1Mixed])('format 1: %s', (_name, mutate, code, message, limits) => {
    const b = valid();
    mutate(b);
    expectRefused(pbEncode(b), code, message, limits);
  });

  // Every rule both formats share, on a format 2 batch (the time and key cases are format 1's own columns).
  const shared = semantic.filter(([name]) => !/time delta|key/.test(name));
  it.each([...shared, ...semantic2])('format 2: %s', (_name, mutate, code, message, limits) => {
    const b = valid2();
    mutate(b);
    expectRefused(pbEncode(b), code, message, limits);
  });
});

/** A valid batch's header fields, then `tail`: for wire-level damage protobufjs would not write. */
function withTail(write: (w: BinaryWriter) => void, h = header()): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).bytes(h.batchId);
  w.tag(2, WireType.LengthDelimited).string(h.deviceId);
  w.tag(4, WireType.Varint).int64(h.windowStartMs);
  w.tag(5, WireType.Varint).int64(h.windowEndMs);
  w.tag(6, WireType.LengthDelimited).string(h.agentVersion);
  write(w);
  return seal(w.finish());
}

describe('decodeBatch refuses malformed protobuf', () => {
  it('accepts the bare header (the base of the cases below)', () => {
    expect(decodeBatch(withTail(() => undefined)).events.length).toBe(0);
  });

  it('skips unknown fields, so fields added later do not break it', () => {
    const bytes = withTail((w) => {
      w.tag(30, WireType.Varint).uint32(7);
      w.tag(99, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3]));
      w.tag(100, WireType.Bit32).fixed32(5);
      w.tag(101, WireType.Bit64).fixed64(5);
    });
    expect(decodeBatch(bytes).header.deviceId).toBe('laptop-00042');
  });

  const cases: [string, (w: BinaryWriter) => void, WireErrorCode, RegExp][] = [
    [
      'a string field sent as a varint',
      (w) => w.tag(2, WireType.Varint).uint32(5),
      'WIRE_CORRUPT',
      /device_id has wire type varint, expected length-delimited/,
    ],
    [
      'a column sent unpacked',
      (w) => w.tag(10, WireType.Varint).uint32(5),
      'WIRE_CORRUPT',
      /t_delta_ms has wire type varint, expected length-delimited \(a packed column/,
    ],
    [
      'a varint field sent as fixed64',
      (w) => w.tag(3, WireType.Bit64).fixed64(1),
      'WIRE_CORRUPT',
      /sequence has wire type fixed64, expected varint/,
    ],
    [
      'a length past the end of the message',
      (w) => w.tag(12, WireType.LengthDelimited).uint32(1000).raw(new Uint8Array(10)),
      'WIRE_TRUNCATED',
      /key declares 1000 bytes but only 10 remain/,
    ],
    ['a field written twice', (w) => w.tag(2, WireType.LengthDelimited).string('other'), 'WIRE_INVALID', /device_id appears twice/],
    ['a group', (w) => w.tag(50, WireType.StartGroup).tag(50, WireType.EndGroup), 'WIRE_CORRUPT', /group wire type/],
    ['field number 0', (w) => w.raw(new Uint8Array([0x00, 0x01])), 'WIRE_CORRUPT', /illegal tag/],
    ['wire type 7', (w) => w.raw(new Uint8Array([0x0f, 0x01])), 'WIRE_CORRUPT', /illegal tag/],
    [
      'a varint of 11 bytes',
      (w) => w.tag(3, WireType.Varint).raw(new Uint8Array([...Array(10).fill(0xff), 0x01])),
      'WIRE_CORRUPT',
      /invalid varint/,
    ],
    [
      'a message cut inside a varint',
      (w) => w.tag(3, WireType.Varint).raw(new Uint8Array([0xff, 0xff])),
      'WIRE_TRUNCATED',
      /ends inside sequence/,
    ],
    ['a message cut after a tag', (w) => w.tag(3, WireType.Varint), 'WIRE_TRUNCATED', /ends inside sequence/],
    [
      'a column cut inside a varint',
      (w) =>
        w
          .tag(7, WireType.Varint)
          .uint32(1)
          .tag(11, WireType.LengthDelimited)
          .bytes(new Uint8Array([2]))
          .tag(10, WireType.LengthDelimited)
          .bytes(new Uint8Array([0x80])),
      'WIRE_CORRUPT',
      /column t_delta_ms ends in the middle of a varint/,
    ],
    [
      'event_count past uint32',
      (w) => w.tag(7, WireType.Varint).uint64(2 ** 40),
      'WIRE_OVERFLOW',
      /event_count 1099511627776 does not fit uint32/,
    ],
    [
      'a huge event_count in a tiny message (refused before allocating)',
      (w) => w.tag(7, WireType.Varint).uint32(400_000),
      'WIRE_INVALID',
      /event_type is 0 bytes, expected 400000/,
    ],
    ['a control sent as a varint', (w) => w.tag(8, WireType.Varint).uint32(1), 'WIRE_CORRUPT', /controls has wire type varint/],
    [
      'a control with a bad field inside',
      (w) => w.tag(8, WireType.LengthDelimited).bytes(new Uint8Array([0x0a, 0x01, 0x00])),
      'WIRE_CORRUPT',
      /controls\[0\] field 1 has wire type length-delimited, expected varint/,
    ],
  ];
  it.each(cases)('%s', (_name, write, code, message) => {
    expectRefused(withTail(write), code, message);
  });

  it('refuses a device id that is not UTF-8', () => {
    const w = new BinaryWriter();
    w.tag(2, WireType.LengthDelimited).bytes(new Uint8Array([0xc3, 0x28]));
    expectRefused(seal(w.finish()), 'WIRE_CORRUPT', /device_id is not valid UTF-8/);
  });

  it('refuses an empty message (no batch id)', () => {
    expectRefused(seal(new Uint8Array(0)), 'WIRE_INVALID', /batch_id must be 16 bytes, got 0/);
  });

  it('refuses a message without the crc32 trailer', () => {
    expectRefused(new Uint8Array(0), 'WIRE_TRUNCATED', /does not end with its crc32 field/);
    expectRefused(validBytes.subarray(0, validBytes.length - 6), 'WIRE_TRUNCATED', /does not end with its crc32 field/);
  });

  it('refuses a crc32 that does not match', () => {
    const bytes = validBytes.slice();
    bytes[bytes.length - 1]! ^= 0x40;
    expectRefused(bytes, 'WIRE_CORRUPT', /crc32 is 0x[0-9a-f]{8}, the batch says 0x[0-9a-f]{8}/);
  });

  it('refuses a crc32 field anywhere but at the end', () => {
    expectRefused(
      withTail((w) => w.tag(31, WireType.Bit32).fixed32(0)),
      'WIRE_INVALID',
      /crc32 \(field 31\) must be the last field/,
    );
  });
});

function outcome(f: () => unknown): 'ok' | 'wire-error' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof WireError) return 'wire-error';
    throw e;
  }
}

/** The message without its trailer, damaged by `damage`, then sealed again: what a hostile client can send. */
function resealed(bytes: Uint8Array, damage: (body: Uint8Array) => Uint8Array): Uint8Array {
  return seal(damage(bytes.slice(0, bytes.length - 6)));
}

describe('damaged bytes give a WireError and never another exception (fuzz)', () => {
  const realistic = encodeBatch(batchOf(realisticBlock(300, 7)));
  const realistic1 = encodeBatch(batchOf(realisticBlock(300, 7)), {}, 1);

  it('refuses every proper prefix', () => {
    for (const bytes of [validBytes, validBytes2, realistic, realistic1]) {
      for (let cut = 0; cut < bytes.length; cut++) expect(outcome(() => decodeBatch(bytes.subarray(0, cut)))).toBe('wire-error');
    }
  });

  it('refuses every bit flip (the crc32 trailer catches what the parser cannot)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: realistic.length * 8 - 1 }), { minLength: 1, maxLength: 3 }), (bits) => {
        const bytes = realistic.slice();
        for (const bit of bits) bytes[bit >> 3]! ^= 1 << (bit & 7);
        // Flipping the same bit twice restores the batch.
        if (bytes.every((b, i) => b === realistic[i])) return;
        expect(outcome(() => decodeBatch(bytes))).toBe('wire-error');
      }),
      { numRuns: 1000 },
    );
  });

  it('parses resealed bit flips to a batch or a WireError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: (realistic.length - 6) * 8 - 1 }), { minLength: 1, maxLength: 8 }), (bits) => {
        const bytes = resealed(realistic, (body) => {
          for (const bit of bits) body[bit >> 3]! ^= 1 << (bit & 7);
          return body;
        });
        outcome(() => decodeBatch(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('parses resealed overwritten, inserted and cut bytes to a batch or a WireError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: validBytes.length - 7 }),
        fc.uint8Array({ minLength: 1, maxLength: 12 }),
        fc.constantFrom('overwrite', 'insert', 'cut'),
        (at, junk, how) => {
          const bytes = resealed(validBytes, (body) => {
            if (how === 'insert') return new Uint8Array([...body.subarray(0, at), ...junk, ...body.subarray(at)]);
            if (how === 'cut') return body.subarray(0, at);
            body.set(junk.subarray(0, body.length - at), at);
            return body;
          });
          outcome(() => decodeBatch(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("scanBatch (the service's check) gives decodeBatch's verdict on damaged and valid batches alike", () => {
    expect(sameVerdict(realistic)).toBe('ok');
    expect(sameVerdict(realistic1)).toBe('ok');
    expect(sameVerdict(validBytes)).toBe('ok');
    expect(sameVerdict(validBytes2)).toBe('ok');
    // A larger batch after a smaller one, and a smaller after it: what the scan keeps between calls is sized per batch.
    expect(sameVerdict(encodeBatch(batchOf(realisticBlock(3000, 11))))).toBe('ok');
    expect(sameVerdict(validBytes)).toBe('ok');
    const verdicts = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: (realistic.length - 6) * 8 - 1 }), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: validBytes.length - 7 }),
        fc.uint8Array({ minLength: 1, maxLength: 12 }),
        (bits, at, junk) => {
          const flipped = resealed(realistic, (body) => {
            for (const bit of bits) body[bit >> 3]! ^= 1 << (bit & 7);
            return body;
          });
          verdicts.add(sameVerdict(flipped));
          const overwritten = resealed(validBytes, (body) => {
            body.set(junk.subarray(0, body.length - at), at);
            return body;
          });
          verdicts.add(sameVerdict(overwritten, { maxEvents: 6 }));
          const at2 = at % (validBytes2.length - 6);
          const overwritten2 = resealed(validBytes2, (body) => {
            body.set(junk.subarray(0, body.length - at2), at2);
            return body;
          });
          verdicts.add(sameVerdict(overwritten2));
        },
      ),
      { numRuns: 2000 },
    );
    // Both kinds of verdict were compared, not only refusals.
    expect([...verdicts].sort()).toEqual(['ok', 'wire-error']);
  });

  it("scanBatch gives decodeBatch's verdict when one column value or header count is changed, added or dropped", () => {
    // The scan checks each column on its own (src/wire/scan.ts), decodeBatch event by event: values at the edges
    // of each column's range, position sums that leave int32, counts one off, and type codes that move a value
    // from one column to another must get the same verdict from both.
    const columns = [
      'tDeltaMs',
      'tStepMs',
      'eventType',
      'key',
      'keyUp',
      'xDeltaPx',
      'yDeltaPx',
      'button',
      'wheelDelta',
      'contextRunValue',
      'contextRunLength',
      'flagsRunValue',
      'flagsRunLength',
    ] as const;
    const scalars = ['eventCount', 'format', 'windowStartMs', 'windowEndMs'] as const;
    const bases = [pbDecode(realistic), pbDecode(realistic1), valid(), valid2()];
    const edges = [
      -2,
      -1,
      0,
      1,
      5,
      6,
      255,
      256,
      0x7fff,
      0x8000,
      -0x8000,
      -0x8001,
      0x7fffffff,
      -0x80000000,
      0x80000000,
      2 ** 40,
      -(2 ** 40),
    ];
    const verdicts = new Set<string>();
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.constantFrom(...columns, ...scalars),
        fc.nat(),
        fc.constantFrom('set', 'insert', 'drop'),
        fc.oneof(fc.constantFrom(...edges), fc.integer({ min: -300, max: 300 })),
        (b, field, at, how, value) => {
          const obj = structuredClone(bases[b]!);
          if (field === 'eventCount' || field === 'format' || field === 'windowStartMs' || field === 'windowEndMs') {
            // A header field moved by a little (one event more or less, the window's end one step short) or to an edge.
            obj[field] = how === 'set' ? Math.abs(value) : obj[field] + (how === 'insert' ? 1 : -1) * (at % 3);
          } else {
            const values = obj[field];
            if (how === 'insert') values.splice(at % (values.length + 1), 0, value);
            else if (values.length > 0 && how === 'set') values[at % values.length] = value;
            else if (values.length > 0) values.splice(at % values.length, 1);
          }
          verdicts.add(sameVerdict(pbEncode(obj)));
        },
      ),
      { numRuns: 4000 },
    );
    expect([...verdicts].sort()).toEqual(['ok', 'wire-error']);
  });

  it('parses resealed random bytes to a batch or a WireError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        outcome(() => decodeBatch(seal(bytes)));
        outcome(() => decodeBatch(bytes));
      }),
      { numRuns: 3000 },
    );
  });
});
