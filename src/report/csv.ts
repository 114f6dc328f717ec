import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

/**
 * Significant digits of a fractional number in a CSV: as many as summary.json
 * gives a share (6 decimals of a figure below 1), enough for every figure
 * fleetsim reports, and far above binary float noise (3469.1200000000003 is
 * the 17th digit), which would otherwise differ between runs that added the
 * same numbers in another order.
 */
export const CSV_SIGNIFICANT_DIGITS = 6;

/**
 * A number as a CSV field: an integer as it is, however large; a fraction to
 * CSV_SIGNIFICANT_DIGITS significant digits, or to the units if its whole part
 * has more digits (a fraction never loses a digit of its whole part), in the
 * shortest text that reads back as that rounded value. Always in plain decimal
 * notation: String() switches to exponents below 1e-6 and from 1e21, so one
 * column would mix 0.0000225376 with 3.42078e-7, which a spreadsheet or a
 * script comparing text reads differently.
 */
export function csvNumber(x: number): string {
  // -0 reads as 0: a sign on nothing would only surprise.
  if (Number.isInteger(x)) return x === 0 ? '0' : Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
  if (!Number.isFinite(x)) return String(x);
  const wholeDigits = Math.abs(x) < 1 ? 0 : Math.floor(Math.log10(Math.abs(x))) + 1;
  const rounded = Number(x.toPrecision(Math.min(21, Math.max(CSV_SIGNIFICANT_DIGITS, wholeDigits))));
  return rounded === 0 ? '0' : plainDecimal(String(rounded));
}

/** "3.42078e-7" as "0.000000342078"; text without an exponent as it is. Only fractions reach it (|x| < 1e21). */
function plainDecimal(text: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, lead, rest = '', exp] = m;
  return `${sign}0.${'0'.repeat(Number(exp) - 1)}${lead}${rest}`;
}

/**
 * Writes rows as CSV with a header, streaming (bounded memory for large tables).
 * Numbers as csvNumber writes them; null and undefined as an empty field.
 */
export async function writeCsv<T extends object>(path: string, columns: readonly (keyof T & string)[], rows: Iterable<T>): Promise<void> {
  const out = createWriteStream(path);
  const csv = stringify({
    header: true,
    columns: [...columns],
    cast: { boolean: (b) => (b ? 'true' : 'false'), number: csvNumber },
  });
  csv.pipe(out);
  for (const row of rows) {
    if (!csv.write(row)) await new Promise<void>((resolve) => csv.once('drain', () => resolve()));
  }
  csv.end();
  await finished(out);
}
