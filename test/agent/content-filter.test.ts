import { describe, expect, it } from 'vitest';
import { ContentFilter, luhnValid } from '../../src/agent/content-filter.js';
import { EventType, InputContext, KEY, REDACTED_KEY, charFor, strokeFor } from '../../src/events/index.js';

interface Typed {
  keys: Int16Array;
  types: Uint8Array;
  /** For each event, the index of the character of `text` it types (-1 for Shift). */
  charOf: Int32Array;
}

/** Key events for `text`, each character a keydown then its keyup after the NEXT keydown (rollover), Shift wrapping capitals. */
function type(text: string): Typed {
  const keys: number[] = [];
  const types: number[] = [];
  const charOf: number[] = [];
  let pendingUp: { code: number; ci: number } | null = null;
  const push = (code: number, t: number, ci: number) => {
    keys.push(code);
    types.push(t);
    charOf.push(ci);
  };
  [...text].forEach((ch, ci) => {
    const s = strokeFor(ch);
    if (!s) throw new Error(`cannot type ${ch}`);
    // The same key cannot go down again before it comes up.
    if (pendingUp && pendingUp.code === s.code) {
      push(pendingUp.code, EventType.keyup, pendingUp.ci);
      pendingUp = null;
    }
    if (s.shift) push(KEY.shift, EventType.keydown, -1);
    push(s.code, EventType.keydown, ci);
    if (pendingUp) push(pendingUp.code, EventType.keyup, pendingUp.ci);
    pendingUp = { code: s.code, ci };
    if (s.shift) {
      push(s.code, EventType.keyup, ci);
      pendingUp = null;
      push(KEY.shift, EventType.keyup, -1);
    }
  });
  if (pendingUp) push((pendingUp as { code: number }).code, EventType.keyup, (pendingUp as { ci: number }).ci);
  return { keys: Int16Array.from(keys), types: Uint8Array.from(types), charOf: Int32Array.from(charOf) };
}

/** Runs the filter over the whole text (optionally sealing the batch at event `sealAt`) and returns the characters whose keys survived. */
function filter(
  text: string,
  context: number = InputContext.chat,
  sealAt = -1,
): { kept: string; redactedChars: Set<number>; filter: ContentFilter; typed: Typed } {
  const typed = type(text);
  const f = new ContentFilter();
  for (let i = 0; i < typed.keys.length; i++) {
    if (i === sealAt) f.onSeal(typed.keys);
    f.onKey(typed.keys, i, typed.types[i]!, context);
  }
  f.onSeal(typed.keys);
  const redactedChars = new Set<number>();
  for (let i = 0; i < typed.keys.length; i++)
    if (typed.keys[i] === REDACTED_KEY && typed.charOf[i]! >= 0) redactedChars.add(typed.charOf[i]!);
  // A character leaks if its keydown or keyup kept its code.
  const leaked = new Set<number>();
  for (let i = 0; i < typed.keys.length; i++) if (typed.keys[i] !== REDACTED_KEY && typed.charOf[i]! >= 0) leaked.add(typed.charOf[i]!);
  const kept = [...text].map((c, i) => (leaked.has(i) ? c : '█')).join('');
  return { kept, redactedChars, filter: f, typed };
}

describe('content filter: sensitive contexts', () => {
  it('redacts every key event typed in a password field, keydown and keyup, and keeps Shift', () => {
    const r = filter('Hunter2!pass', InputContext.password);
    expect(r.kept).toBe('████████████');
    expect(r.filter.redactedEvents).toBe(24);
  });
});

