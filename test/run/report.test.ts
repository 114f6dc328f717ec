import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { writeRunReport } from '../../src/report/index.js';
import { computeRunFigures, runFleet } from '../../src/run/index.js';

describe('run report', () => {
  it('writes summary.json, CSVs that add up to the ledger, and a self-contained report.html', async () => {
    const r = await runFleet({
      seed: 'report',
      employees: 5,
      days: 1,
      startDate: '2026-03-03',
      population: DEFAULT_POPULATION_PARAMS,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      rules: DEFAULT_POLICY_RULES,
      agent: DEFAULT_AGENT_CONFIG,
      energy: DEFAULT_ENERGY_MODEL,
      transport: { kind: 'null' },
      workers: 0,
    });
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-report-'));
    const figures = computeRunFigures(r, DEFAULT_ENERGY_MODEL.batteryWh);
    await writeRunReport(dir, {
      scenarioName: 'report-test',
      scenario: { name: 'report-test' },
      seed: 'report',
      versions: { fleetsim: 'test' },
      figures,
      thresholds: [{ expression: 'ledger.lost == 0', actual: 0, pass: true }],
      measured: { wallSeconds: 1 },
      laptops: r.laptops,
      startedAt: '2026-11-23T00:00:00Z',
    });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const key of ['ledger', 'bandwidth', 'battery', 'yield', 'leaks', 'thresholds']) expect(summary).toHaveProperty(key);
    expect(summary.ledger.produced).toBe(r.ledger.produced);
    expect(summary.started_at).toBe('2026-11-23T00:00:00Z');
    // One key case: every key fleetsim names is snake_case; maps keyed by data (by_department, …) and the scenario as written keep theirs.
    const camel: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) return v.forEach((x) => walk(x, `${path}[]`));
      if (v === null || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (!/^[a-z0-9_]+$/.test(k)) camel.push(`${path}.${k}`);
        if (!k.startsWith('by_')) walk(x, `${path}.${k}`);
      }
    };
    const { scenario: _scenario, scenario_resolved: _resolved, measured: _measured, ...named } = summary;
    walk(named, '');
    expect(camel).toEqual([]);
    const laptops = parse(readFileSync(join(dir, 'laptops.csv'), 'utf8'), { columns: true, cast: true }) as Record<string, number>[];
    expect(laptops).toHaveLength(5);
    expect(laptops.reduce((a, l) => a + l.stored!, 0)).toBe(r.ledger.stored);
    const hours = parse(readFileSync(join(dir, 'hours.csv'), 'utf8'), { columns: true, cast: true }) as Record<string, number>[];
    expect(hours.reduce((a, h) => a + h.produced!, 0)).toBe(r.ledger.produced);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBeGreaterThanOrEqual(5);
  });
});
