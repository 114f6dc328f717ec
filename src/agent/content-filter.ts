import { EventType, KEY, REDACTED_KEY, charFor, isSensitiveContext } from '../events/index.js';

export { charFor };

/**
 * Keeps sensitive content on the laptop. Two rules:
 * 1. Keystrokes in sensitive contexts (password, payment, national-id fields,
 *    private windows, configured apps) lose their key code at once.
 * 2. Elsewhere the typed text is rebuilt from the keystrokes (Shift, Backspace,
 *    rollover) and tokens that look sensitive — Luhn-valid card numbers (also
 *    typed in groups), US SSNs, e-mail addresses, password-like strings, and the
 *    word after a cue such as "password" — are redacted retroactively in the
 *    batch still being built. A token still open when the batch is sealed is
 *    redacted if it could still turn out sensitive, and so is its remainder.
 * Redaction replaces the key code with REDACTED_KEY and keeps timing.
 */
export interface ContentFilterRules {
  /** Extra context codes treated as sensitive (configured apps); the built-in sensitive contexts always are. */
  readonly extraSensitiveContexts: readonly number[];
  readonly cardNumbers: boolean;
  readonly nationalIds: boolean;
  readonly emails: boolean;
  /** Password-like tokens: at least `secretMinLength` characters, a digit, and three character classes. */
  readonly secrets: boolean;
  readonly secretMinLength: number;
  /** Words after which the next token is redacted ("my password is hunter2"). */
  readonly cueWords: readonly string[];
}

export const DEFAULT_CONTENT_FILTER_RULES: ContentFilterRules = {
  extraSensitiveContexts: [],
  cardNumbers: true,
  nationalIds: true,
  emails: true,
  secrets: true,
  secretMinLength: 10,
  cueWords: ['password', 'passwd', 'pwd', 'passcode', 'passphrase', 'pin', 'ssn', 'card', 'cvv', 'secret', 'token', 'key'],
};

/** Cue fillers skipped before the redacted token ("password is X", "pin: X"). */
const CUE_FILLERS = new Set([
  'is',
  'was',
  'are',
  'my',
  'the',
  'new',
  'number',
  'no',
  'to',
  'for',
  'of',
  '=',
  ':',
  '-',
  'it',
  'now',
  'here',
]);

