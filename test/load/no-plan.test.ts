import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, fleetsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-noplan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a load run that plans no upload', () => {
  it('says so (exit 2, the figures that made it zero) instead of blaming the generator, and leaves no report', () => {
    // 0.01 uploads/s for 1 s: the schedule is empty. Port 9 is never contacted: the refusal comes before enrollment.
    const r = fleetsim(
      [
        'load',
        '--target',
        'http://127.0.0.1:9',
        '--scenario',
        resolve(ROOT, 'scenarios/quickstart.yaml'),
        '--rate',
        '0.01',
        '--duration',
        '1s',
        '--fleet-secret',
        'a-fleet-secret-of-16+',
        '--out',
        join(dir, 'out'),
      ],
      { timeoutMs: 110_000 },
    );
    expect(r.stderr).toMatch(
      /the run plans no upload: .* at 0\.01 uploads\/s over --duration 1 s gives none; raise --duration, --laptops or --rate/,
    );
    expect(r.stderr).not.toMatch(/ran out of CPU|fell behind/);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});
