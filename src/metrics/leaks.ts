import { EventType, KEY, REDACTED_KEY, charFor, type EventBlock } from '../events/index.js';

/**
 * The text anyone holding these events could rebuild from the keystrokes
 * (Shift applied, Backspace honoured). A redacted keystroke becomes U+0000,
 * which no secret contains, so it breaks any match across it.
 */
export function rebuildTypedText(blocks: Iterable<EventBlock>): string {
  const t = new TypedText();
  for (const e of blocks) t.add(e);
  return t.text();
}

/** The same text built block by block as uploads are acknowledged: holds characters, not events. */
export class TypedText {
  private shift = 0;
  private readonly out: string[] = [];

  add(e: EventBlock): void {
    for (let i = 0; i < e.length; i++) {
      const type = e.type[i];
      const key = e.key[i] as number;
      if (type === EventType.keyup) {
        if (key === KEY.shift) this.shift = Math.max(0, this.shift - 1);
        continue;
      }
      if (type !== EventType.keydown) continue;
      if (key === KEY.shift) this.shift++;
      else if (key === REDACTED_KEY) this.out.push('\u0000');
      else {
        const ch = charFor(key, this.shift > 0);
        if (ch === '\b') this.out.pop();
        else if (ch !== '') this.out.push(ch);
      }
    }
  }

  text(): string {
    return this.out.join('');
  }
}

/**
 * Secrets shorter than this (a CVV, an expiry date) occur in ordinary text by
 * chance, so a search cannot tell a leak from a coincidence; they are planted
 * in sensitive fields, whose rule (redact everything) is tested on its own.
 */
export const MIN_SCANNABLE_CANARY_CHARS = 8;

/** Whether a search of stored text can meaningfully look for this secret. */
export function isScannableCanary(secret: string): boolean {
  return secret.replace(/[\s-]/g, '').length >= MIN_SCANNABLE_CANARY_CHARS;
}

/**
 * How many planted secrets (of those long enough to search for) can be found
 * in the text, verbatim or, for numbers such as card numbers and SSNs, with
 * their spaces and dashes taken out.
 */
export function countLeakedCanaries(text: string, canaries: readonly string[]): number {
  let squeezed: string | null = null;
  let leaked = 0;
  for (const secret of canaries) {
    if (!isScannableCanary(secret)) continue;
    if (text.includes(secret)) {
      leaked++;
      continue;
    }
    if (/^[\d\s-]+$/.test(secret)) {
      squeezed ??= text.replace(/[\s-]/g, '');
      if (squeezed.includes(secret.replace(/[\s-]/g, ''))) leaked++;
    }
  }
  return leaked;
}
