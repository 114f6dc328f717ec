import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { writeRunReport, writeScenarioReport } from '../../src/report/index.js';
import { formatRun } from '../../src/report/text.js';
import { computeRunFigures, runFleet, runScenario, type LaptopRow, type RunFigures } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { fleetOptions } from '../helpers/fleet.js';

async function smallFleet(employees: number) {
  return runFleet(fleetOptions({ seed: 'report', employees }));
}

async function writeSmallReport(figures: RunFigures, laptops: readonly LaptopRow[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-report-'));
  await writeRunReport(dir, {
    scenarioName: 'report-test',
    scenario: { name: 'report-test' },
    seed: 'report',
    versions: { fleetsim: 'test' },
    figures,
    thresholds: [],
    measured: { wall_seconds: 1 },
    laptops,
    outputs: { csv: true, html: true },
    startedAt: '2026-11-23T00:00:00Z',
  });
  return dir;
}

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
      outputs: { csv: true, html: true },
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

  it("puts a paced run's timing in summary.json and report.html, and leaves it out of a virtual-time run", async () => {
    const r = await smallFleet(2);
    const virtual = computeRunFigures(r, DEFAULT_ENERGY_MODEL.batteryWh);
    const paced: NonNullable<RunFigures['paced']> = {
      speed: 60,
      from_utc: '2026-03-03T14:00:00.000Z',
      until_utc: '2026-03-03T14:20:00.000Z',
      timers: 1234,
      schedule_lag_p50_ms: 0.65,
      schedule_lag_p99_ms: 7.219,
      schedule_lag_max_ms: 12.5,
      on_schedule: true,
    };
    const pacedDir = await writeSmallReport({ ...virtual, paced }, r.laptops);
    expect(JSON.parse(readFileSync(join(pacedDir, 'summary.json'), 'utf8')).paced).toEqual(paced);
    const html = readFileSync(join(pacedDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Pacing: timers against the wall clock</h2>');
    expect(html).toContain('60x real time');
    expect(html).toMatch(/<td>1,234<\/td><td>0\.65<\/td><td>7\.219<\/td><td>12\.5<\/td>/);
    expect(html).toContain('On schedule');

    const behind = await writeSmallReport({ ...virtual, paced: { ...paced, schedule_lag_p99_ms: 2500, on_schedule: false } }, r.laptops);
    expect(readFileSync(join(behind, 'report.html'), 'utf8')).toContain('BEHIND SCHEDULE');

    const virtualDir = await writeSmallReport(virtual, r.laptops);
    expect(JSON.parse(readFileSync(join(virtualDir, 'summary.json'), 'utf8'))).not.toHaveProperty('paced');
    expect(readFileSync(join(virtualDir, 'report.html'), 'utf8')).not.toContain('Pacing');
  });

  it('honours outputs.csv and outputs.html: summary.json and results.json are always written', async () => {
    const scenario = resolveScenario({
      name: 'outputs-test',
      seed: 'outputs',
      fleet: { employees: 2 },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
    });
    const r = await runScenario(scenario, { reportDir: mkdtempSync(join(tmpdir(), 'fleetsim-report-')), workers: 0 });
    const written = async (csv: boolean, html: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'fleetsim-report-'));
      const withOutputs = { ...r, scenario: { ...scenario, outputs: { ...scenario.outputs, csv, html } } };
      const { files } = await writeScenarioReport(dir, withOutputs);
      expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(readdirSync(dir).sort());
      return { names: readdirSync(dir).sort(), text: formatRun(withOutputs, files), dir };
    };
    const none = await written(false, false);
    expect(none.names).toEqual(['results.json', 'summary.json']);
    expect(none.text).toContain(`report: ${join(none.dir, 'summary.json')} (outputs.html is false: no report.html)`);
    const csvOnly = await written(true, false);
    expect(csvOnly.names).toEqual(['groups.csv', 'hours.csv', 'laptops-measured.csv', 'laptops.csv', 'results.json', 'summary.json']);
    const htmlOnly = await written(false, true);
    expect(htmlOnly.names).toEqual(['report.html', 'results.json', 'summary.json']);
    expect(htmlOnly.text).toContain(`report: ${join(htmlOnly.dir, 'report.html')}\n`);
  });
});
