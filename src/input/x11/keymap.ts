/**
 * fleetsim key codes ↔ X keycodes, read from the server's own keyboard
 * mapping (a US layout on Xvfb) rather than assumed: each fleetsim key names
 * the keysym it produces unshifted, and its keycode is the lowest one whose
 * first keysym is that one.
 */
import { KEY_NAMES } from '../../events/index.js';
import { InputError } from '../errors.js';

/** Unshifted keysym of each fleetsim key (X11 keysymdef.h); printable ASCII keys are their own code. */
const NAMED_KEYSYM: Readonly<Record<string, number>> = {
  Space: 0x20,
  Enter: 0xff0d, // Return
  Backspace: 0xff08,
  Tab: 0xff09,
  Shift: 0xffe1, // Shift_L
  Control: 0xffe3, // Control_L
  Alt: 0xffe9, // Alt_L
  Meta: 0xffeb, // Super_L: the Windows/Command key of a PC keyboard
  CapsLock: 0xffe5,
  Escape: 0xff1b,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  Delete: 0xffff,
};

export function keysymOf(name: string): number {
  const named = NAMED_KEYSYM[name];
  if (named !== undefined) return named;
  if (name.length !== 1) throw new Error(`no keysym for key ${name}`);
  return name.charCodeAt(0);
}

export interface Keymap {
  /** X keycode per fleetsim key code. */
  readonly toX: Uint8Array;
  /** fleetsim key code per X keycode (index 0–255), -1 for keys fleetsim does not name. */
  readonly fromX: Int16Array;
}

/**
 * Builds the map from GetKeyboardMapping rows (rows[i] are the keysyms of
 * keycode minKeycode + i). Throws INPUT_DISPLAY_FAILED naming the keys the
 * server's layout cannot type.
 */
export function buildKeymap(rows: readonly (readonly number[])[], minKeycode: number): Keymap {
  const firstCode = new Map<number, number>();
  rows.forEach((syms, i) => {
    const sym = syms[0];
    if (sym !== undefined && sym !== 0 && !firstCode.has(sym)) firstCode.set(sym, minKeycode + i);
  });
  const toX = new Uint8Array(KEY_NAMES.length);
  const fromX = new Int16Array(256).fill(-1);
  const missing: string[] = [];
  KEY_NAMES.forEach((name, code) => {
    const xcode = firstCode.get(keysymOf(name));
    if (xcode === undefined) return void missing.push(name);
    toX[code] = xcode;
    fromX[xcode] = code;
  });
  if (missing.length) {
    throw new InputError(
      'INPUT_DISPLAY_FAILED',
      `the X server's keyboard layout has no key for ${missing.join(', ')}; fleetsim needs a US layout (Xvfb's default)`,
    );
  }
  return { toX, fromX };
}
