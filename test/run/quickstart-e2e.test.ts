import { mkdtempSync as makeTemp, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/ingest/index.js';
import { fleetsim } from '../helpers/cli.js';

/** Temporary folders of this file, removed when it ends: tests leave nothing behind. */
const made: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const d = makeTemp(prefix);
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/**
 * The quickstart as a user runs it (the built CLI, real HTTP to the embedded
 * ingest service with SQLite), shrunk to 12 employees so it fits the test budget.
 */
function quickstartWith(changes: (yaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-qs-'));
  const file = join(dir, 'quickstart-small.yaml');
  const yaml = readFileSync(join(import.meta.dirname, '../../scenarios/quickstart.yaml'), 'utf8').replace(
    /employees: 200\b/,
    'employees: 12',
  );
  writeFileSync(file, changes(yaml));
  return file;
}

describe('quickstart end to end', () => {
  it('stores exactly what the ledger says, leaks nothing, passes its thresholds and writes the report', async () => {
    const file = quickstartWith((y) => y);
    const out = join(mkdtempSync(join(tmpdir(), 'fleetsim-qs-out-')), 'report');
    const r = fleetsim(['run', file, '--out', out, '--workers', '2', '--json']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.thresholds_passed).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const l = summary.ledger;
    expect(l.produced).toBe(l.stored + l.redacted + l.coalesced + l.dropped_paused + l.dropped_exempt + l.spooled + l.lost);
    expect(l.lost).toBe(0);
    // The store holds every event the agents had acknowledged, once.
    const store = await openStore(`sqlite:${join(out, 'ingest.sqlite')}`);
    const totals = await store.totals();
    const gaps = await store.sequenceGaps();
    await store.close();
    expect(totals.events).toBe(l.stored + l.redacted);
    expect(totals.batches).toBe(summary.ingest.by_status['200']);
    expect(totals.refusedPaused).toBe(0);
    expect(gaps).toEqual([]);
    expect(summary.leaks).toMatchObject({ canaries: 0, scanned: 'ingest store' });
    expect(summary.leaks.canaries_planted).toBeGreaterThan(0);
    expect(summary.ingest.p99_ms).toBeGreaterThan(0);
    // Policy at both ends: nothing in the store falls inside a pause window or an exemption the service recorded.
    expect(summary.ingest.stored_in_pause_windows).toBe(0);
    expect(summary.ingest.stored_while_exempt).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Ingest, as the laptops saw it');
  });

  it('exits 1 when a threshold fails, and says which', () => {
    const file = quickstartWith((y) => y.replace('bandwidth.mb_per_laptop_day.p95 < 1', 'bandwidth.mb_per_laptop_day.p95 < 0.000001'));
    const r = fleetsim(['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'fleetsim-qs-fail-')), 'r'), '--workers', '1', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 of 6 thresholds failed: bandwidth\.mb_per_laptop_day\.p95 < 0\.000001/);
  });

  it('exits 2 on an invalid scenario and runs nothing', () => {
    const file = quickstartWith((y) => y.replace('employees: 12', 'employes: 12'));
    const r = fleetsim(['run', file, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/quickstart-small\.yaml:\d+:\d+ fleet\.employes: unknown field "employes"; did you mean "employees"\?/);
  });
});
