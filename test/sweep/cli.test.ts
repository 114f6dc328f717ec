import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
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
});
