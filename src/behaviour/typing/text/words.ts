import { faker } from '@faker-js/faker/locale/en';
import { type RandomStream } from '../../../random/index.js';

/**
 * English word lists, read ONCE from faker's `en` definitions (plain arrays;
 * faker's own generator is never called: its seeding is global and a call per
 * word is slow). Words are then drawn with our seeded streams.
 *
 * Only entries the US layout can type and that read as one token are kept.
 */

const defs = faker.definitions;

function list(words: readonly string[] | undefined, pattern: RegExp): readonly string[] {
  const kept = (words ?? []).filter((w) => pattern.test(w));
  if (kept.length === 0) throw new Error(`typing word list is empty for ${pattern}`);
  return kept;
}

const LOWER_WORD = /^[a-z][a-z'-]*[a-z]$|^[a-z]$/;
const NAME = /^[A-Z][a-z]+$/;

export const NOUNS = list(defs.word?.noun, LOWER_WORD);
export const VERBS = list(defs.word?.verb, LOWER_WORD);
export const ADJECTIVES = list(defs.word?.adjective, LOWER_WORD);
export const ADVERBS = list(defs.word?.adverb, LOWER_WORD);
export const HACKER_NOUNS = list(defs.hacker?.noun, /^[a-z]+$/);
export const HACKER_VERBS = list(defs.hacker?.verb, /^[a-z]+$/);
export const HACKER_ADJECTIVES = list(defs.hacker?.adjective, /^[a-z]+$/);
export const BUZZ_NOUNS = list(defs.company?.buzz_noun, /^[a-z]+$/);
export const BUZZ_VERBS = list(defs.company?.buzz_verb, /^[a-z]+$/);
export const FIRST_NAMES = list(defs.person?.first_name?.generic, NAME);
export const LAST_NAMES = list(defs.person?.last_name?.generic, NAME);
export const CITIES = list(defs.location?.city_name, /^[A-Z][A-Za-z ]+$/);
export const STREET_SUFFIXES = list(defs.location?.street_suffix, NAME);
export const JOB_AREAS = list(defs.person?.job_area, NAME);
export const JOB_TYPES = list(defs.person?.job_type, NAME);
export const DEPARTMENTS = list(defs.commerce?.department, NAME);
export const FREE_EMAIL_DOMAINS = list(defs.internet?.free_email, /^[a-z.]+$/);
export const DB_COLUMNS = list(defs.database?.column, /^[a-zA-Z]+$/);

/**
 * English function words with their approximate frequency per million words
 * (Brown-corpus order of magnitude). faker's lists are content words only, and
 * real prose is about half function words: without them word lengths and
 * letter bigrams (hence the hand/finger IKI classes) would be unlike English.
 */
const FUNCTION_WORDS: ReadonlyArray<readonly [string, number]> = [
  ['the', 69_971],
  ['of', 36_412],
  ['and', 28_853],
  ['to', 26_158],
  ['a', 23_195],
  ['in', 21_337],
  ['that', 10_595],
  ['is', 10_099],
  ['was', 9_816],
  ['it', 9_000],
  ['for', 8_000],
  ['on', 6_500],
  ['we', 6_000],
  ['with', 7_000],
  ['as', 7_200],
  ['be', 6_300],
  ['this', 5_100],
  ['have', 4_000],
  ['you', 5_500],
  ['at', 5_300],
  ['by', 5_300],
  ['not', 4_600],
  ['are', 4_400],
  ['but', 4_300],
  ['from', 4_300],
  ['or', 4_200],
  ['will', 2_200],
  ['can', 1_800],
  ['all', 3_000],
  ['they', 3_600],
  ['our', 1_200],
  ['if', 2_200],
  ['would', 2_700],
  ['there', 2_700],
  ['their', 2_700],
  ['so', 1_900],
  ['what', 1_900],
  ['about', 1_800],
  ['which', 3_500],
  ['when', 2_300],
  ['more', 2_200],
  ['one', 3_300],
  ['also', 1_000],
  ['should', 900],
  ['into', 1_800],
  ['than', 1_700],
  ['been', 2_500],
  ['has', 2_400],
  ['its', 1_800],
  ['then', 1_300],
  ['only', 1_700],
  ['out', 2_100],
  ['up', 1_900],
  ['some', 1_600],
  ['these', 1_600],
  ['could', 1_600],
  ['now', 1_300],
  ['new', 1_600],
  ['other', 1_700],
  ['do', 1_300],
];

export const FUNCTION_WORD_LIST: readonly string[] = FUNCTION_WORDS.map(([w]) => w);

/** 1,024-slot alias-free lookup: slot → function word index, filled in proportion to frequency. O(1) per draw. */
const FUNCTION_WORD_SLOTS: Uint8Array = (() => {
  const slots = new Uint8Array(1024);
  const total = FUNCTION_WORDS.reduce((a, [, f]) => a + f, 0);
  let acc = 0;
  let s = 0;
  FUNCTION_WORDS.forEach(([, f], i) => {
    acc += f;
    const end = Math.round((acc / total) * slots.length);
    for (; s < end; s++) slots[s] = i;
  });
  return slots;
})();

export function drawFunctionWord(rng: RandomStream): string {
  return FUNCTION_WORD_LIST[FUNCTION_WORD_SLOTS[Math.floor(rng.next() * 1024)]!]!;
}

export function drawFrom(rng: RandomStream, words: readonly string[]): string {
  return words[Math.floor(rng.next() * words.length)]!;
}

/** Short chat replies (assumption: typical workplace chat acknowledgements). */
export const CHAT_REPLIES: readonly string[] = [
  'ok',
  'ok thanks',
  'thanks!',
  'thx',
  'lgtm',
  'sounds good',
  'on it',
  'yes',
  'no',
  'np',
  'will do',
  'sure',
  'sure, give me a minute',
  'haha',
  '+1',
  'done',
  'agreed',
  'good point',
  'brb',
  'one sec',
  'looking now',
  'makes sense',
  'nice!',
  'got it',
  'ty',
  'yep',
  'not yet',
  'back in 5',
];
