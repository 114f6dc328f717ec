import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvNumber, writeCsv } from '../../src/report/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numbers in CSV files', () => {
  it.each([
    // Float noise of a sum (wake-ups of a laptop in a run's laptops.csv).
    [3469.1200000000003, '3469.12'],
    [3.5519825999999997, '3.55198'],
    // A share: 6 significant digits, as summary.json's 6 decimals give it.
    [0.9195129038757697, '0.919513'],
    [0.01704669326212063, '0.0170467'],
    // Small figures keep their significant digits (6 decimals would leave 0.000017).
    [0.00001704669326212063, '0.0000170467'],
    // Integers stay whole, however large; a large fraction keeps every digit of its whole part.
    [85991, '85991'],
    [9007199254740991, '9007199254740991'],
    [123456789.25, '123456789'],
    [-2.0000000000000004, '-2'],
    [0, '0'],
    [-0, '0'],
    // Plain decimal notation always: a column must not switch to exponents below 1e-6 or at 1e21 (String() does).
    [3.42078e-7, '0.000000342078'],
    [3.4207812345e-7, '0.000000342078'],
    [1e-7, '0.0000001'],
    [-2.5e-8, '-0.000000025'],
    [1e21, '1000000000000000000000'],
    [-1.5e22, '-15000000000000000000000'],
  ])('%d is written as %s', (x, text) => {
    expect(csvNumber(x)).toBe(text);
  });

  it('keeps the columns, their order and empty fields for null, and rounds every number column', async () => {
    const path = join(dir, 't.csv');
    await writeCsv(
      path,
      ['id', 'wakeups', 'yield', 'missing', 'exempt'],
      [
        { id: 'E1', wakeups: 3469.1200000000003, yield: 0.9195129038757697, missing: null, exempt: false },
        { id: 'E2', wakeups: 1905.2400000000002, yield: 1, missing: undefined, exempt: true },
      ],
    );
    expect(readFileSync(path, 'utf8')).toBe('id,wakeups,yield,missing,exempt\nE1,3469.12,0.919513,,false\nE2,1905.24,1,,true\n');
  });
});
