import { type RandomStream } from '../../../random/index.js';
import { CHAR_SENTENCE_END, type ChunkBuilder } from './chunk.js';
import { ADJECTIVES, ADVERBS, CITIES, drawFrom, drawFunctionWord, FIRST_NAMES, LAST_NAMES, NOUNS, VERBS } from './words.js';

/**
 * English-like sentences from word lists. Syntax is not the point: word
 * lengths, letter frequencies and the share of function words are, because
 * they set the mix of hand/finger bigrams, word-initial keys and Shift presses
 * that the timing model responds to (assumption: 46 % function words, 2.5 %
 * proper nouns, 1.5 % numbers, 6 % of words followed by a comma).
 */

const FUNCTION_WORD_SHARE = 0.46;
const PROPER_NOUN_SHARE = 0.025;
const NUMBER_SHARE = 0.015;
const COMMA_SHARE = 0.06;

function contentWord(rng: RandomStream): string {
  const u = rng.next();
  if (u < 0.45) return drawFrom(rng, NOUNS);
  if (u < 0.73) return drawFrom(rng, VERBS);
  if (u < 0.9) return drawFrom(rng, ADJECTIVES);
  return drawFrom(rng, ADVERBS);
}

function properNoun(rng: RandomStream): string {
  const u = rng.next();
  if (u < 0.4) return drawFrom(rng, FIRST_NAMES);
  if (u < 0.7) return drawFrom(rng, LAST_NAMES);
  return drawFrom(rng, CITIES);
}

function numberWord(rng: RandomStream): string {
  const u = rng.next();
  if (u < 0.4) return String(2 + Math.floor(rng.next() * 11));
  if (u < 0.7) return String(2015 + Math.floor(rng.next() * 12));
  return String(Math.floor(rng.next() * 1000));
}

/** One word of running prose (lower-case unless a proper noun). */
export function proseWord(rng: RandomStream): string {
  const u = rng.next();
  if (u < FUNCTION_WORD_SHARE) return drawFunctionWord(rng);
  if (u < 1 - PROPER_NOUN_SHARE - NUMBER_SHARE) return contentWord(rng);
  if (u < 1 - NUMBER_SHARE) return properNoun(rng);
  return numberWord(rng);
}

export interface SentenceStyle {
  readonly minWords: number;
  readonly maxWords: number;
  /** Capitalise the first word. */
  readonly capitalise: boolean;
  /** Probabilities of ending with '.', '?', '!' (the rest: no punctuation, as in chat). */
  readonly period: number;
  readonly question: number;
  readonly exclamation: number;
}

/** Formal prose: 8–20 words (assumption: typical written-English sentence length ≈ 14 words). */
export const PROSE_SENTENCE: SentenceStyle = {
  minWords: 8,
  maxWords: 20,
  capitalise: true,
  period: 0.88,
  question: 0.08,
  exclamation: 0.04,
};
/** Chat: short, often unpunctuated and lower-case (assumption). */
export const CHAT_SENTENCE: SentenceStyle = {
  minWords: 3,
  maxWords: 12,
  capitalise: false,
  period: 0.15,
  question: 0.25,
  exclamation: 0.05,
};
export const CHAT_SENTENCE_CAPITALISED: SentenceStyle = { ...CHAT_SENTENCE, capitalise: true };

/** Appends one sentence; returns true if it ended with terminal punctuation. */
export function sentence(b: ChunkBuilder, rng: RandomStream, style: SentenceStyle): boolean {
  const n = style.minWords + Math.floor(rng.next() * (style.maxWords - style.minWords + 1));
  for (let i = 0; i < n; i++) {
    if (i > 0) b.char(32);
    const w = proseWord(rng);
    if (i === 0 && style.capitalise) b.capitalised(w);
    else b.text(w);
    if (i < n - 1 && rng.next() < COMMA_SHARE) b.char(44);
  }
  const u = rng.next();
  if (u < style.period) b.char(46);
  else if (u < style.period + style.question) b.char(63);
  else if (u < style.period + style.question + style.exclamation) b.char(33);
  else return false;
  return true;
}

/** Sentences separated by spaces; each separating space is flagged as a sentence end. */
export function sentences(b: ChunkBuilder, rng: RandomStream, count: number, style: SentenceStyle): void {
  for (let i = 0; i < count; i++) {
    if (i > 0) b.char(32, CHAR_SENTENCE_END);
    sentence(b, rng, style);
  }
}
