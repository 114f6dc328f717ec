import { describe, expect, it } from 'vitest';
import { formatTick, lineChart, niceTop } from '../../src/report/html.js';

const yLabels = (svg: string) => [...svg.matchAll(/<text x="54" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('chart axes', () => {
  it('ticks are short: SI prefixes, at most 3 significant digits, never raw floats', () => {
    expect(formatTick(18_649_273)).toBe('18.6M');
    expect(formatTick(0.00000009974)).toBe('99.7n');
    expect(formatTick(2_500)).toBe('2.5k');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(7)).toBe('7');
    expect(formatTick(1.5e12)).toBe('1.5T');
    expect(formatTick(0)).toBe('0');
  });

  it('the axis top is a round number above the largest value, in four round steps', () => {
    expect(niceTop(18_649_273)).toEqual({ max: 20_000_000, step: 5_000_000 });
    expect(niceTop(0.00000009974)).toEqual({ max: expect.closeTo(1e-7, 12), step: expect.closeTo(2.5e-8, 12) });
    expect(niceTop(0)).toEqual({ max: 1, step: 0.25 });
    expect(niceTop(400).max).toBeGreaterThanOrEqual(400);
  });

  it('an 8-digit series keeps every digit it means: labels fit the 54 px margin (about 7 px a character)', () => {
    const svg = lineChart('events', ['a', 'b'], [{ name: 's', values: [18_649_273, 12_000_000] }], { unit: 'events/h' });
    const labels = yLabels(svg).filter((l) => l !== 'events/h');
    expect(labels).toEqual(['0', '5M', '10M', '15M', '20M']);
    for (const l of labels) expect(l.length * 7).toBeLessThanOrEqual(54);
    expect(svg).toContain('>events/h</text>');
  });
});

describe('the run report over several days', () => {
  it('draws events by day and hour: every hour on a time axis, ticks that name the date', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runScenario } = await import('../../src/run/index.js');
    const { resolveScenario } = await import('../../src/scenario/index.js');
    const { writeScenarioReport } = await import('../../src/report/run-report.js');
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-charts-'));
    try {
      const s = resolveScenario({
        name: 'days',
        seed: 'days',
        transport: 'null',
        fleet: { employees: 2 },
        simulation: { days: 3 },
        thresholds: [],
      });
      const r = await runScenario(s, { reportDir: dir, workers: 0 });
      await writeScenarioReport(dir, r);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('<h2>Events by day and hour (3 days)</h2>');
      expect(html).not.toContain('Events over the day');
      const ticks = [...html.matchAll(/>(\d\d-\d\d \d\dh)<\/text>/g)].map((m) => m[1]!);
      expect(new Set(ticks.map((t) => t.slice(0, 5))).size).toBeGreaterThanOrEqual(2);
      for (const t of ticks) expect(Number(t.slice(6, 8)) % 6).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