describe('content filter: patterns in ordinary text', () => {
  it.each([
    ['a card number typed in groups', 'my card is 4111 1111 1111 1111 thanks', 'my card is ███████████████████ thanks'],
    ['a card number typed without spaces', 'use 5555555555554444 today', 'use ████████████████ today'],
    ['an Amex number in 4-6-5 groups', 'amex 3782 822463 10005 ok', 'amex █████████████████ ok'],
    ['an SSN with dashes', 'ssn on file: 123-45-6789. ok', 'ssn on file: ███████████. ok'],
    ['an SSN without dashes', 'id 123456789 done', 'id █████████ done'],
    ['an e-mail address', 'write to jane.doe42@gmail.com, please', 'write to ████████████████████, please'],
    ['a password after a cue word', 'the password is Table1234! ok', 'the password is ██████████ ok'],
    ['a password-like token with no cue', 'try quick-table-chair42 now', 'try ███████████████████ now'],
  ])('redacts %s and nothing else', (_name, text, expected) => {
    expect(filter(text).kept).toBe(expected);
  });

  it('leaves ordinary prose, numbers and non-Luhn digit runs alone', () => {
    const text = 'We shipped 3 fixes on 2026-03-02 and 1234 5678 9012 3456 is not a card. Meeting at 10:30 in room 4b.';
    expect(filter(text).kept).toBe(text);
  });

  it('follows Backspace: a corrected card number is still caught', () => {
    const typed = 'card 4111 1111 1111 11121';
    // Type "…1112", Backspace twice, then "11": the final text is a valid card number.
    const t = type(typed.slice(0, -3));
    const f = new ContentFilter();
    const keys = [...t.keys];
    const types = [...t.types];
    for (const code of [KEY.backspace, KEY.backspace]) {
      keys.push(code, code);
      types.push(EventType.keydown, EventType.keyup);
    }
    const tail = type('11');
    keys.push(...tail.keys);
    types.push(...tail.types);
    const k = Int16Array.from(keys);
    for (let i = 0; i < k.length; i++) f.onKey(k, i, types[i]!, InputContext.chat);
    const end = type(' ');
    const all = Int16Array.from([...k, ...end.keys]);
    for (let i = k.length; i < all.length; i++) f.onKey(all, i, end.types[i - k.length]!, InputContext.chat);
    f.onSeal(all);
    // Every digit key event of the run (including the erased ones) lost its code.
    const digitEvents = [...all.keys()].filter((i) => i >= 10 && all[i] !== KEY.backspace && all[i] !== KEY.space && i < k.length);
    expect(digitEvents.every((i) => all[i] === REDACTED_KEY)).toBe(true);
    expect(luhnValid('4111111111111111')).toBe(true);
  });

  it('redacts both halves of a card number split across two batches', () => {
    const text = 'pay 4111 1111 1111 1111 now';
    const t = type(text);
    // Seal in the middle of the digits.
    const mid = t.charOf.indexOf(12);
    const r = filter(text, InputContext.chat, mid);
    expect(r.kept).toBe('pay ███████████████████ now');
  });
});

describe('leak scan (what a store could rebuild)', () => {
  it('finds secrets typed in the clear, also regrouped, and not those redacted', async () => {
    const { countLeakedCanaries, rebuildTypedText } = await import('../../src/metrics/leaks.js');
    const { collectingWriter } = await import('../../src/events/index.js');
    const { writer, collect } = collectingWriter();
    const t = type('card 4111-1111-1111-1111 pw Table1234! ok');
    for (let i = 0; i < t.keys.length; i++) writer.push(i, t.types[i]!, t.keys[i]!, 0, 0, 0, InputContext.chat, 0);
    const text = rebuildTypedText([collect()]);
    expect(text).toBe('card 4111-1111-1111-1111 pw Table1234! ok');
    expect(countLeakedCanaries(text, ['4111 1111 1111 1111', 'Table1234!', 'absent-secret'])).toBe(2);
    const filtered = filter('card 4111-1111-1111-1111 pw Table1234! ok');
    const { writer: w2, collect: c2 } = collectingWriter();
    for (let i = 0; i < filtered.typed.keys.length; i++)
      w2.push(i, filtered.typed.types[i]!, filtered.typed.keys[i]!, 0, 0, 0, InputContext.chat, 0);
    expect(countLeakedCanaries(rebuildTypedText([c2()]), ['4111 1111 1111 1111', 'Table1234!'])).toBe(0);
  });
});

