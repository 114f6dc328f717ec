/**
 * How the input context reaches an agent over X11.
 *
 * The context (password field, code editor, chat, …) is not part of an X
 * input event: a real agent learns it from the window that has the focus
 * (its class, title, accessibility role). Xvfb runs no applications, so the
 * driver stands in for the focused window: it writes the current context as
 * a CARDINAL property `_FLEETSIM_INPUT_CONTEXT` on the root window whenever
 * the context changes, before the first event that carries the new one.
 *
 * The RECORD source records the driver's ChangeProperty request in the same
 * RECORD stream as the device events. The X server serialises both, so the
 * tag applies exactly from the next recorded event on: watching PropertyNotify
 * on another connection and asking for the value would race the input stream.
 * An agent that does not use RECORD (XInput2, a foreign agent) reads the
 * property on PropertyNotify instead, as it would read the focused window.
 *
 * `_FLEETSIM_INPUT_LISTENING` is set on the root window by the fleetsim source
 * once its capture is live (value: the agent's pid), so the driver knows when
 * injecting starts to count.
 */
export const CONTEXT_ATOM_NAME = '_FLEETSIM_INPUT_CONTEXT';
export const LISTENING_ATOM_NAME = '_FLEETSIM_INPUT_LISTENING';
export const TIME_PROBE_ATOM_NAME = '_FLEETSIM_TIME_PROBE';

const CHANGE_PROPERTY_OPCODE = 18;

/**
 * Reads ChangeProperty requests from recorded client data (one or more
 * requests back to back) and returns the last 32-bit value written to
 * `property` on `window`, or null when none of them did.
 */
export function lastPropertyValue(data: Buffer, swapped: boolean, window: number, property: number): number | null {
  const u16 = (o: number) => (swapped ? data.readUInt16BE(o) : data.readUInt16LE(o));
  const u32 = (o: number) => (swapped ? data.readUInt32BE(o) : data.readUInt32LE(o));
  let value: number | null = null;
  let off = 0;
  while (off + 4 <= data.length) {
    let words = u16(off + 2);
    let body = off;
    if (words === 0) {
      // BIG-REQUESTS: a 32-bit length follows the header and shifts the fields by 4 bytes
      if (off + 8 > data.length) break;
      words = u32(off + 4);
      body = off + 4;
    }
    const len = words * 4;
    if (len < 4 || off + len > data.length) break;
    if (data[off] === CHANGE_PROPERTY_OPCODE && body + 28 <= off + len) {
      const format = data[body + 16];
      const count = u32(body + 20);
      if (u32(body + 4) === window && u32(body + 8) === property && format === 32 && count >= 1) value = u32(body + 24);
    }
    off += len;
  }
  return value;
}
