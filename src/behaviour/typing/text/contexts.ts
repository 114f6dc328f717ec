import { InputContext } from '../../../events/index.js';
import { type RandomStream } from '../../../random/index.js';
import { CHAR_SENTENCE_END, type ChunkBuilder } from './chunk.js';
import { CHAT_SENTENCE, CHAT_SENTENCE_CAPITALISED, PROSE_SENTENCE, proseWord, sentence, sentences } from './prose.js';
import { cardCvv, cardExpiry, cardNumber, password, personalEmail, socialSecurityNumber } from './secrets.js';
import {
  ADJECTIVES,
  BUZZ_NOUNS,
  BUZZ_VERBS,
  CHAT_REPLIES,
  CITIES,
  DB_COLUMNS,
  DEPARTMENTS,
  drawFrom,
  FIRST_NAMES,
  HACKER_ADJECTIVES,
  HACKER_NOUNS,
  HACKER_VERBS,
  JOB_AREAS,
  JOB_TYPES,
  LAST_NAMES,
  NOUNS,
  STREET_SUFFIXES,
  VERBS,
} from './words.js';

/**
 * One generator per input context: each appends one chunk (what is typed into
 * one field or window before focus moves on). Sizes and shapes are assumptions
 * meant to look like office work: a paragraph of a document, a chat message,
 * a few lines of code, a web form, an e-mail, a login.
 */

export const TYPING_CONTEXT_NAMES = [
  'text',
  'chat',
  'code',
  'form',
  'email',
  'password',
  'payment',
  'national_id',
  'private_window',
] as const;
export type TypingContextName = (typeof TYPING_CONTEXT_NAMES)[number];

const TAB = 9;
const ENTER = 10;

