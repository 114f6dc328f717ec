import { KEY, KEY_FINGER, KEY_NAMES, keyHand, strokeFor } from '../../events/index.js';
import type { TypingModelParams } from './params.js';

/**
 * Lookup tables built once at module load so the per-key hot path is array
 * indexing only: character → key code and Shift, key → QWERTY neighbours,
 * (previous key, key) → IKI context multiplier.
 */

export const KEY_COUNT = KEY_NAMES.length;

/** Key code for each ASCII character (-1: the layout cannot type it). */
export const ASCII_KEY: Int16Array = new Int16Array(128).fill(-1);
/** 1 when the ASCII character needs Shift. */
export const ASCII_SHIFT: Uint8Array = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const stroke = strokeFor(String.fromCharCode(c));
  if (stroke === null) continue;
  ASCII_KEY[c] = stroke.code;
  ASCII_SHIFT[c] = stroke.shift ? 1 : 0;
}

/** True for keys that end a word (the next key is word-initial). */
export function isWordBreakKey(code: number): boolean {
  return code === KEY.space || code === KEY.enter || code === KEY.tab;
}

/** Keys whose typing errors the model simulates: printable characters other than separators. */
export const ERROR_ELIGIBLE: Uint8Array = (() => {
  const ok = new Uint8Array(KEY_COUNT);
  for (let c = 0; c < 128; c++) {
    const k = ASCII_KEY[c]!;
    if (k >= 0 && !isWordBreakKey(k)) ok[k] = 1;
  }
  return ok;
})();

const QWERTY_ROWS = ['1234567890-=', 'qwertyuiop[]', "asdfghjkl;'", 'zxcvbnm,./'];
/** Horizontal offset of each row in key widths (standard row stagger). */
const ROW_OFFSET = [0, 0.5, 0.75, 1.25];

/**
 * Physical neighbours of each key on a US QWERTY board (same row ±1, adjacent
 * rows within one key width): substitution and insertion errors hit these
 * ("fat finger"), which is what makes typos mostly adjacent-key errors.
 */
export const NEIGHBOUR_START: Int16Array = new Int16Array(KEY_COUNT + 1);
export const NEIGHBOURS: Int16Array = (() => {
  const pos = new Map<number, [number, number]>();
  QWERTY_ROWS.forEach((row, r) => {
    for (let i = 0; i < row.length; i++) pos.set(ASCII_KEY[row.charCodeAt(i)]!, [r, i + (ROW_OFFSET[r] ?? 0)]);
  });
  const lists: number[][] = [];
  for (let k = 0; k < KEY_COUNT; k++) {
    const p = pos.get(k);
    const list: number[] = [];
    if (p !== undefined) {
      for (const [other, q] of pos) {
        if (other === k) continue;
        const dr = Math.abs(q[0] - p[0]);
        const dx = Math.abs(q[1] - p[1]);
        if ((dr === 0 && dx <= 1) || (dr === 1 && dx <= 1)) list.push(other);
      }
    }
    lists.push(list);
  }
  const flat: number[] = [];
  for (let k = 0; k < KEY_COUNT; k++) {
    NEIGHBOUR_START[k] = flat.length;
    flat.push(...(lists[k] ?? []));
  }
  NEIGHBOUR_START[KEY_COUNT] = flat.length;
  return Int16Array.from(flat);
})();

/** Bigram classes of BEHAVIOUR.md's context multipliers (and of validation target #8). */
export const BigramClass = {
  other: 0,
  alternateHand: 1,
  sameHand: 2,
  sameFinger: 3,
  repeat: 4,
  wordInitial: 5,
  beforeSpace: 6,
} as const;

const THUMB_FINGERS_MIN = 4;
const THUMB_FINGERS_MAX = 5;

/**
 * Class of the transition prev → next. Separators (thumb keys, Enter, Tab) take
 * the word-initial / before-space classes; letter pairs take the hand/finger ones.
 */
export function bigramClass(prev: number, next: number): number {
  if (prev < 0) return BigramClass.other;
  const prevBreak = isWordBreakKey(prev);
  const nextBreak = isWordBreakKey(next);
  if (nextBreak) return prevBreak ? BigramClass.other : BigramClass.beforeSpace;
  if (prevBreak) return BigramClass.wordInitial;
  if (prev === next) return BigramClass.repeat;
  const fp = KEY_FINGER[prev] ?? -1;
  const fn = KEY_FINGER[next] ?? -1;
  if (fp < 0 || fn < 0) return BigramClass.other;
  if ((fp >= THUMB_FINGERS_MIN && fp <= THUMB_FINGERS_MAX) || (fn >= THUMB_FINGERS_MIN && fn <= THUMB_FINGERS_MAX))
    return BigramClass.other;
  if (keyHand(prev) !== keyHand(next)) return BigramClass.alternateHand;
  return fp === fn ? BigramClass.sameFinger : BigramClass.sameHand;
}

/** Class per (prev, next) pair, flattened prev * KEY_COUNT + next. */
export const BIGRAM_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(KEY_COUNT * KEY_COUNT);
  for (let p = 0; p < KEY_COUNT; p++) for (let n = 0; n < KEY_COUNT; n++) t[p * KEY_COUNT + n] = bigramClass(p, n);
  return t;
})();

/** Un-normalised multiplier per bigram class, in BigramClass order. */
export function classFactors(p: TypingModelParams): Float64Array {
  return Float64Array.from([
    1,
    p.alternateHandFactor,
    p.sameHandFactor,
    p.sameFingerFactor,
    p.repeatKeyFactor,
    p.wordInitialFactor,
    p.beforeSpaceFactor,
  ]);
}
