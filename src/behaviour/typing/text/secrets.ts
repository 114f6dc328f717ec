import { type RandomStream } from '../../../random/index.js';
import { drawFrom, FIRST_NAMES, FREE_EMAIL_DOMAINS, LAST_NAMES, NOUNS, ADJECTIVES } from './words.js';

/**
 * Synthetic secrets ("canaries"): realistic in shape so the agent's pattern
 * filters are exercised (Luhn-valid card numbers, SSNs in issued ranges), and
 * long and random enough that a leak scan searching the store for the exact
 * string does not match ordinary text by chance.
 */

function digits(rng: RandomStream, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng.next() * 10));
  return s;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Luhn check digit for a digit string (the digit to append). */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the digits of s (other characters ignored) pass the Luhn check. */
export function luhnValid(s: string): boolean {
  const d = s.replace(/\D/g, '');
  if (d.length < 12) return false;
  return luhnCheckDigit(d.slice(0, -1)) === d.charCodeAt(d.length - 1) - 48;
}

/** Issuer prefixes and lengths (Visa, Mastercard, Amex, Discover). */
const CARD_BRANDS: ReadonlyArray<readonly [prefix: string, length: number, weight: number]> = [
  ['4', 16, 0.5],
  ['51', 16, 0.06],
  ['52', 16, 0.06],
  ['53', 16, 0.06],
  ['54', 16, 0.06],
  ['55', 16, 0.06],
  ['34', 15, 0.04],
  ['37', 15, 0.06],
  ['6011', 16, 0.1],
];

/** A Luhn-valid card number, typed grouped with spaces about half the time (4-4-4-4 or Amex 4-6-5). */
export function cardNumber(rng: RandomStream): string {
  let u = rng.next() * CARD_BRANDS.reduce((a, b) => a + b[2], 0);
  let brand = CARD_BRANDS[0]!;
  for (const b of CARD_BRANDS) {
    u -= b[2];
    if (u < 0) {
      brand = b;
      break;
    }
  }
  const [prefix, length] = brand;
  const body = prefix + digits(rng, length - prefix.length - 1);
  const number = body + String(luhnCheckDigit(body));
  if (rng.next() < 0.5) return number;
  if (length === 15) return `${number.slice(0, 4)} ${number.slice(4, 10)} ${number.slice(10)}`;
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function cardExpiry(rng: RandomStream): string {
  return `${pad2(1 + Math.floor(rng.next() * 12))}/${26 + Math.floor(rng.next() * 6)}`;
}

export function cardCvv(rng: RandomStream, amex: boolean): string {
  return digits(rng, amex ? 4 : 3);
}

/**
 * A US Social Security number in the issued ranges: area 001–899 except 666,
 * group 01–99, serial 0001–9999; typed with dashes most of the time.
 */
export function socialSecurityNumber(rng: RandomStream): string {
  let area = 1 + Math.floor(rng.next() * 899);
  if (area === 666) area = 667;
  const group = 1 + Math.floor(rng.next() * 99);
  const serial = 1 + Math.floor(rng.next() * 9999);
  const a = String(area).padStart(3, '0');
  const g = pad2(group);
  const s = String(serial).padStart(4, '0');
  return rng.next() < 0.8 ? `${a}-${g}-${s}` : `${a}${g}${s}`;
}

/** True when s is an SSN in the issued ranges (dashes optional). */
export function ssnValid(s: string): boolean {
  const m = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(s);
  if (m === null) return false;
  const area = Number(m[1]);
  return area >= 1 && area <= 899 && area !== 666 && Number(m[2]) >= 1 && Number(m[3]) >= 1;
}

const PASSWORD_SYMBOLS = '!@#$%&*?_-.';
const PASSWORD_CHARS = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789' + PASSWORD_SYMBOLS;

function capitalise(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/**
 * Passwords as people choose them (assumption on the mix): word + digits +
 * symbol, a random manager-generated string, or a passphrase. Always ≥ 10
 * characters with a digit, so the string is unlikely to occur in prose.
 */
export function password(rng: RandomStream): string {
  const u = rng.next();
  if (u < 0.45) {
    const sym = PASSWORD_SYMBOLS.charAt(Math.floor(rng.next() * PASSWORD_SYMBOLS.length));
    const word = capitalise(drawFrom(rng, NOUNS));
    return `${word}${digits(rng, Math.max(4, 9 - word.length))}${sym}`;
  }
  if (u < 0.75) {
    const n = 12 + Math.floor(rng.next() * 5);
    let s = '';
    for (let i = 0; i < n; i++) s += PASSWORD_CHARS.charAt(Math.floor(rng.next() * PASSWORD_CHARS.length));
    return s + digits(rng, 1);
  }
  return `${drawFrom(rng, ADJECTIVES)}-${drawFrom(rng, NOUNS)}-${drawFrom(rng, NOUNS)}${digits(rng, 2)}`;
}

/** A personal e-mail address (PII typed outside any sensitive field). */
export function personalEmail(rng: RandomStream): string {
  const first = drawFrom(rng, FIRST_NAMES).toLowerCase();
  const last = drawFrom(rng, LAST_NAMES).toLowerCase();
  const sep = rng.next() < 0.6 ? '.' : '_';
  return `${first}${sep}${last}${digits(rng, 2)}@${drawFrom(rng, FREE_EMAIL_DOMAINS)}`;
}