describe('content filter: typing errors inside secrets', () => {
  /** Types `before`, a wrong character, Backspace, then `after` (a corrected typo). */
  function withTypo(before: string, typo: string, after: string): { keys: Int16Array; types: Uint8Array } {
    const a = type(before);
    const t = type(typo);
    const b = type(after);
    const keys = [...a.keys, ...t.keys, KEY.backspace, KEY.backspace, ...b.keys];
    const types = [...a.types, ...t.types, EventType.keydown, EventType.keyup, ...b.types];
    return { keys: Int16Array.from(keys), types: Uint8Array.from(types) };
  }

  it.each([
    ['an SSN with a corrected typo', 'my ssn ia 569-3', 'x', '0-1802\nok'],
    ['a card number with a corrected typo', 'my card is 6011 44', 'q', '37 9728 5547. ok'],
    ['an SSN in a form field with a corrected typo (the erased typo is a digit too)', 'Name\t490-3', '5', '4-2276\tRep'],
  ])('catches %s', (_name, before, typo, after) => {
    const t = withTypo(before, typo, after);
    const f = new ContentFilter();
    for (let i = 0; i < t.keys.length; i++) f.onKey(t.keys, i, t.types[i]!, InputContext.chat);
    f.onSeal(t.keys);
    // The only digits typed are the secret's (and an erased typo): none may survive.
    const surviving = [...t.keys]
      .filter((k, i) => t.types[i] === EventType.keydown && k >= 0)
      .map((k) => charFor(k, false))
      .join('');
    expect(surviving).not.toMatch(/\d/);
    expect(surviving.length).toBeGreaterThan(3);
  });
});

describe('content filter: long typing', () => {
  /** `text` followed by prose up to `length` characters, ending in a space. */
  function prose(text: string, length: number): string {
    const filler = 'the quick brown fox jumps over the lazy dog and we ship on time. ';
    let s = text.length === 0 || text.endsWith(' ') ? text : `${text} `;
    while (s.length < length - 1) s += filler.slice(0, Math.min(filler.length, length - 1 - s.length));
    return `${s} `;
  }

  it('keeps catching secrets over 1,500 characters, also where the edit buffer moves back to the front', () => {
    // The buffer remembers 256 characters and moves back to the front after every 256 more (at 512, 768, 1024…):
    // a card number across character 512, an e-mail across 1024, and a card split by a sealed batch later on.
    const card = '4111 1111 1111 1111';
    const email = 'jane.doe42@gmail.com';
    const late = '5555555555554444';
    let text = prose('', 505);
    const cardAt = text.length;
    text = prose(text + card, 1015);
    const emailAt = text.length;
    text = prose(text + email, 1400);
    const lateAt = text.length;
    text = prose(text + late, 1600);
    const expected = [...text]
      .map((c, i) =>
        (i >= cardAt && i < cardAt + card.length) ||
        (i >= emailAt && i < emailAt + email.length) ||
        (i >= lateAt && i < lateAt + late.length)
          ? '█'
          : c,
      )
      .join('');
    const sealAt = type(text).charOf.indexOf(lateAt + 8);
    expect(filter(text, InputContext.chat, sealAt).kept).toBe(expected);
  });

  it('takes a keyup that never came in its stride: the key goes down again and typing goes on', () => {
    const f = new ContentFilter();
    const lost = type('a');
    // "a" goes down twice with no keyup between (a keyup lost), then ordinary typing with a card number.
    const rest = type(' pay 4111 1111 1111 1111 now');
    const keys = Int16Array.from([lost.keys[0]!, lost.keys[0]!, lost.keys[1]!, ...rest.keys]);
    const types = [EventType.keydown, EventType.keydown, EventType.keyup, ...rest.types];
    for (let i = 0; i < keys.length; i++) f.onKey(keys, i, types[i]!, InputContext.chat);
    f.onSeal(keys);
    // The held "a" was released; the card number after it is redacted, keydown and keyup, and nothing else.
    expect([...keys.slice(0, 3)]).toEqual([lost.keys[0], lost.keys[0], lost.keys[1]]);
    const text = ' pay 4111 1111 1111 1111 now';
    const leaked = new Set<number>();
    for (let i = 0; i < rest.keys.length; i++) if (keys[i + 3] !== REDACTED_KEY && rest.charOf[i]! >= 0) leaked.add(rest.charOf[i]!);
    expect([...text].map((c, i) => (leaked.has(i) ? c : '█')).join('')).toBe(' pay ███████████████████ now');
  });
});