function isTokenSeparator(ch: string): boolean {
  return (
    ch === ' ' ||
    ch === '\n' ||
    ch === '\t' ||
    ch === ',' ||
    ch === ';' ||
    ch === '(' ||
    ch === ')' ||
    ch === '"' ||
    ch === "'" ||
    ch === '<' ||
    ch === '>'
  );
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function looksLikeSsn(run: string): boolean {
  const m = /^(\d{3})[- ]?(\d{2})[- ]?(\d{4})$/.exec(run);
  if (!m) return false;
  const area = Number(m[1]);
  return area >= 1 && area <= 899 && area !== 666 && Number(m[2]) >= 1 && Number(m[3]) >= 1;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;

export function looksLikeSecret(token: string, minLength: number): boolean {
  if (token.length < minLength || !/\d/.test(token)) return false;
  const classes =
    (/[a-z]/.test(token) ? 1 : 0) + (/[A-Z]/.test(token) ? 1 : 0) + (/\d/.test(token) ? 1 : 0) + (/[^A-Za-z0-9]/.test(token) ? 1 : 0);
  return classes >= 3;
}

/**
 * A character of the text being typed, and the batch indices of the key events
 * that produced it: keydown and keyup, and those of any character typed after
 * it and erased. `idx[0..n)` holds them; the array is kept when the character
 * is reused, so typing allocates nothing once a laptop's edit buffer is full.
 */
interface TypedChar {
  ch: string;
  idx: number[];
  n: number;
}

function addIndex(c: TypedChar, i: number): void {
  c.idx[c.n++] = i;
}

/** A key held down: its keydown's batch index (-1 once that batch is sealed), whether its keyup must be redacted, the character it typed. */
interface HeldKey {
  code: number;
  down: number;
  redactUp: boolean;
  char: TypedChar | null;
}

/** How much typed text the filter remembers: longer than any secret it looks for. */
const EDIT_BUFFER_CHARS = 256;

/**
 * The edit buffer's characters, oldest first: the window [start, end) of an
 * array that only grows. Forgetting the oldest moves `start`, and the window
 * moves back to the front once `start` has gone EDIT_BUFFER_CHARS along.
 * (Array.splice at the front made V8 reallocate the array's store every
 * hundred-odd characters typed, each store living long enough to be promoted.)
 */
class CharWindow {
  private readonly chars: TypedChar[] = [];
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** The k-th character from the oldest (0 ≤ k < length). */
  at(k: number): TypedChar {
    return this.chars[this.start + k] as TypedChar;
  }

  push(c: TypedChar): void {
    this.chars[this.end++] = c;
  }

  pop(): TypedChar | undefined {
    return this.end > this.start ? this.chars[--this.end] : undefined;
  }

  /** Forgets the n oldest characters (n ≤ length). */
  dropOldest(n: number): void {
    this.start += n;
    if (this.start < EDIT_BUFFER_CHARS) return;
    const live = this.end - this.start;
    for (let k = 0; k < live; k++) this.chars[k] = this.chars[this.start + k] as TypedChar;
    this.start = 0;
    this.end = live;
  }
}

/**
 * The keys held down (a keyup still to come), a few at a time: slots found by
 * key code and reused from keystroke to keystroke, so typing allocates nothing
 * (a Map's entry objects and the table it reallocates each time it empties
 * lived across a feed slice, long enough to be promoted).
 */
class HeldKeys {
  private readonly slots: HeldKey[] = [];
  /** Slots [0, count) are held keys. */
  count = 0;

  /** The k-th held key (0 ≤ k < count), in no particular order. */
  at(k: number): HeldKey {
    return this.slots[k] as HeldKey;
  }

  find(code: number): HeldKey | undefined {
    for (let k = 0; k < this.count; k++) if ((this.slots[k] as HeldKey).code === code) return this.slots[k];
    return undefined;
  }

  /** `code` goes down at batch index `down`: a fresh hold, also of a key already held (its keyup never came). */
  press(code: number, down: number): HeldKey {
    let h = this.find(code);
    if (h === undefined) {
      h = this.slots[this.count];
      if (h === undefined) {
        h = { code, down, redactUp: false, char: null };
        this.slots.push(h);
      }
      this.count++;
    }
    h.code = code;
    h.down = down;
    h.redactUp = false;
    h.char = null;
    return h;
  }

  /** `code` comes up: its slot is free for the next key pressed. */
  release(code: number): void {
    for (let k = 0; k < this.count; k++) {
      const h = this.slots[k] as HeldKey;
      if (h.code !== code) continue;
      const last = this.count - 1;
      this.slots[k] = this.slots[last] as HeldKey;
      this.slots[last] = h;
      h.char = null;
      this.count = last;
      return;
    }
  }
}

/** Lookup tables derived from a rules object, read-only once built. */
const DERIVED = new WeakMap<ContentFilterRules, { readonly sensitive: Uint8Array; readonly cues: ReadonlySet<string> }>();

export class ContentFilter {
  /** Key events whose code this filter replaced (keydown and keyup both count). */
  redactedEvents = 0;
  private readonly sensitive: Uint8Array;
  private readonly cues: ReadonlySet<string>;
  private shiftDown = 0;
  /**
   * The text as it stands after every Backspace (the edit buffer). Patterns are
   * matched on this, not on the keystroke stream, so a typo corrected inside a
   * card number does not split it in two.
   */
  private readonly text = new CharWindow();
  /**
   * Characters that left the edit buffer, for reuse: a typing laptop types a
   * few a second, and an object per character lives just long enough (256
   * characters) to be promoted, which in a 100,000-laptop run made major
   * collections, and the workers' stalls, frequent.
   */
  private readonly spare: TypedChar[] = [];
  private readonly held = new HeldKeys();
  /** Index in `text` where the open token starts. */
  private tokenStart = 0;
  private cueCountdown = 0;
  /** A run or token still open when a batch was sealed was redacted then; its rest is too. */
  private redactRestOfRun = false;
  private redactRestOfToken = false;

  constructor(private readonly rules: ContentFilterRules = DEFAULT_CONTENT_FILTER_RULES) {
    // A fleet's agents share their rules object, so they share what is derived from it.
    let derived = DERIVED.get(rules);
    if (derived === undefined) {
      const sensitive = new Uint8Array(256);
      for (let c = 0; c < 256; c++) if (isSensitiveContext(c)) sensitive[c] = 1;
      for (const c of rules.extraSensitiveContexts) sensitive[c & 255] = 1;
      derived = { sensitive, cues: new Set(rules.cueWords.map((w) => w.toLowerCase())) };
      DERIVED.set(rules, derived);
    }
    this.sensitive = derived.sensitive;
    this.cues = derived.cues;
  }

  /** Feeds the key event at batch index i (keys is the batch's key column). */
  onKey(keys: Int16Array, i: number, type: number, context: number): void {
    const code = keys[i] as number;
    if (code < 0 || code > 255) return;
    if (type === EventType.keyup) {
      const h = this.held.find(code);
      const redactUp = h?.redactUp ?? false;
      const char = h?.char ?? null;
      this.held.release(code);
      if (code === KEY.shift) this.shiftDown = Math.max(0, this.shiftDown - 1);
      if (redactUp) this.redactIndex(keys, i);
      else if (char !== null) addIndex(char, i);
      return;
    }
    if (type !== EventType.keydown) return;
    const h = this.held.press(code, i);
    if (code === KEY.shift) {
      this.shiftDown++;
      return;
    }
    if (this.sensitive[context]) {
      this.redactIndex(keys, i);
      h.redactUp = true;
      return;
    }
    const ch = charFor(code, this.shiftDown > 0);
    if (ch === '') return;
    if (ch === '\b') {
      this.erase();
      return;
    }
    const isDigit = ch >= '0' && ch <= '9';
    const joinsRun = isDigit || ch === ' ' || ch === '-';
    // A character that cannot continue a number ends the run before it: check it now.
    if (!joinsRun) this.checkRun(keys, this.text.length);
    if (isTokenSeparator(ch)) this.closeToken(keys);
    const c = this.newChar(ch, i);
    this.text.push(c);
    h.char = c;
    if (isTokenSeparator(ch)) this.tokenStart = this.text.length;
    if (this.redactRestOfRun && isDigit) this.redactChars(keys, this.runStart(this.text.length), this.text.length);
    else if (this.redactRestOfRun && !joinsRun) this.redactRestOfRun = false;
    if (this.redactRestOfToken && !isTokenSeparator(ch)) this.redactChars(keys, this.text.length - 1, this.text.length);
    if (this.text.length > EDIT_BUFFER_CHARS) this.forget(this.text.length - EDIT_BUFFER_CHARS);
  }

  /**
   * The batch is sealed: indices restart at 0 in the next one. Redact what
   * could still become sensitive, and remember to redact its remainder.
   */
  onSeal(keys: Int16Array): void {
    const end = this.text.length;
    let runFrom = this.runStart(end);
    while (runFrom < end && !/\d/.test(this.text.at(runFrom).ch)) runFrom++;
    const runDigits = this.slice(runFrom, end).replace(/\D/g, '').length;
    if (runDigits >= 4) {
      this.redactChars(keys, runFrom, end);
      this.redactRestOfRun = true;
    }
    const token = this.slice(this.tokenStart, end);
    if (
      token.length > 0 &&
      (this.redactRestOfToken || this.cueCountdown > 0 || token.includes('@') || (token.length >= 4 && /\d/.test(token)))
    ) {
      this.redactChars(keys, this.tokenStart, end);
      this.redactRestOfToken = true;
    }
    // Indices point into the sealed batch: forget them, keep the text.
    for (let k = 0; k < end; k++) this.text.at(k).n = 0;
    // A key still held keeps its redaction for the keyup to come; its keydown is in the sealed batch.
    for (let k = 0; k < this.held.count; k++) {
      const h = this.held.at(k);
      h.down = -1;
      h.char = null;
    }
  }

  /** Backspace: the last character goes; its key events join the one before it (a span redaction covers them). */
  private erase(): void {
    const gone = this.text.pop();
    if (!gone) return;
    if (this.text.length > 0) {
      const prev = this.text.at(this.text.length - 1);
      for (let j = 0; j < gone.n; j++) addIndex(prev, gone.idx[j] as number);
    }
    this.recycle(gone);
    if (this.tokenStart > this.text.length) this.tokenStart = this.lastSeparatorEnd();
  }

  private newChar(ch: string, i: number): TypedChar {
    const c = this.spare.pop();
    // Room for the keydown and keyup from the start: most characters never hold more.
    if (c === undefined) return { ch, idx: [i, 0], n: 1 };
    c.ch = ch;
    c.idx[0] = i;
    c.n = 1;
    return c;
  }

  /** A character left the edit buffer: kept for reuse, and no held key's keyup may land in it once it is reused. */
  private recycle(c: TypedChar): void {
    for (let k = 0; k < this.held.count; k++) {
      const h = this.held.at(k);
      if (h.char === c) h.char = null;
    }
    this.spare.push(c);
  }

  /** Start of the run of digits (with single spaces or dashes between) that ends at `end`. */
  private runStart(end: number): number {
    let k = end;
    while (k > 0) {
      const ch = this.text.at(k - 1).ch;
      if ((ch >= '0' && ch <= '9') || ch === ' ' || ch === '-') k--;
      else break;
    }
    return k;
  }

  /** Checks the run ending at `end` for a card number or an SSN, and redacts it if it is one. */
  private checkRun(keys: Int16Array, end: number): void {
    const from = this.runStart(end);
    if (from === end) return;
    const run = this.slice(from, end).replace(/^[- ]+|[- ]+$/g, '');
    const digits = run.replace(/\D/g, '');
    if (digits.length === 0) return;
    const sensitive =
      this.redactRestOfRun ||
      (this.rules.cardNumbers && digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && !/[- ]{2}/.test(run)) ||
      (this.rules.nationalIds && looksLikeSsn(run));
    if (sensitive) {
      // Leave separators at the ends alone: they are not part of the number.
      let a = from;
      while (a < end && !/\d/.test(this.text.at(a).ch)) a++;
      let b = end;
      while (b > a && !/\d/.test(this.text.at(b - 1).ch)) b--;
      this.redactChars(keys, a, b);
    }
    this.redactRestOfRun = false;
  }

  private closeToken(keys: Int16Array): void {
    const end = this.text.length;
    if (this.tokenStart >= end) return;
    const text = this.slice(this.tokenStart, end);
    const bare = text.toLowerCase().replace(/[.,:;=!?]+$/, '');
    let sensitive = this.redactRestOfToken;
    if (!sensitive && this.cueCountdown > 0) {
      // After a cue and a few fillers ("password is", "pin:"), the first other token is
      // redacted if it looks like a value (a digit or a symbol); either way the cue ends there.
      if (CUE_FILLERS.has(bare)) this.cueCountdown--;
      else {
        sensitive = /[^A-Za-z]/.test(text.replace(/[.,:;!?]+$/, ''));
        this.cueCountdown = 0;
      }
    }
    if (!sensitive && this.rules.emails && EMAIL.test(text.replace(/[.,;:!?]+$/, ''))) sensitive = true;
    if (!sensitive && this.rules.secrets && looksLikeSecret(text, this.rules.secretMinLength)) sensitive = true;
    if (sensitive) this.redactChars(keys, this.tokenStart, end);
    else if (this.cues.has(bare)) this.cueCountdown = 3;
    this.redactRestOfToken = false;
  }

  private slice(from: number, to: number): string {
    let s = '';
    for (let k = from; k < to; k++) s += this.text.at(k).ch;
    return s;
  }

  private lastSeparatorEnd(): number {
    for (let k = this.text.length; k > 0; k--) if (isTokenSeparator(this.text.at(k - 1).ch)) return k;
    return 0;
  }

  /** Drops the oldest characters: patterns never span that far. */
  private forget(n: number): void {
    for (let k = 0; k < n; k++) this.recycle(this.text.at(k));
    this.text.dropOldest(n);
    this.tokenStart = Math.max(0, this.tokenStart - n);
  }

  private redactChars(keys: Int16Array, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const c = this.text.at(k);
      for (let j = 0; j < c.n; j++) {
        const i = c.idx[j] as number;
        const code = keys[i] as number;
        if (code < 0) continue;
        // A keyup still to come must follow its keydown into redaction.
        const h = this.held.find(code);
        if (h !== undefined && h.down === i) h.redactUp = true;
        this.redactIndex(keys, i);
      }
    }
  }

  private redactIndex(keys: Int16Array, i: number): void {
    if ((keys[i] as number) === REDACTED_KEY) return;
    keys[i] = REDACTED_KEY;
    this.redactedEvents++;
  }
}
