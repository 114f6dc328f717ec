/**
 * The pure parts of the X11 input path: the wire bytes RECORD hands over
 * (device events, recorded ChangeProperty requests), the server clock's wrap,
 * and the keymap built from a server's keyboard mapping.
 */
import { describe, expect, it } from 'vitest';
import { EventType, KEY_NAMES, keyCode, MouseButton } from '../../src/events/index.js';
import { InputError } from '../../src/input/errors.js';
import { lastPropertyValue } from '../../src/input/x11/context-property.js';
import { buildKeymap, keysymOf } from '../../src/input/x11/keymap.js';
import { agentTime, decodeDeviceEvents, DeliveryBuffer, type DecodeState } from '../../src/input/x11/record-decode.js';

const ROOT = 0x2a1;
const ATOM = 301;

function changeProperty(
  window: number,
  property: number,
  values: number[],
  opts: { big?: boolean; bigEndian?: boolean; format?: number } = {},
): Buffer {
  const head = opts.big ? 28 : 24;
  const b = Buffer.alloc(head + values.length * 4);
  const u16 = (v: number, o: number) => (opts.bigEndian ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  const u32 = (v: number, o: number) => (opts.bigEndian ? b.writeUInt32BE(v, o) : b.writeUInt32LE(v, o));
  const s = opts.big ? 4 : 0;
  b[0] = 18;
  if (opts.big) {
    u16(0, 2);
    u32(b.length / 4, 4);
  } else u16(b.length / 4, 2);
  u32(window, 4 + s);
  u32(property, 8 + s);
  u32(6, 12 + s);
  b[16 + s] = opts.format ?? 32;
  u32(values.length, 20 + s);
  values.forEach((v, i) => u32(v, 24 + s + i * 4));
  return b;
}

describe('the context property, read from recorded ChangeProperty requests', () => {
  it('takes the last value written to the property on the root window', () => {
    const data = Buffer.concat([
      changeProperty(ROOT, ATOM, [3]),
      changeProperty(ROOT, ATOM + 1, [9]),
      changeProperty(0x500, ATOM, [8]),
      changeProperty(ROOT, ATOM, [6]),
    ]);
    expect(lastPropertyValue(data, false, ROOT, ATOM)).toBe(6);
  });

  it('reads the BIG-REQUESTS form and a byte-swapped client', () => {
    expect(lastPropertyValue(changeProperty(ROOT, ATOM, [7], { big: true }), false, ROOT, ATOM)).toBe(7);
    expect(lastPropertyValue(changeProperty(ROOT, ATOM, [5], { bigEndian: true }), true, ROOT, ATOM)).toBe(5);
  });

  it('ignores other windows, other properties, other formats and truncated data', () => {
    expect(lastPropertyValue(changeProperty(0x500, ATOM, [3]), false, ROOT, ATOM)).toBeNull();
    expect(lastPropertyValue(changeProperty(ROOT, ATOM, [3], { format: 8 }), false, ROOT, ATOM)).toBeNull();
    expect(lastPropertyValue(changeProperty(ROOT, ATOM, [3]).subarray(0, 20), false, ROOT, ATOM)).toBeNull();
    expect(lastPropertyValue(Buffer.alloc(0), false, ROOT, ATOM)).toBeNull();
  });
});

function coreEvent(type: number, detail: number, timeMs: number, x: number, y: number, bigEndian = false): Buffer {
  const b = Buffer.alloc(32);
  b[0] = type;
  b[1] = detail;
  if (bigEndian) {
    b.writeUInt32BE(timeMs, 4);
    b.writeInt16BE(x, 20);
    b.writeInt16BE(y, 22);
  } else {
    b.writeUInt32LE(timeMs, 4);
    b.writeInt16LE(x, 20);
    b.writeInt16LE(y, 22);
  }
  return b;
}

describe('core device events → fleetsim events', () => {
  const fromX = new Int16Array(256).fill(-1);
  fromX[38] = keyCode('a');
  const state: DecodeState = { fromX, clock: { serverMs: 1_000, agentMs: 1_700_000_000_000 }, context: 6 };

  it('keys, buttons, wheel notches and motion, stamped on the agent clock and tagged with the context', () => {
    const data = Buffer.concat([
      coreEvent(2, 38, 1_010, 5, 5),
      coreEvent(3, 38, 1_020, 5, 5),
      coreEvent(6, 0, 1_030, 640, 480),
      coreEvent(4, 3, 1_040, 640, 480),
      coreEvent(5, 3, 1_050, 640, 480),
      coreEvent(4, 5, 1_060, 640, 480),
      coreEvent(5, 5, 1_061, 640, 480),
      coreEvent(4, 4, 1_070, 640, 480),
      coreEvent(2, 99, 1_080, 0, 0), // a key fleetsim does not name
      coreEvent(2 | 0x80, 38, 1_090, 0, 0), // SendEvent bit set: still the key
    ]);
    const out = new DeliveryBuffer();
    decodeDeviceEvents(data, false, state, out);
    const b = out.view();
    expect(Array.from(b.type)).toEqual([
      EventType.keydown,
      EventType.keyup,
      EventType.mousemove,
      EventType.mousedown,
      EventType.mouseup,
      EventType.wheel,
      EventType.wheel,
      EventType.keydown,
    ]);
    expect(Array.from(b.key)).toEqual([keyCode('a'), keyCode('a'), 0, 0, 0, 1, -1, keyCode('a')]);
    expect(Array.from(b.button)).toEqual([0, 0, 0, MouseButton.right, MouseButton.right, 0, 0, 0]);
    expect(Array.from(b.x)).toEqual([0, 0, 640, 640, 640, 640, 640, 0]);
    expect(Array.from(b.t_ms)).toEqual([10, 20, 30, 40, 50, 60, 70, 90].map((d) => 1_700_000_000_000 + d));
    expect(new Set(b.context)).toEqual(new Set([6]));
  });

  it('reads a byte-swapped stream', () => {
    const out = new DeliveryBuffer();
    decodeDeviceEvents(coreEvent(6, 0, 1_005, -3, 700, true), true, state, out);
    expect([out.view().x[0], out.view().y[0], out.view().t_ms[0]]).toEqual([-3, 700, 1_700_000_000_005]);
  });

  it('the server clock wraps every 2^32 ms; times stay continuous across the wrap', () => {
    const clock = { serverMs: 0xffff_ff00, agentMs: 5_000 };
    expect(agentTime(clock, 0x10)).toBe(5_000 + 0x110);
    expect(agentTime(clock, 0xffff_fe00)).toBe(5_000 - 0x100);
  });
});

describe('the keymap from the server keyboard mapping', () => {
  it('maps every fleetsim key to the lowest keycode whose first keysym it types, and back', () => {
    const rows = KEY_NAMES.map((name) => [keysymOf(name), 0]);
    rows.push([keysymOf('a'), 0]); // a second key that types "a" (a keypad duplicate) is not used
    const km = buildKeymap(rows, 8);
    KEY_NAMES.forEach((name, code) => {
      expect(km.toX[code]).toBe(8 + code);
      expect(km.fromX[8 + code]).toBe(code);
    });
    expect(km.fromX[8 + KEY_NAMES.length]).toBe(-1);
  });

  it('a layout that lacks keys fleetsim types is refused, naming them', () => {
    const rows = KEY_NAMES.filter((n) => n !== 'Meta' && n !== ';').map((name) => [keysymOf(name)]);
    let err: unknown;
    try {
      buildKeymap(rows, 8);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).inputCode).toBe('INPUT_DISPLAY_FAILED');
    expect((err as Error).message).toMatch(/no key for ;, Meta/);
  });
});