function intBetween(rng: RandomStream, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

function digits(b: ChunkBuilder, rng: RandomStream, n: number): void {
  for (let i = 0; i < n; i++) b.char(48 + Math.floor(rng.next() * 10));
}

/**
 * A secret typed where no sensitive field protects it (an e-mail address or a
 * card number pasted into chat, an SSN written in a document), led in by a
 * short phrase. Only the secret itself carries the canary flag.
 */
function ordinarySecret(b: ChunkBuilder, rng: RandomStream): void {
  const u = rng.next();
  if (u < 0.4) {
    b.text('you can reach me at ');
    b.secret(personalEmail(rng));
  } else if (u < 0.65) {
    b.text('my card is ');
    b.secret(cardNumber(rng));
  } else if (u < 0.85) {
    b.text('the password is ');
    b.secret(password(rng));
  } else {
    b.text('my ssn is ');
    b.secret(socialSecurityNumber(rng));
  }
}

/** A paragraph of a document: 1–4 sentences and Enter. */
export function textChunk(b: ChunkBuilder, rng: RandomStream, secretRate: number): void {
  b.begin(InputContext.text);
  sentences(b, rng, intBetween(rng, 1, 4), PROSE_SENTENCE);
  if (rng.next() < secretRate) {
    b.char(32, CHAR_SENTENCE_END);
    ordinarySecret(b, rng);
    b.char(46);
  }
  b.char(ENTER);
  b.markSentenceEnd();
}

/** A chat message: a short reply or a short sentence, then Enter to send. */
export function chatChunk(b: ChunkBuilder, rng: RandomStream, secretRate: number): void {
  b.begin(InputContext.chat);
  if (rng.next() < secretRate) ordinarySecret(b, rng);
  else if (rng.next() < 0.3) b.text(drawFrom(rng, CHAT_REPLIES));
  else sentence(b, rng, rng.next() < 0.3 ? CHAT_SENTENCE_CAPITALISED : CHAT_SENTENCE);
  b.char(ENTER);
  b.markSentenceEnd();
}

function identifierWord(rng: RandomStream): string {
  const u = rng.next();
  if (u < 0.35) return drawFrom(rng, HACKER_NOUNS);
  if (u < 0.55) return drawFrom(rng, DB_COLUMNS).toLowerCase();
  if (u < 0.8) return drawFrom(rng, NOUNS);
  return drawFrom(rng, HACKER_ADJECTIVES);
}

/** camelCase identifier of 1–3 words. */
function identifier(b: ChunkBuilder, rng: RandomStream, pascal = false): void {
  const n = intBetween(rng, 1, 3);
  for (let i = 0; i < n; i++) {
    const w = identifierWord(rng);
    if (i > 0 || pascal) b.capitalised(w);
    else b.text(w);
  }
}

function smallNumber(b: ChunkBuilder, rng: RandomStream): void {
  b.text(String(Math.floor(rng.next() * (rng.next() < 0.7 ? 10 : 1000))));
}

/** One line of TypeScript-flavoured code (assumption: a handful of common statement shapes). */
function codeLine(b: ChunkBuilder, rng: RandomStream): void {
  switch (Math.floor(rng.next() * 12)) {
    case 0:
      b.text('const ');
      identifier(b, rng);
      b.text(' = ');
      identifier(b, rng);
      b.char(40);
      identifier(b, rng);
      b.text(', ');
      smallNumber(b, rng);
      b.text(');');
      break;
    case 1:
      b.text('if (');
      identifier(b, rng);
      b.text(' === ');
      identifier(b, rng);
      b.text(') {');
      break;
    case 2:
      b.text('return ');
      identifier(b, rng);
      b.char(46);
      b.text(drawFrom(rng, HACKER_VERBS));
      b.char(40);
      identifier(b, rng);
      b.text(');');
      break;
    case 3:
      b.char(125);
      break;
    case 4:
      b.text('for (const ');
      b.text(drawFrom(rng, NOUNS));
      b.text(' of ');
      identifier(b, rng);
      b.text(') {');
      break;
    case 5:
      b.text('await ');
      identifier(b, rng);
      b.char(46);
      b.text(drawFrom(rng, VERBS));
      b.text('();');
      break;
    case 6:
      b.text('// ');
      for (let i = intBetween(rng, 3, 8); i > 0; i--) {
        b.text(proseWord(rng));
        if (i > 1) b.char(32);
      }
      break;
    case 7:
      b.text('import { ');
      identifier(b, rng, true);
      b.text(" } from './");
      b.text(drawFrom(rng, HACKER_NOUNS));
      b.text(".js';");
      break;
    case 8:
      b.text('export function ');
      identifier(b, rng);
      b.char(40);
      identifier(b, rng);
      b.text(': ');
      identifier(b, rng, true);
      b.text('): ');
      identifier(b, rng, true);
      b.text(' {');
      break;
    case 9:
      b.text('expect(');
      identifier(b, rng);
      b.text(').toBe(');
      smallNumber(b, rng);
      b.text(');');
      break;
    case 10:
      identifier(b, rng);
      b.text(': ');
      smallNumber(b, rng);
      b.char(44);
      break;
    default:
      b.text('let ');
      identifier(b, rng);
      b.text(' = ');
      identifier(b, rng);
      b.text('.length;');
  }
}

/** 1–6 lines of code, each ended by Enter (the editor indents). */
export function codeChunk(b: ChunkBuilder, rng: RandomStream): void {
  b.begin(InputContext.code);
  for (let i = intBetween(rng, 1, 6); i > 0; i--) {
    codeLine(b, rng);
    b.char(ENTER);
  }
  b.markSentenceEnd();
}

function formField(b: ChunkBuilder, rng: RandomStream): void {
  switch (Math.floor(rng.next() * 9)) {
    case 0:
      b.text(drawFrom(rng, FIRST_NAMES));
      b.char(32);
      b.text(drawFrom(rng, LAST_NAMES));
      break;
    case 1:
      b.text(String(intBetween(rng, 1, 9999)));
      b.char(32);
      b.text(drawFrom(rng, LAST_NAMES));
      b.char(32);
      b.text(drawFrom(rng, STREET_SUFFIXES));
      break;
    case 2:
      b.text(drawFrom(rng, CITIES));
      break;
    case 3:
      digits(b, rng, 5);
      break;
    case 4:
      b.char(40);
      digits(b, rng, 3);
      b.text(') ');
      digits(b, rng, 3);
      b.char(45);
      digits(b, rng, 4);
      break;
    case 5:
      b.text(String(intBetween(rng, 1, 12)).padStart(2, '0'));
      b.char(47);
      b.text(String(intBetween(rng, 1, 28)).padStart(2, '0'));
      b.char(47);
      b.text(String(intBetween(rng, 2024, 2027)));
      break;
    case 6:
      b.text(drawFrom(rng, JOB_AREAS));
      b.char(32);
      b.text(drawFrom(rng, JOB_TYPES));
      break;
    case 7:
      b.text(String(intBetween(rng, 1, 9999)));
      b.char(46);
      digits(b, rng, 2);
      break;
    default:
      b.text(drawFrom(rng, DEPARTMENTS));
  }
}

/** A web or business form: 3–6 fields separated by Tab, submitted with Enter. */
export function formChunk(b: ChunkBuilder, rng: RandomStream, secretRate: number): void {
  b.begin(InputContext.form);
  const n = intBetween(rng, 3, 6);
  const secretAt = rng.next() < secretRate ? Math.floor(rng.next() * n) : -1;
  for (let i = 0; i < n; i++) {
    if (i > 0) b.char(TAB);
    if (i === secretAt) b.secret(rng.next() < 0.5 ? personalEmail(rng) : socialSecurityNumber(rng));
    else formField(b, rng);
  }
  b.char(ENTER);
  b.markSentenceEnd();
}

/** An e-mail: greeting, 2–5 sentences, sign-off; line breaks are Enter. */
export function emailChunk(b: ChunkBuilder, rng: RandomStream, secretRate: number): void {
  b.begin(InputContext.email);
  b.text(rng.next() < 0.7 ? 'Hi ' : 'Hello ');
  b.text(drawFrom(rng, FIRST_NAMES));
  b.char(44);
  b.char(ENTER);
  b.char(ENTER, CHAR_SENTENCE_END);
  const n = intBetween(rng, 2, 5);
  for (let i = 0; i < n; i++) {
    if (i > 0) b.char(32, CHAR_SENTENCE_END);
    sentence(b, rng, PROSE_SENTENCE);
  }
  if (rng.next() < secretRate) {
    b.char(32, CHAR_SENTENCE_END);
    ordinarySecret(b, rng);
    b.char(46);
  }
  b.char(ENTER);
  b.char(ENTER, CHAR_SENTENCE_END);
  b.text(rng.next() < 0.6 ? 'Thanks,' : 'Best,');
  b.char(ENTER);
  b.text(drawFrom(rng, FIRST_NAMES));
  b.markSentenceEnd();
}

/** A search typed in a private browsing window (sensitive by context, not a planted secret). */
export function privateWindowChunk(b: ChunkBuilder, rng: RandomStream): void {
  b.begin(InputContext.private_window);
  switch (Math.floor(rng.next() * 6)) {
    case 0:
      b.text('how to ');
      b.text(drawFrom(rng, VERBS));
      b.text(' a ');
      b.text(drawFrom(rng, NOUNS));
      break;
    case 1:
      b.text(drawFrom(rng, ADJECTIVES));
      b.char(32);
      b.text(drawFrom(rng, NOUNS));
      b.text(' near me');
      break;
    case 2:
      b.text(drawFrom(rng, CITIES).toLowerCase());
      b.text(' weather');
      break;
    case 3:
      b.text('best ');
      b.text(drawFrom(rng, NOUNS));
      b.char(32);
      b.text(String(intBetween(rng, 2024, 2026)));
      break;
    case 4:
      b.text(drawFrom(rng, NOUNS));
      b.char(32);
      b.text(drawFrom(rng, NOUNS));
      b.text(' reviews');
      break;
    default:
      b.text(drawFrom(rng, BUZZ_VERBS));
      b.char(32);
      b.text(drawFrom(rng, BUZZ_NOUNS));
      b.text(' jobs');
  }
  b.char(ENTER);
  b.markSentenceEnd();
}

/** A login: the password and Enter. */
export function passwordChunk(b: ChunkBuilder, rng: RandomStream): void {
  b.begin(InputContext.password);
  b.secret(password(rng));
  b.char(ENTER);
  b.markSentenceEnd();
}

/** A checkout: optional name on card, then card number, expiry and CVV (each a secret), Tab between. */
export function paymentChunk(b: ChunkBuilder, rng: RandomStream): void {
  b.begin(InputContext.payment);
  if (rng.next() < 0.6) {
    b.text(drawFrom(rng, FIRST_NAMES));
    b.char(32);
    b.text(drawFrom(rng, LAST_NAMES));
    b.char(TAB);
  }
  const card = cardNumber(rng);
  b.secret(card);
  b.char(TAB);
  b.secret(cardExpiry(rng));
  b.char(TAB);
  b.secret(cardCvv(rng, card.length === 15 || card.length === 17));
  b.char(ENTER);
  b.markSentenceEnd();
}

/** A national-id field (US SSN), then Tab to the next field. */
export function nationalIdChunk(b: ChunkBuilder, rng: RandomStream): void {
  b.begin(InputContext.national_id);
  b.secret(socialSecurityNumber(rng));
  b.char(TAB);
  b.markSentenceEnd();
}
