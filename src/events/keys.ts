/**
 * Key codes, a US QWERTY layout with touch-typing finger assignment, and the
 * mapping from characters to the keys (and Shift) that produce them.
 * Finger numbers: 0–3 left pinky→index, 4 left thumb, 5 right thumb, 6–9 right index→pinky.
 */

export const KEY_NAMES = [
  'a',
  'b',
  'c',
  'd',
  'e',
  'f',
  'g',
  'h',
  'i',
  'j',
  'k',
  'l',
  'm',
  'n',
  'o',
  'p',
  'q',
  'r',
  's',
  't',
  'u',
  'v',
  'w',
  'x',
  'y',
  'z',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '`',
  '-',
  '=',
  '[',
  ']',
  '\\',
  ';',
  "'",
  ',',
  '.',
  '/',
  'Space',
  'Enter',
  'Backspace',
  'Tab',
  'Shift',
  'Control',
  'Alt',
  'Meta',
  'CapsLock',
  'Escape',
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Delete',
] as const;
export type KeyName = (typeof KEY_NAMES)[number];

const KEY_CODE = new Map<string, number>(KEY_NAMES.map((name, i) => [name, i]));

export function keyCode(name: KeyName): number {
  return KEY_CODE.get(name) as number;
}

export const KEY = {
  space: keyCode('Space'),
  enter: keyCode('Enter'),
  backspace: keyCode('Backspace'),
  tab: keyCode('Tab'),
  shift: keyCode('Shift'),
  control: keyCode('Control'),
} as const;

const FINGER_ROWS: ReadonlyArray<readonly [number, string]> = [
  [0, '`1qaz'],
  [1, '2wsx'],
  [2, '3edc'],
  [3, '45rtfgvb'],
  [6, '67yuhjnm'],
  [7, '8ik,'],
  [8, '9ol.'],
  [9, "0-=p[]\\;'/"],
];

/** Finger per key code (-1 where it does not matter, e.g. arrows). */
export const KEY_FINGER: Int8Array = (() => {
  const finger = new Int8Array(KEY_NAMES.length).fill(-1);
  for (const [f, chars] of FINGER_ROWS) for (const c of chars) finger[KEY_CODE.get(c) as number] = f;
  finger[KEY.space] = 5;
  finger[KEY.enter] = 9;
  finger[KEY.backspace] = 9;
  finger[KEY.tab] = 0;
  finger[KEY.shift] = 0;
  finger[keyCode('CapsLock')] = 0;
  finger[KEY.control] = 0;
  return finger;
})();

/** 0 left, 1 right, -1 unknown. */
export function keyHand(code: number): number {
  const f = KEY_FINGER[code] ?? -1;
  return f < 0 ? -1 : f < 5 ? 0 : 1;
}

const SHIFTED: Readonly<Record<string, string>> = {
  '~': '`',
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: '-',
  '+': '=',
  '{': '[',
  '}': ']',
  '|': '\\',
  ':': ';',
  '"': "'",
  '<': ',',
  '>': '.',
  '?': '/',
};

/** How a character is typed: key code, and whether Shift is held. */
export interface KeyStroke {
  readonly code: number;
  readonly shift: boolean;
}

const STROKE_CACHE = new Map<string, KeyStroke | null>();

/** The keystroke for a character, or null for characters the layout cannot type (they are skipped). */
export function strokeFor(ch: string): KeyStroke | null {
  const cached = STROKE_CACHE.get(ch);
  if (cached !== undefined) return cached;
  let stroke: KeyStroke | null = null;
  if (ch === ' ') stroke = { code: KEY.space, shift: false };
  else if (ch === '\n') stroke = { code: KEY.enter, shift: false };
  else if (ch === '\t') stroke = { code: KEY.tab, shift: false };
  else if (KEY_CODE.has(ch) && ch.length === 1) stroke = { code: KEY_CODE.get(ch) as number, shift: false };
  else if (ch.length === 1 && ch >= 'A' && ch <= 'Z') stroke = { code: KEY_CODE.get(ch.toLowerCase()) as number, shift: true };
  else if (SHIFTED[ch] !== undefined) stroke = { code: KEY_CODE.get(SHIFTED[ch]) as number, shift: true };
  STROKE_CACHE.set(ch, stroke);
  return stroke;
}

export function keyName(code: number): string {
  return KEY_NAMES[code] ?? `key${code}`;
}

const SHIFTED_BY_KEY: Readonly<Record<string, string>> = {
  '`': '~',
  '1': '!',
  '2': '@',
  '3': '#',
  '4': '$',
  '5': '%',
  '6': '^',
  '7': '&',
  '8': '*',
  '9': '(',
  '0': ')',
  '-': '_',
  '=': '+',
  '[': '{',
  ']': '}',
  '\\': '|',
  ';': ':',
  "'": '"',
  ',': '<',
  '.': '>',
  '/': '?',
};

/** The character a key types, given Shift; '' for keys that type nothing; '\b' for Backspace. */
export function charFor(code: number, shift: boolean): string {
  if (code === KEY.backspace) return '\b';
  if (code === KEY.space) return ' ';
  if (code === KEY.enter) return '\n';
  if (code === KEY.tab) return '\t';
  const name = keyName(code);
  if (name.length !== 1) return '';
  if (!shift) return name;
  if (name >= 'a' && name <= 'z') return name.toUpperCase();
  return SHIFTED_BY_KEY[name] ?? name;
}
