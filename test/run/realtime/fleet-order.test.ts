import { describe, expect, it } from 'vitest';
import { laptopsInFleetOrder } from '../../../src/run/realtime/fleet-order.js';
import type { LaptopRow } from '../../../src/run/index.js';

const row = (i: number) => ({ employee_id: `E${String(i).padStart(6, '0')}` }) as LaptopRow;
const ids = (rows: readonly LaptopRow[]) => rows.map((r) => r.employee_id);

describe('laptopsInFleetOrder: paced workers’ rows in employee order', () => {
  it('interleaves the shards that workers took in turn, of any sizes', () => {
    const parts = [
      {
        ranges: [
          { from: 0, to: 2 },
          { from: 4, to: 5 },
        ],
        laptops: [row(0), row(1), row(4)],
      },
      {
        ranges: [
          { from: 2, to: 4 },
          { from: 5, to: 8 },
        ],
        laptops: [row(2), row(3), row(5), row(6), row(7)],
      },
    ];
    expect(ids(laptopsInFleetOrder(parts))).toEqual(ids([0, 1, 2, 3, 4, 5, 6, 7].map(row)));
    expect(ids(laptopsInFleetOrder([...parts].reverse()))).toEqual(ids([0, 1, 2, 3, 4, 5, 6, 7].map(row)));
  });

  it('refuses rows that do not match the ranges rather than misplace them', () => {
    expect(() => laptopsInFleetOrder([{ ranges: [{ from: 0, to: 2 }], laptops: [row(0)] }])).toThrow(/1 laptop rows for 2 employees/);
  });
});
