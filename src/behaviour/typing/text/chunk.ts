import { EventFlag, type InputContextCode } from '../../../events/index.js';
import { ASCII_KEY, ASCII_SHIFT } from '../key-tables.js';

/** Character flag: the character needs Shift. */
export const CHAR_SHIFT = 8;
/** Character flag: a separator that follows the end of a sentence (the typist may pause longer here). */
export const CHAR_SENTENCE_END = 16;
/** Character flag: part of a planted secret; same bit as EventFlag.canary so it can be OR-ed into events. */
export const CHAR_CANARY = EventFlag.canary;

/**
 * One stretch of text typed into one field or window (a chat message, a
 * paragraph, a few lines of code, a password), already turned into key codes
 * so that typing it is array indexing.
 */
export interface TextChunk {
  readonly context: InputContextCode;
  readonly length: number;
  /** Key code per character. */
  readonly code: Int16Array;
  /** CHAR_SHIFT | CHAR_SENTENCE_END | CHAR_CANARY per character. */
  readonly charFlags: Uint8Array;
}

/** Builds chunks into reusable typed arrays (grown by doubling, so allocation is amortised away). */
export class ChunkBuilder implements TextChunk {
  context: InputContextCode = 0;
  length = 0;
  // Small to start (it grows to the longest chunk): every laptop of a real-time run keeps one.
  code = new Int16Array(128);
  charFlags = new Uint8Array(128);
  /** Planted secrets in the order typed; shared with the TextSource. */
  readonly canaries: string[] = [];

  begin(context: InputContextCode): void {
    this.context = context;
    this.length = 0;
  }

  /** Appends a character by char code; characters the layout cannot type are skipped. */
  char(cc: number, flags = 0): void {
    if (cc >= 128) return;
    const k = ASCII_KEY[cc]!;
    if (k < 0) return;
    if (this.length === this.code.length) this.grow();
    const i = this.length++;
    this.code[i] = k;
    this.charFlags[i] = flags | (ASCII_SHIFT[cc]! === 1 ? CHAR_SHIFT : 0);
  }

  text(s: string, flags = 0): void {
    for (let i = 0; i < s.length; i++) this.char(s.charCodeAt(i), flags);
  }

  /** Appends s with its first letter upper-case (without building a new string). */
  capitalised(s: string): void {
    if (s.length === 0) return;
    const c0 = s.charCodeAt(0);
    this.char(c0 >= 97 && c0 <= 122 ? c0 - 32 : c0);
    for (let i = 1; i < s.length; i++) this.char(s.charCodeAt(i));
  }

  /** Appends a planted secret: every character carries the canary flag, and the string is recorded. */
  secret(s: string): void {
    this.canaries.push(s);
    this.text(s, CHAR_CANARY);
  }

  /** Flags the last character appended (e.g. the final Enter of a paragraph) as a sentence end. */
  markSentenceEnd(): void {
    if (this.length > 0) this.charFlags[this.length - 1]! |= CHAR_SENTENCE_END;
  }

  /** The text of the chunk back from key codes (tests and debugging). */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.length; i++) s += keyChar(this.code[i]!, (this.charFlags[i]! & CHAR_SHIFT) !== 0);
    return s;
  }

  private grow(): void {
    const code = new Int16Array(this.code.length * 2);
    code.set(this.code);
    const flags = new Uint8Array(this.charFlags.length * 2);
    flags.set(this.charFlags);
    this.code = code;
    this.charFlags = flags;
  }
}

/** Reverse of ASCII_KEY/ASCII_SHIFT: the character a key (with or without Shift) types, '' if none. */
const KEY_CHAR_PLAIN: string[] = [];
const KEY_CHAR_SHIFTED: string[] = [];
for (let c = 0; c < 128; c++) {
  const k = ASCII_KEY[c]!;
  if (k < 0) continue;
  const table = ASCII_SHIFT[c] === 1 ? KEY_CHAR_SHIFTED : KEY_CHAR_PLAIN;
  if (table[k] === undefined) table[k] = String.fromCharCode(c);
}

export function keyChar(code: number, shift: boolean): string {
  return (shift ? KEY_CHAR_SHIFTED[code] : KEY_CHAR_PLAIN[code]) ?? '';
}
