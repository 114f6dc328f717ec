import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { axisName, axisValue } from '../../src/report/sweep-labels.js';
import { scriptJson, sweepHtml, writeSweepReport } from '../../src/report/sweep-report.js';
import { formatSweep } from '../../src/report/text.js';
import { cellResult, sweepThresholds, type SweepResult } from '../../src/sweep/index.js';
import { fixtureSweep } from '../sweep/fixture.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sections = (html: string) =>
  [...html.matchAll(/<section><h2>([^<]*)<\/h2>([\s\S]*?)<\/section>/g)].map((m) => ({ title: m[1]!, html: m[2]! }));

describe('sweep report.html answers what each rule costs and who loses', () => {
  // Known effects (test/sweep/fixture.ts): the 15-minute cap costs 6 points overall, Engineering 10 and Sales 2; 50 % approval costs 2.
  const html = sweepHtml(fixtureSweep());

  it('opens with one block per rule: the cost with its interval and the groups that lose most, in words, and one small chart', () => {
    const first = sections(html)[0]!;
    expect(first.title).toBe('What each rule costs, and who loses');
    const blocks = first.html.split('<div class="rule">').slice(1);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/<h3>Pause cap<code class="path">policy\.pauseCapMinutes<\/code><\/h3>/);
    expect(blocks[0]).toMatch(/<b>15 min<\/b> costs <b>6\.0 ± 0\.\d points<\/b> of yield against <b>60 min<\/b>/);
    expect(blocks[0]).toMatch(
      /Those who lose most: <b>(Engineering|Developer)<\/b> \((department|role), 10\.0 ± 0\.\d points\), <b>(Engineering|Developer)<\/b>/,
    );
    expect(blocks[1]).toMatch(/<b>50 %<\/b> costs <b>(1\.9|2\.0) ± 0\.\d points<\/b> of yield against <b>25 %<\/b>/);
    for (const b of blocks) expect(b.match(/<svg class="chart"/g)).toHaveLength(1);
  });

  it('labels rules in words, with the raw path in small text and tooltips', () => {
    expect(axisName('policy.exemptionApprovalRate')).toBe('Exemption approval rate');
    expect(axisName('fleet.pause.occasionalGammaScale')).toBe('Occasional gamma scale');
    expect(axisValue('policy.exemptionApprovalRate', '0.25')).toBe('25 %');
    expect(axisValue('policy.maxPausesPerDay', 'none')).toBe('no limit');
    expect(axisValue('policy.pauseCapMinutes', '15')).toBe('15 min');
    for (const s of sections(html)) expect(s.title).not.toMatch(/policy\.|fleet\./);
    expect(html).not.toMatch(/<th>policy\./);
    expect(html).toContain(
      '<th><span title="policy.exemptionApprovalRate">Exemption approval rate</span> <code class="path">policy.exemptionApprovalRate</code></th>',
    );
  });

  it('guides the reader through total variation distances', () => {
    const rep = sections(html).find((s) => s.title === 'Representativeness')!;
    expect(rep.html).toMatch(/How to read a total variation distance/);
    expect(rep.html).toMatch(/0\.05 by department means that 5 % of the captured data would have to move/);
  });

  it('draws one line per chart against a rule, not one per combination of the others', () => {
    const against = sections(html).filter((s) => s.title.startsWith('Yield against'));
    expect(against.map((s) => s.title)).toEqual(['Yield against pause cap', 'Yield against exemption approval rate']);
    for (const s of against) expect(s.html.match(/<polyline/g)).toHaveLength(1);
  });

  it('breaks every cell down by group, and keeps its tables in a scroll container', () => {
    const who = sections(html).find((s) => s.title === 'Who is represented in each cell')!;
    const cells = who.html.split('<details class="cell-breakdown"').slice(1);
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      expect(c).toMatch(/<td>Department<\/td><td>Engineering<\/td>/);
      expect(c).toMatch(/<td>Role<\/td><td>Manager<\/td>/);
      expect(c).toContain('<div class="scroll"><table>');
    }
    const cellsSection = sections(html).find((s) => s.title === 'Cells')!;
    expect(cellsSection.html).toContain('<div class="scroll"><table>');
  });

  it('embeds the figures for the cell comparison as JSON that cannot end its script', () => {
    const text = 'a</script><script>x()</script><!-- & \u2028 \u2029';
    const s = scriptJson({ text });
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect((JSON.parse(s) as { text: string }).text).toBe(text);
    const m = /<script type="application\/json" id="sweep-data">([^<]*)<\/script>/.exec(html);
    const data = JSON.parse(m![1]!) as {
      t975: number[];
      cells: { index: number; title: string; yield: number[]; groups: Record<string, Record<string, number[]>> }[];
    };
    expect(data.t975).toEqual([12.706, 4.303]);
    expect(data.cells.map((c) => c.title)).toEqual([
      '#0 · Pause cap 15 min · Exemption approval rate 25 %',
      '#1 · Pause cap 15 min · Exemption approval rate 50 %',
      '#2 · Pause cap 60 min · Exemption approval rate 25 %',
      '#3 · Pause cap 60 min · Exemption approval rate 50 %',
    ]);
    expect(data.cells[0]!.groups.department!.Engineering).toHaveLength(3);
    expect(data.cells[0]!.groups.department!.Engineering![0]).toBeCloseTo(0.848, 6);
  });

  it('adds rule_effects to summary.json and keeps its other keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-report-'));
    dirs.push(dir);
    await writeSweepReport(fixtureSweep(), dir, { csv: true, html: true });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['format', 'name', 'mode', 'seed', 'axes', 'cells', 'table', 'rule_effects']),
    );
    const effects = summary.rule_effects as {
      path: string;
      highest_yield_value: string;
      lowest_yield_value: string;
      cost: { mean: number; ci95: number };
      groups: { dimension: string; group: string }[];
    }[];
    expect(effects.map((e) => [e.path, e.highest_yield_value, e.lowest_yield_value])).toEqual([
      ['policy.pauseCapMinutes', '60', '15'],
      ['policy.exemptionApprovalRate', '0.25', '0.5'],
    ]);
    expect(effects[0]!.cost.mean).toBeCloseTo(0.06, 2);
  });

  it('honours outputs.csv and outputs.html: summary.json and results.json are always written', async () => {
    const names = async (csv: boolean, html: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-report-'));
      dirs.push(dir);
      const files = await writeSweepReport(fixtureSweep(), dir, { csv, html });
      expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(readdirSync(dir).sort());
      return { names: readdirSync(dir).sort(), text: formatSweep(fixtureSweep(), files), dir };
    };
    const none = await names(false, false);
    expect(none.names).toEqual(['results.json', 'summary.json']);
    expect(none.text).toContain(`report: ${join(none.dir, 'summary.json')} (outputs.html is false: no report.html)`);
    expect((await names(true, false)).names).toEqual(['by_group.csv', 'cells.csv', 'replicas.csv', 'results.json', 'summary.json']);
    expect((await names(false, true)).names).toEqual(['report.html', 'results.json', 'summary.json']);
  });

  it('says the same on the terminal, one line per rule', () => {
    const text = formatSweep(fixtureSweep(), ['/tmp/x/report.html']);
    expect(text).toMatch(
      /\n {2}Pause cap: 15 min costs 6\.0 ± 0\.\d against 60 min; most: (Engineering \(department\)|Developer \(role\)) 10\.0 ± 0\.\d, (Engineering \(department\)|Developer \(role\)) 10\.0/,
    );
    expect(text).toMatch(/\n {2}Exemption approval rate: 50 % costs (1\.9|2\.0) ± 0\.\d against 25 %/);
  });
});

