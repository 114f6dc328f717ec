import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, fleetsim } from '../helpers/cli.js';

const QUICKSTART = resolve(ROOT, 'scenarios/quickstart.yaml');
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-json-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const common = ['--employees', '3', '--set', 'transport=null', '--set', 'thresholds=["ledger.lost == 0"]', '--workers', '0', '--json'];

function runJson(args: readonly string[]): Record<string, unknown> {
  const r = fleetsim(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('merge --json of run shards', () => {
  it('prints the figure set run --json prints, with the unsharded run figures', () => {
    const whole = runJson(['run', QUICKSTART, ...common, '--out', join(root, 'whole')]);
    const shards = [0, 1].map((k) => join(root, `s${k}`));
    for (const [k, dir] of shards.entries()) runJson(['run', QUICKSTART, ...common, '--shard', `${k}/2`, '--out', dir]);
    const out = join(root, 'merged');
    const merged = runJson(['merge', ...shards, '--out', out, '--json']);
    expect(Object.keys(merged)).toEqual(Object.keys(whole));
    expect(merged.report_dir).toBe(out);
    for (const k of ['ledger', 'yield', 'leaks', 'period', 'thresholds_passed'] as const) expect(merged[k], k).toEqual(whole[k]);
  });
});
