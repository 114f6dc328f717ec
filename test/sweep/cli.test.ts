import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST_MODE_THRESHOLDS_WHY, fewReplicasNote } from '../../src/sweep/index.js';
import { fleetsim } from '../helpers/cli.js';

describe('fleetsim sweep', () => {
  it('prints the result table as JSON (one object per cell) and writes CSVs and report.html', () => {
    const out = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-cli-'));
    const r = fleetsim([
      'sweep',
      'scenarios/policy-comparison.yaml',
      '--employees',
      '12',
      '--days',
      '1',
      '--replicas',
      '2',
      '--workers',
      '2',
      '--json',
      '--out',
      out,
    ]);
    // The scenario's thresholds (leaks.canaries, ledger.lost) need the agent and the store: fast mode says up front it cannot judge them.
    // With --json the table alone goes to stdout, so stderr says too that 2 replicas give wide intervals.
    expect(r.stderr).toBe(
      `fleetsim sweep: note: thresholds NOT JUDGED in fast mode: leaks.canaries == 0; ledger.lost == 0 (${FAST_MODE_THRESHOLDS_WHY})\n` +
        `fleetsim sweep: note: ${fewReplicasNote(2)}\n`,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).thresholds).toEqual({
      expressions: ['leaks.canaries == 0', 'ledger.lost == 0'],
      judged: false,
      not_judged_why: FAST_MODE_THRESHOLDS_WHY,
      passed: null,
      failed_cells: [],
    });
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(24);
    for (const row of rows) {
      for (const k of [
        'policy.pauseCapMinutes',
        'policy.maxPausesPerDay',
        'policy.exemptionApprovalRate',
        'fleet.pause.neverPauseShare',
        'yield_mean',
        'yield_ci95',
        'tvd_department_mean',
        'tvd_role_mean',
        'tvd_local_hour_mean',
        'tvd_utc_hour_mean',
        'tvd_activity_mean',
        'exempt_share_mean',
        'pauses_per_employee_day_mean',
        'captured_active_hours_per_employee_mean',
      ]) {
        expect(row).toHaveProperty([k]);
      }
      expect(row.yield_mean).toBeGreaterThan(0.5);
      expect(row.yield_mean).toBeLessThanOrEqual(1);
    }
    expect(rows[0]!['policy.maxPausesPerDay']).toBeNull();
    const cellsCsv = readFileSync(join(out, 'cells.csv'), 'utf8').trim().split('\n');
    expect(cellsCsv).toHaveLength(25);
    expect(cellsCsv[0]).toMatch(/^cell,policy\.pauseCapMinutes,.*yield_mean,yield_ci95/);
    expect(readFileSync(join(out, 'by_group.csv'), 'utf8')).toMatch(/department,Engineering/);
    expect(readFileSync(join(out, 'replicas.csv'), 'utf8').trim().split('\n')).toHaveLength(49);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Yield against pause cap');
    expect(html).toContain('<code class="path">policy.pauseCapMinutes</code>');
    expect(html).toContain('TVD by department');
    expect(html).not.toMatch(/NaN|undefined/);
  }, 60_000);

  it('refuses a scenario without a sweep section with exit code 2 and says what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-cli-'));
    writeFileSync(join(dir, 'plain.yaml'), 'name: plain\n');
    const r = fleetsim(['sweep', join(dir, 'plain.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no sweep section/);
  });

  it("judges the scenario's thresholds on every cell and replica of the full path: a failing cell exits 1, named", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-cli-'));
    // Nobody pauses in cell #0; everybody may in cell #1, so only #1 drops events as paused.
    writeFileSync(
      join(dir, 'gated.yaml'),
      [
        'name: gated',
        'seed: sweep-thresholds',
        'fleet: { employees: 3 }',
        'simulation: { days: 1, startDate: "2026-03-03" }',
        'transport: "null"',
        'sweep: { replicas: 1, fleet: { pause: { neverPauseShare: [1, 0] } } }',
        'thresholds: ["ledger.lost == 0", "ledger.dropped_paused == 0"]',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = fleetsim(['sweep', join(dir, 'gated.yaml'), '--full-path', '--workers', '1', '--quiet', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fleetsim: thresholds failed in 1 of 2 cells: #1 · Employees who never pause 0 %: ledger\.dropped_paused == 0 \(replica 0 actual [1-9]\d*\) \[THRESHOLDS_FAILED\]\n$/,
    );
    expect(r.stdout).toContain('  thresholds  FAIL in 1 of 2 cells:\n    #1 · Employees who never pause 0 %: ledger.dropped_paused == 0');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.thresholds).toMatchObject({ judged: true, passed: false, failed_cells: [1] });
    expect(summary.cells[0].thresholds).toEqual([
      { replica: 0, expression: 'ledger.lost == 0', actual: 0, pass: true },
      { replica: 0, expression: 'ledger.dropped_paused == 0', actual: 0, pass: true },
    ]);
    expect(summary.cells[1].thresholds.map((t: { pass: boolean }) => t.pass)).toEqual([true, false]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Thresholds</h2>');
    expect(html).toContain('Failed in 1 of 2 cells.');
  }, 120_000);
});
