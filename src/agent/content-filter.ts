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
const CUE_FILLERS = new Set(['is', 'was', 'are', 'my', 'the', 'new', 'number', 'no', 'to', 'for', 'of', '=', ':', '-', 'it', 'now', 'here']);

function isTokenSeparator(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === ',' || ch === ';' || ch === '(' || ch === ')' || ch === '"' || ch === "'" || ch === '<' || ch === '>';
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
  const classes = (/[a-z]/.test(token) ? 1 : 0) + (/[A-Z]/.test(token) ? 1 : 0) + (/\d/.test(token) ? 1 : 0) + (/[^A-Za-z0-9]/.test(token) ? 1 : 0);
  return classes >= 3;
}

export class ContentFilter {
  /** Key events whose code this filter replaced (keydown and keyup both count). */
  redactedEvents = 0;
  private readonly sensitive: Uint8Array;
  private readonly cues: Set<string>;
  private shiftDown = 0;
  // Per key code: batch index of its last keydown, whether its keyup is still to come,
  // whether that keyup must be redacted, and which token / run the keydown joined.
  private readonly lastDown = new Int32Array(256).fill(-1);
  private readonly upPending = new Uint8Array(256);
  private readonly redactUp = new Uint8Array(256);
  private readonly tokenOf = new Int32Array(256);
  private readonly runOf = new Int32Array(256);
  private nextGroup = 1;
  // The open token (between separators): its text and the batch indices of its key events.
  private token: string[] = [];
  private tokenIdx: number[] = [];
  private tokenGroup: number;
  // The open digit run for card numbers and SSNs: digits with single spaces or dashes between, across tokens.
  private run = '';
  private runIdx: number[] = [];
  private runGroup: number;
  /** Separators after the last digit: they join the run only if another digit follows. */
  private runTail: number[] = [];
  private cueCountdown = 0;
  private redactRestOfToken = false;
  private redactRestOfRun = false;

  constructor(private readonly rules: ContentFilterRules = DEFAULT_CONTENT_FILTER_RULES) {
    this.sensitive = new Uint8Array(256);
    for (let c = 0; c < 256; c++) if (isSensitiveContext(c)) this.sensitive[c] = 1;
    for (const c of rules.extraSensitiveContexts) this.sensitive[c & 255] = 1;
    this.cues = new Set(rules.cueWords.map((w) => w.toLowerCase()));
    this.tokenGroup = this.nextGroup++;
    this.runGroup = this.nextGroup++;
  }

  /** Feeds the key event at batch index i (keys is the batch's key column). */
  onKey(keys: Int16Array, i: number, type: number, context: number): void {
    const code = keys[i] as number;
    if (code < 0 || code > 255) return;
    if (type === EventType.keyup) {
      this.upPending[code] = 0;
      if (code === KEY.shift) this.shiftDown = Math.max(0, this.shiftDown - 1);
      if (this.redactUp[code]) {
        this.redactUp[code] = 0;
        this.redactIndex(keys, i);
        return;
      }
      if (this.tokenOf[code] === this.tokenGroup) this.tokenIdx.push(i);
      if (this.runOf[code] === this.runGroup) this.runIdx.push(i);
      return;
    }
    if (type !== EventType.keydown) return;
    this.lastDown[code] = i;
    this.upPending[code] = 1;
    this.redactUp[code] = 0;
    this.tokenOf[code] = 0;
    this.runOf[code] = 0;
    if (code === KEY.shift) {
      this.shiftDown++;
      return;
    }
    if (this.sensitive[context]) {
      this.redactIndex(keys, i);
      this.redactUp[code] = 1;
      return;
    }
    const ch = charFor(code, this.shiftDown > 0);
    if (ch === '') return;
    if (ch === '\b') {
      this.token.pop();
      if (this.run.length > 0) this.run = this.run.slice(0, -1);
      return;
    }
    this.feedRun(keys, i, code, ch);
    if (isTokenSeparator(ch)) {
      this.closeToken(keys);
      return;
    }
    this.token.push(ch);
    this.tokenIdx.push(i);
    this.tokenOf[code] = this.tokenGroup;
    if (this.redactRestOfToken) this.redactIndices(keys, this.tokenIdx);
  }

  /**
   * The batch is sealed: indices restart at 0 in the next one. Redact what
   * could still become sensitive, and remember to redact its remainder.
   */
  onSeal(keys: Int16Array): void {
    if (this.run.replace(/\D/g, '').length >= 4 || (this.redactRestOfRun && this.run.length > 0)) {
      this.redactIndices(keys, this.runIdx);
      this.redactRestOfRun = true;
    }
    const text = this.token.join('');
    if (text.length > 0 && (this.redactRestOfToken || this.cueCountdown > 0 || text.includes('@') || (text.length >= 4 && /\d/.test(text)))) {
      this.redactIndices(keys, this.tokenIdx);
      this.redactRestOfToken = true;
    }
    this.tokenIdx = [];
    this.runIdx = [];
    this.runTail = [];
    this.lastDown.fill(-1);
  }

  private feedRun(keys: Int16Array, i: number, code: number, ch: string): void {
    const digit = ch >= '0' && ch <= '9';
    if (digit) {
      for (const t of this.runTail) {
        this.runIdx.push(t);
        const c = keys[t] as number;
        if (c >= 0 && this.lastDown[c] === t && this.upPending[c]) this.runOf[c] = this.runGroup;
      }
      this.runTail = [];
      this.run += ch;
      this.runIdx.push(i);
      this.runOf[code] = this.runGroup;
      if (this.redactRestOfRun) this.redactIndices(keys, this.runIdx);
      return;
    }
    const joiner = (ch === ' ' || ch === '-') && this.run.length > 0 && this.runTail.length === 0;
    if (joiner) {
      this.run += ch;
      this.runTail.push(i);
      return;
    }
    if (this.run.length > 0) this.closeRun(keys);
  }

  private closeRun(keys: Int16Array): void {
    const run = this.run.replace(/[- ]+$/, '');
    const digits = run.replace(/\D/g, '');
    const sensitive =
      this.redactRestOfRun ||
      (this.rules.cardNumbers && digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) ||
      (this.rules.nationalIds && looksLikeSsn(run));
    if (sensitive) this.redactIndices(keys, this.runIdx);
    this.run = '';
    this.runIdx = [];
    this.runTail = [];
    this.redactRestOfRun = false;
    this.runGroup = this.nextGroup++;
  }

  private closeToken(keys: Int16Array): void {
    if (this.token.length === 0) return;
    const text = this.token.join('');
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
    if (sensitive) this.redactIndices(keys, this.tokenIdx);
    else if (this.cues.has(bare)) this.cueCountdown = 3;
    this.token = [];
    this.tokenIdx = [];
    this.redactRestOfToken = false;
    this.tokenGroup = this.nextGroup++;
  }

  private redactIndices(keys: Int16Array, idx: readonly number[]): void {
    for (const i of idx) {
      const code = keys[i] as number;
      if (code < 0) continue;
      // A keyup still to come must follow its keydown into redaction.
      if (this.lastDown[code] === i && this.upPending[code]) this.redactUp[code] = 1;
      this.redactIndex(keys, i);
    }
  }

  private redactIndex(keys: Int16Array, i: number): void {
    if ((keys[i] as number) === REDACTED_KEY) return;
    keys[i] = REDACTED_KEY;
    this.redactedEvents++;
  }
}
