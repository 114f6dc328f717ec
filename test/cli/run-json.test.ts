import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, fleetsim } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-run-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Maps whose keys are data (department and role names, HTTP statuses, fault kinds), not fleetsim's own spelling. */
const DATA_MAPS = new Set(['by_department', 'by_role', 'by_status', 'injected']);

/** Every key of a JSON value, as dotted paths, leaving out the keys of data maps. */
function keyPaths(v: unknown, at = ''): string[] {
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const path = at === '' ? k : `${at}.${k}`;
    return [path, ...(DATA_MAPS.has(k) ? [] : keyPaths(x, Array.isArray(v) ? at : path))];
  });
}

describe('run --json', () => {
  it('prints snake_case keys, as every JSON file fleetsim writes', () => {
    const out = join(dir, 'out');
    const r = fleetsim([
      'run',
      QUICKSTART,
      '--employees',
      '2',
      '--set',
      'transport=null',
      '--set',
      'thresholds=["ledger.lost == 0"]',
      '--workers',
      '0',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ report_dir: out, thresholds_passed: true });
    expect(keyPaths(printed).filter((p) => !/^[a-z0-9_.]+$/.test(p))).toEqual([]);
  });
});
