/**
 * Golden fingerprints of the synthetic workforce: a seed must give the same employees, field for field, after any
 * change to how they are built (DESIGN.md, determinism). A changed fingerprint means every report built on these
 * seeds changes: that is a decision for review, never a side effect of making the builder faster.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OFFICES,
  DEFAULT_POPULATION_PARAMS,
  buildEmployeesInSlices,
  createEmployee,
  createEmployees,
  employeeOffice,
  type PopulationParams,
} from '../../src/population/index.js';

const P = DEFAULT_POPULATION_PARAMS;
/** Every branch of the builder: an extra office with a :30 offset, a department with no roles, other pause and exemption shares. */
const CUSTOM: PopulationParams = {
  ...P,
  offices: [...DEFAULT_OFFICES, { name: 'St. John’s', timezone: 'America/St_Johns' }],
  officeMix: { London: 3, 'St. John’s': 2 },
  roleMix: { ...P.roleMix, Legal: {} },
  exemptionRequestShare: 0.3,
  pause: { ...P.pause, neverPauseShare: 0.1, occasionalShare: 0.4 },
};

function fingerprint(seed: string | number, from: number, to: number, p: PopulationParams): string {
  const h = createHash('sha256');
  for (let i = from; i < to; i++) h.update(`${JSON.stringify(createEmployee(seed, i, p))}\n`);
  return h.digest('hex');
}

describe('the synthetic workforce', () => {
  // SHA-256 over JSON.stringify of each employee, one a line: computed with the builder of commit 604dd56 (the shared
  // faker instance, no caches), before the builder was made faster; the same script run on the new builder gives
  // the same values.
  it.each([
    ['quickstart', 'default', '6b898eb30e38727813cd88c0be6d42bddb7d97d67e67352abe24652fa4f3738b'],
    ['fleet-seed-1', 'default', '3ce53ebd03dfee9f7e7378258b553b0e1dd593662177fbe3123bd21d383002cc'],
    [7, 'default', '9febee425f438d759bc26c87549974df617d104c64da579f1042fb6a3eeddd94'],
    [0, 'default', '7ebbdfe521e221cd97fd19975c032fc6bbd972a1a8685e9fadccf67274c4d80a'],
    ['Zoë ✓', 'custom', 'a33085a975b313faf03ebe6d453aa241b8b458d932f5c39b46fa24a95d8bfd4a'],
  ] as const)('seed %j (%s population): employees 0–1,999 keep their fingerprint', (seed, params, expected) => {
    expect(fingerprint(seed, 0, 2000, params === 'custom' ? CUSTOM : P)).toBe(expected);
  });

  it('keeps the fingerprint of the last 1,000 employees of the largest fleet (10,000,000)', () => {
    expect(fingerprint('quickstart', 9_999_000, 10_000_000, P)).toBe('94c088fa883d9485b54bff120bf6f8d71df5412babdc6f7e43ab2d29df43edc6');
  });

  it('gives each employee’s office without building the employee', () => {
    for (const [seed, p] of [
      ['offices', P],
      ['offices', CUSTOM],
    ] as const) {
      for (let i = 0; i < 3000; i++) expect(employeeOffice(seed, i, p).timezone).toBe(createEmployee(seed, i, p).timezone);
    }
  });
});

describe('building employees in slices', () => {
  it('gives what a plain loop gives, and reports progress after every slice', async () => {
    const progress: [number, number][] = [];
    const built = await buildEmployeesInSlices(100, 1100, (i) => createEmployee('slices', i, P), {
      sliceSize: 300,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(built).toEqual(createEmployees('slices', 100, 1100, P));
    expect(progress).toEqual([
      [300, 1000],
      [600, 1000],
      [900, 1000],
      [1000, 1000],
    ]);
  });

  it('lets the event loop run between slices (a callback queued before the build runs before it ends)', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const turnedAtSlice: boolean[] = [];
    await buildEmployeesInSlices(0, 30, (i) => i, { sliceSize: 10, onProgress: () => turnedAtSlice.push(turned) });
    expect(turnedAtSlice).toEqual([false, true, true]);
  });

  it('stops at the next slice once its signal is aborted', async () => {
    const stop = new AbortController();
    let built = 0;
    const run = buildEmployeesInSlices(0, 1000, () => built++, {
      sliceSize: 100,
      signal: stop.signal,
      onProgress: (done) => done === 200 && stop.abort(new Error('interrupted')),
    });
    await expect(run).rejects.toThrow('interrupted');
    expect(built).toBe(200);
  });

  it('refuses a slice size that would never advance', async () => {
    await expect(buildEmployeesInSlices(0, 10, (i) => i, { sliceSize: 0 })).rejects.toThrow(RangeError);
  });
});
