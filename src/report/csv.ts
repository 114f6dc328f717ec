import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

/** Writes rows as CSV with a header, streaming (bounded memory for large tables). */
export async function writeCsv<T extends object>(path: string, columns: readonly (keyof T & string)[], rows: Iterable<T>): Promise<void> {
  const out = createWriteStream(path);
  const csv = stringify({ header: true, columns: [...columns], cast: { boolean: (b) => (b ? 'true' : 'false') } });
  csv.pipe(out);
  for (const row of rows) {
    if (!csv.write(row)) await new Promise<void>((resolve) => csv.once('drain', () => resolve()));
  }
  csv.end();
  await finished(out);
}