/**
 * cells.csv, by_group.csv and replicas.csv describe the same cells: an axis
 * value is written the same way in all three (a null, "no limit", as an empty
 * field, the CSV convention; a mapping as its JSON), so they join on those
 * columns, and a figure that does not exist is an empty field too.
 */
describe('the sweep CSVs write a null the same way', () => {
  it('writes a null axis value and a missing figure as an empty field in every file, and a mapping as the same JSON', async () => {
    const cap = 'policy.maxPausesPerDay';
    const hours = 'policy.captureHours';
    const base = fixtureSweep();
    const template = base.cells[0]!.replicas[0]!;
    const cells = [
      {
        index: 0,
        values: { [cap]: null, [hours]: { startHour: 8, endHour: 18 } },
        labels: { [cap]: 'none', [hours]: 'startHour=8 endHour=18' },
      },
      { index: 1, values: { [cap]: 3, [hours]: null }, labels: { [cap]: '3', [hours]: 'none' } },
    ].map((c) =>
      cellResult(
        c.index,
        c.values,
        c.labels,
        [0, 1].map((replica) => ({ ...template, replica, captured_active_hours_per_employee: null })),
        [],
      ),
    );
    const r: SweepResult = {
      ...base,
      axes: [
        { path: cap, labels: ['none', '3'] },
        { path: hours, labels: ['startHour=8 endHour=18', 'none'] },
      ],
      cells,
      thresholds: sweepThresholds('fast', [], cells),
    };
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-csv-'));
    dirs.push(dir);
    await writeSweepReport(r, dir, { csv: true, html: false });
    const read = (f: string) => parse(readFileSync(join(dir, f), 'utf8'), { columns: true }) as Record<string, string>[];
    for (const f of ['cells.csv', 'by_group.csv', 'replicas.csv']) {
      const rows = read(f);
      const first = rows.filter((row) => row.cell === '0');
      const second = rows.filter((row) => row.cell === '1');
      expect(first.length, f).toBeGreaterThan(0);
      for (const row of first) expect([row[cap], row[hours]], f).toEqual(['', '{"startHour":8,"endHour":18}']);
      for (const row of second) expect([row[cap], row[hours]], f).toEqual(['3', '']);
      for (const row of rows) for (const v of Object.values(row)) expect(v, f).not.toMatch(/^(null|none|NaN|undefined)$/);
    }
    expect(read('replicas.csv').map((row) => row.captured_active_hours_per_employee)).toEqual(['', '', '', '']);
  });
});
