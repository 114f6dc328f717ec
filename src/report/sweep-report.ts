/**
 * The sweep report: every table as CSV, summary.json, and report.html that
 * opens with what each rule costs and who loses, then the cells, a two-cell
 * comparison by group (a small inline script over figures embedded as JSON:
 * the page stays one offline file), representativeness with a guide to
 * reading it, yield curves and the group breakdown of every cell. Figures come
 * from the sweep results model (src/sweep/results.ts, effects.ts); nothing is
 * computed here beyond choosing what to draw.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cellTable,
  fewReplicasNote,
  groupTable,
  groupYieldsByReplica,
  replicaTable,
  ruleEffects,
  SWEEP_RESULTS_FORMAT,
  tQuantile975,
  type CellResult,
  type Dimension,
  type Estimate,
  type RuleEffect,
  type SweepResult,
} from '../sweep/index.js';
import type { OutputSettings } from '../scenario/index.js';
import { writeCsv } from './csv.js';
import { barChart, esc, formatNumber, page, table } from './html.js';
import { writeJson } from './json.js';
import { axisName, axisSetting, axisValue, dimensionName } from './sweep-labels.js';

const columnsOf = (rows: readonly Record<string, unknown>[]): string[] => [...new Set(rows.flatMap((r) => Object.keys(r)))];

/**
 * Rows of a sweep table as CSV fields, the same way in every sweep CSV so they
 * join on the axis columns: a null (an axis's "no limit", a figure without
 * data) as an empty field, the CSV convention; an object (reaction weights,
 * capture hours) as its JSON.
 */
function forCsv(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? '')])),
  );
}

/** Version of a sweep's summary.json (2: employee_days, wall_ms, rule_effects). */
export const SWEEP_SUMMARY_FORMAT = 'fleetsim-sweep-summary/2';

/**
 * Writes summary.json and results.json (always), cells.csv, by_group.csv and replicas.csv (outputs.csv)
 * and report.html (outputs.html) to dir; returns the paths written.
 */
export async function writeSweepReport(r: SweepResult, dir: string, outputs: Pick<OutputSettings, 'csv' | 'html'>): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'summary.json')];
  // snake_case like every figure file; the cells' values stay keyed by the scenario paths they set.
  const { employeeDays, wallMs, ...rest } = r;
  await writeJson(files[0]!, {
    format: SWEEP_SUMMARY_FORMAT,
    ...rest,
    employee_days: employeeDays,
    wall_ms: wallMs,
    cells: r.cells.map(({ replicas: _r, ...c }) => c),
    table: cellTable(r),
    rule_effects: ruleEffects(r),
    // null with enough replicas; otherwise what a reader of the intervals should know.
    intervals_note: fewReplicasNote(r.replicas),
  });
  // The per-replica figures summary.json leaves out, whatever outputs.csv says: what `fleetsim compare` reads.
  files.push(join(dir, 'results.json'));
  await writeJson(files.at(-1)!, {
    format: SWEEP_RESULTS_FORMAT,
    name: r.name,
    seed: r.seed,
    axes: r.axes,
    cells: r.cells.map((c) => ({ index: c.index, labels: c.labels, replicas: c.replicas })),
  });
  if (outputs.csv) {
    for (const [name, rows] of [
      ['cells.csv', forCsv(cellTable(r))],
      ['by_group.csv', forCsv(groupTable(r))],
      ['replicas.csv', forCsv(replicaTable(r))],
    ] as const) {
      files.push(join(dir, name));
      await writeCsv(files.at(-1)!, columnsOf(rows) as never, rows as readonly object[]);
    }
  }
  if (outputs.html) {
    files.push(join(dir, 'report.html'));
    await writeFile(files.at(-1)!, sweepHtml(r));
  }
  return files;
}

/**
 * A figure with its 95 % interval: "97.58 ± 1.20" while the interval is
 * mean ± half-width, "94.50 (37.32–100.00)" when the figure's bounds cut it
 * (a share near 0 or 100 % over few replicas), so no bound is shown that the
 * figure cannot take; the mean alone without an interval (one replica).
 */
export function withInterval(e: Estimate, scale = 1, digits = 2): string {
  if (!Number.isFinite(e.mean)) return 'n/a';
  const f = (x: number) => (x * scale).toFixed(digits);
  if (e.ci95 === null || e.low === null || e.high === null) return f(e.mean);
  const clamped = e.low > e.mean - e.ci95 || e.high < e.mean + e.ci95;
  return clamped ? `${f(e.mean)} (${f(e.low)}–${f(e.high)})` : `${f(e.mean)} ± ${f(e.ci95)}`;
}

const pm = withInterval;

/** Points of yield, signed as a loss reads: "−6.0 ± 0.3 points". */
const points = (e: Estimate, digits = 1) => (Number.isFinite(e.mean) ? `${withInterval(e, 100, digits)} points` : 'n/a');

/** A figure and its interval's bounds for a chart's whisker, scaled; the bounds are the mean itself without an interval. */
const chartPoint = (e: Estimate | undefined, scale = 100): { mean: number; low: number; high: number } =>
  e === undefined
    ? { mean: Number.NaN, low: Number.NaN, high: Number.NaN }
    : { mean: scale * e.mean, low: scale * (e.low ?? e.mean), high: scale * (e.high ?? e.mean) };

const BIAS_DIMENSIONS: readonly Dimension[] = ['department', 'role', 'timezone', 'local_hour', 'utc_hour', 'activity'];
/** Dimensions of the group breakdowns, in reading order. */
const BREAKDOWN_DIMENSIONS: readonly Dimension[] = ['department', 'role', 'timezone', 'activity', 'local_hour'];

/** A cell in words: "#3 · Pause cap 15 min · Exemption approval rate 50 %". */
export const cellTitle = (r: SweepResult, c: CellResult) =>
  [`#${c.index}`, ...r.axes.map((a) => axisSetting(a.path, c.labels[a.path] ?? ''))].join(' · ');

/** An axis header: the words, the raw scenario path as a tooltip and in small text. */
const axisHeader = (path: string) => `<span title="${esc(path)}">${esc(axisName(path))}</span> <code class="path">${esc(path)}</code>`;

const STYLE = `<style>
.scroll{overflow-x:auto;max-width:100%}.scroll table{font-size:.93em}.scroll td,.scroll th{padding:.25rem .45rem}.scroll table td{white-space:nowrap}
code.path{display:block;font-size:.75em;color:#7a8398;font-weight:400;overflow-wrap:anywhere}h3 code.path{display:inline;margin-left:.4em}
.rule{border:1px solid #e3e6ee;border-radius:6px;padding:.2rem 1rem .6rem;margin:.8rem 0}.rule h3{font-size:1.02rem;margin:.6rem 0 .3rem}
.answer{font-size:1.02rem}.small-chart{max-width:620px}.guide{background:#f6f8fc;border-left:3px solid #9fb3d9;padding:.5rem .9rem}
details{margin:.3rem 0}summary{cursor:pointer}.pick label{display:block;margin:.25rem 0}.pick select{max-width:100%}
.bar{display:inline-block;height:.7em;vertical-align:middle}.bar.neg{background:#c0392b}.bar.pos{background:#2a9d6f}
</style>`;

/** The scenario's thresholds: judged on every cell and replica (full path), or why not (fast mode). */
function thresholdsHtml(r: SweepResult): string {
  const t = r.thresholds;
  if (!t.judged) {
    return `<p class="fail">Not judged: ${esc(t.expressions.join('; '))}.</p>` + `<p>${esc(t.not_judged_why ?? '')}.</p>`;
  }
  const verdict = t.passed
    ? `<p class="pass">Every threshold holds in every cell and replica.</p>`
    : `<p class="fail">Failed in ${t.failed_cells.length} of ${r.cells.length} cells.</p>`;
  return (
    verdict +
    `<div class="scroll">${table(
      ['cell', ...t.expressions],
      r.cells.map((c) => [
        cellTitle(r, c),
        ...t.expressions.map((e) => {
          const failed = c.thresholds.filter((o) => o.expression === e && !o.pass);
          return failed.length === 0 ? 'pass' : `FAIL: ${failed.map((o) => `replica ${o.replica} actual ${o.actual ?? 'n/a'}`).join(', ')}`;
        }),
      ]),
      (i, j) =>
        j === 0 ? undefined : r.cells[i]!.thresholds.some((o) => o.expression === t.expressions[j - 1] && !o.pass) ? 'fail' : 'pass',
    )}</div>`
  );
}

export function sweepHtml(r: SweepResult): string {
  const sections = [];
  const effects = ruleEffects(r);
  const few = fewReplicasNote(r.replicas);
  sections.push({
    title: 'What each rule costs, and who loses',
    html: STYLE + (few === null ? '' : `<p class="fail">${esc(few)}.</p>`) + answer(r, effects),
  });
  sections.push({
    title: 'Cells',
    html:
      `<p>Mean ± half-width of the 95 % confidence interval over ${r.replicas} replica${r.replicas === 1 ? '' : 's'} ` +
      `(mean ± t(0.975, n−1)·sd/√n; the same replica seeds in every cell, so differences between cells are not seed noise); ` +
      `mean (low–high) where the interval is cut at 0 or 100 %, which a share cannot pass. ` +
      `Yield = events captured ÷ events produced during work.</p>` +
      `<div class="scroll">${rawTable(
        [
          'cell',
          ...r.axes.map((a) => axisHeader(a.path)),
          'yield %',
          'captured active h / employee',
          'exempt %',
          'pauses / employee-day',
        ].map((h, i) => (i > 0 && i <= r.axes.length ? h : esc(h))),
        r.cells.map((c) => [
          `#${c.index}`,
          ...r.axes.map((a) => axisValue(a.path, c.labels[a.path] ?? '')),
          pm(c.yield, 100),
          pm(c.captured_active_hours_per_employee),
          pm(c.exempt_share, 100, 1),
          pm(c.pauses_per_employee_day),
        ]),
      )}</div>`,
  });
  if (r.thresholds.expressions.length > 0) sections.push({ title: 'Thresholds', html: thresholdsHtml(r) });
  if (r.cells.length > 0 && r.cells.some((c) => Object.keys(c.groups).length > 0)) {
    sections.push({ title: 'Compare two cells by group', html: cellComparison(r) });
  }
  if (r.mode === 'fast') {
    sections.push({
      title: 'Representativeness',
      html:
        TVD_GUIDE +
        `<p>Total variation distance (TVD) between the mix of captured events and the mix of all events the workforce produced, by dimension. Mean ± 95 % CI over replicas.</p>` +
        `<div class="scroll">${table(
          ['cell', ...BIAS_DIMENSIONS.map((d) => `TVD ${dimensionName(d).toLowerCase()}`)],
          r.cells.map((c) => [`#${c.index}`, ...BIAS_DIMENSIONS.map((d) => (c.tvd[d] ? pm(c.tvd[d]!, 1, 4) : 'n/a'))]),
        )}</div>`,
    });
  }
  for (const [k, axis] of r.axes.entries()) {
    sections.push({
      title: `Yield against ${axisName(axis.path).toLowerCase()}`,
      html: `<p><code class="path">${esc(axis.path)}</code></p>${yieldCurves(r, k)}`,
    });
  }
  if (r.mode === 'fast' && r.cells.length > 0) {
    sections.push({
      title: 'Bias: how far the captured mix is from the workforce',
      html:
        BIAS_DIMENSIONS.map((d) =>
          barChart(
            `TVD by ${d.replace('_', ' ')}, per cell`,
            r.cells.map((c) => ({ label: `#${c.index}`, value: c.tvd[d]?.mean ?? 0 })),
          ),
        ).join('') + `<details><summary>Which rules each cell number stands for</summary>${cellLegend(r)}</details>`,
    });
  }
  if (r.cells.some((c) => Object.keys(c.groups).length > 0)) {
    sections.push({ title: 'Who is represented in each cell', html: breakdowns(r) });
  }
  if (r.mode === 'fast' && r.cells.length > 0) sections.push({ title: 'Yield by hour of day (local)', html: hourCurves(r) });
  return page(
    `fleetsim sweep ${r.name}`,
    `${r.mode} mode · ${r.cells.length} cells × ${r.replicas} replicas · ${r.employees.toLocaleString('en-US')} employees × ${r.days} day${r.days === 1 ? '' : 's'} · seed ${r.seed} · ${(r.wallMs / 1000).toFixed(1)} s on ${r.workers} worker${r.workers === 1 ? '' : 's'}`,
    sections,
  );
}

const TVD_GUIDE =
  `<div class="guide"><p><b>How to read a total variation distance.</b> It is the share of the captured events that sit in the “wrong” group: ` +
  `0.05 by department means that 5 % of the captured data would have to move to another department for the data to have the workforce’s mix. ` +
  `0 is the workforce’s own mix, 1 two mixes with nothing in common. As a rule of thumb (an aid to reading, not a standard): ` +
  `below 0.01 the difference is negligible; 0.01–0.05 small, and weighting the data by group corrects it; above 0.05 a model trained on it ` +
  `sees some groups noticeably more than others, and above 0.1 the data misrepresents the workforce. ` +
  `Compare cells on the same dimension: distances over many small groups (hours) run higher than over a few large ones (roles).</p></div>`;

/** The opening answer: one block per rule, in words, with one small chart of who loses. */
function answer(r: SweepResult, effects: readonly RuleEffect[]): string {
  if (effects.length === 0)
    return `<p>This sweep varies no rule: one cell, ${pm(r.cells[0]?.yield ?? { mean: Number.NaN, ci95: null, n: 0, low: null, high: null }, 100)} % yield.</p>`;
  const intro =
    `<p>For each rule the sweep varies: the yield its lowest-yield value loses against its highest-yield value (not always the strictest against the most lenient: a short pause cap can keep more data than a long one), averaged over every value of the other rules, ` +
    `and the groups of people whose yield falls most. Intervals are 95 % over ${r.replicas} replica${r.replicas === 1 ? '' : 's'}, paired by replica seed. ` +
    `Yield = events captured ÷ events produced during work; a point is one percent of the events produced.</p>`;
  return intro + effects.map((e) => ruleBlock(e)).join('');
}

function ruleBlock(e: RuleEffect): string {
  const name = axisName(e.path);
  const head = `<h3>${esc(name)}<code class="path">${esc(e.path)}</code></h3>`;
  const valueLine = `<p>Yield at each value: ${e.values.map((v) => `${esc(axisValue(e.path, v.label))}: ${esc(pm(v.yield, 100, 1))} %`).join(' · ')}.</p>`;
  if (e.values.length < 2) return `<div class="rule">${head}<p>Only one value is swept: no cost to measure.</p>${valueLine}</div>`;
  const best = esc(axisValue(e.path, e.highest_yield_value));
  const worst = esc(axisValue(e.path, e.lowest_yield_value));
  const clear = (x: Estimate) => Number.isFinite(x.mean) && x.ci95 !== null && Math.abs(x.mean) > x.ci95;
  const cost = clear(e.cost)
    ? `<b>${worst}</b> costs <b>${esc(points(e.cost))}</b> of yield against <b>${best}</b>.`
    : `<b>${worst}</b> against <b>${best}</b>: ${esc(points(e.cost))}, ${e.cost.ci95 === null ? 'one replica, no interval to tell it from noise' : 'not distinguishable from no change'}.`;
  // Losses told apart from noise first: with few replicas a small group's interval can span tens of points.
  const ranked = [
    ...e.groups.filter((g) => g.loss.mean > 0 && clear(g.loss)),
    ...e.groups.filter((g) => g.loss.mean > 0 && !clear(g.loss)),
  ];
  const losers = ranked.slice(0, 3);
  const who =
    losers.length === 0
      ? 'No group loses yield.'
      : `Those who lose most: ${losers.map((g) => `<b>${esc(g.group)}</b> (${esc(dimensionName(g.dimension).toLowerCase())}, ${esc(points(g.loss))}${clear(g.loss) ? '' : ', uncertain'})`).join(', ')}.`;
  const chartBars = [
    { label: 'Everyone', loss: e.cost },
    ...[...ranked, ...e.groups.filter((g) => !ranked.includes(g))]
      .slice(0, 5)
      .map((g) => ({ label: `${g.group} (${dimensionName(g.dimension).toLowerCase()})`, loss: g.loss })),
  ];
  return (
    `<div class="rule">${head}<p class="answer">${cost} ${who}</p>${valueLine}` +
    `<div class="small-chart">${lossChart(`Yield lost, ${axisValue(e.path, e.highest_yield_value)} → ${axisValue(e.path, e.lowest_yield_value)} (points, 95 % CI)`, chartBars)}</div></div>`
  );
}

/** Horizontal bars of yield lost (points) with CI whiskers: everyone first, then the groups that lose most. */
function lossChart(title: string, bars: readonly { label: string; loss: Estimate }[]): string {
  const W = 620;
  const row = 22;
  const pad = { l: 230, r: 70, t: 8, b: 34 };
  const H = pad.t + bars.length * row + pad.b;
  const v = (b: { loss: Estimate }) => (Number.isFinite(b.loss.mean) ? 100 * b.loss.mean : 0);
  const low = (b: { loss: Estimate }) => (b.loss.low === null ? v(b) : 100 * b.loss.low);
  const high = (b: { loss: Estimate }) => (b.loss.high === null ? v(b) : 100 * b.loss.high);
  const hi = Math.max(0.1, ...bars.map(high));
  const lo = Math.min(0, ...bars.map(low));
  const x = (p: number) => pad.l + ((W - pad.l - pad.r) * (p - lo)) / (hi - lo);
  const body = bars
    .map((b, i) => {
      const y = pad.t + i * row;
      const [a, z] = [x(Math.min(0, v(b))), x(Math.max(0, v(b)))];
      const whisker =
        high(b) > low(b)
          ? `<line x1="${x(low(b)).toFixed(1)}" x2="${x(high(b)).toFixed(1)}" y1="${(y + row / 2 - 2).toFixed(1)}" y2="${(y + row / 2 - 2).toFixed(1)}" stroke="#1d2330" stroke-width="1.5"/>`
          : '';
      return (
        `<text x="${pad.l - 8}" y="${(y + row / 2 + 2).toFixed(1)}" text-anchor="end"${i === 0 ? ' font-weight="600"' : ''}>${esc(b.label)}</text>` +
        `<rect x="${a.toFixed(1)}" y="${(y + 4).toFixed(1)}" width="${Math.max(0.5, z - a).toFixed(1)}" height="${row - 10}" fill="${i === 0 ? '#2f6fdf' : '#c0392b'}"><title>${esc(b.label)}: ${esc(points(b.loss, 2))}</title></rect>${whisker}` +
        `<text x="${(Math.max(z, x(high(b))) + 4).toFixed(1)}" y="${(y + row / 2 + 2).toFixed(1)}">${v(b).toFixed(1)}</text>`
      );
    })
    .join('');
  const zero = `<line x1="${x(0).toFixed(1)}" x2="${x(0).toFixed(1)}" y1="${pad.t}" y2="${H - pad.b + 4}" stroke="#99a"/>`;
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="100%"><text class="chart-title" x="${pad.l}" y="${H - 8}">${esc(title)}</text>${zero}${body}</svg>`;
}

/** A table whose header cells are given as HTML (escaped by the caller); body cells are text. */
function rawTable(headerHtml: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${headerHtml.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function cellLegend(r: SweepResult): string {
  return `<div class="scroll">${rawTable(
    ['cell', ...r.axes.map((a) => axisHeader(a.path))],
    r.cells.map((c) => [`#${c.index}`, ...r.axes.map((a) => axisValue(a.path, c.labels[a.path] ?? ''))]),
  )}</div>`;
}

/** Yield against one axis: its average over the other axes' values (one line, 95 % CI whiskers); every combination in a table below. */
function yieldCurves(r: SweepResult, k: number): string {
  const axis = r.axes[k]!;
  const effect = ruleEffects(r)[k]!;
  const others = r.axes.filter((_, j) => j !== k);
  const labels = axis.labels.map((l) => axisValue(axis.path, l));
  const series = [
    {
      name: others.length === 0 ? 'yield' : 'averaged over the other rules',
      points: effect.values.map((v) => chartPoint(v.yield)),
    },
  ];
  const rows = r.cells.map((c) => [
    others.map((a) => axisSetting(a.path, c.labels[a.path] ?? '')).join(' · ') || '—',
    axisValue(axis.path, c.labels[axis.path] ?? ''),
    pm(c.yield, 100),
  ]);
  return (
    ciChart(`Yield (%) against ${axisName(axis.path).toLowerCase()}, 95 % CI whiskers`, labels, series) +
    (others.length > 0
      ? `<details><summary>Every combination of the other rules</summary><div class="scroll">${table(['other rules', axisName(axis.path), 'yield % (95 % CI)'], rows)}</div></details>`
      : '')
  );
}

/** The group breakdown of every cell, folded: one table per cell. */
function breakdowns(r: SweepResult): string {
  const intro =
    `<p>Per cell and group: the group’s share of the workforce’s activity, its share of the captured (training) data, the difference ` +
    `(positive: over-represented, negative: under-represented) and the group’s own yield. Mean ± 95 % CI over replicas.</p>`;
  return (
    intro +
    r.cells
      .map((c) => {
        const rows = BREAKDOWN_DIMENSIONS.flatMap((d) =>
          (c.groups[d] ?? []).map((g) => [
            dimensionName(d),
            g.group,
            pm(g.produced_share, 100),
            pm(g.captured_share, 100),
            Number.isFinite(g.captured_share.mean - g.produced_share.mean)
              ? `${g.captured_share.mean >= g.produced_share.mean ? '+' : '−'}${Math.abs(100 * (g.captured_share.mean - g.produced_share.mean)).toFixed(2)}`
              : 'n/a',
            pm(g.yield, 100),
          ]),
        );
        return (
          `<details class="cell-breakdown" data-cell="${c.index}"><summary>${esc(cellTitle(r, c))} — yield ${esc(pm(c.yield, 100))} %</summary>` +
          `<div class="scroll">${table(['dimension', 'group', 'workforce %', 'captured %', 'difference (points)', 'yield %'], rows)}</div></details>`
        );
      })
      .join('')
  );
}

/**
 * Two cells side by side by group, in the page itself: the figures are embedded as JSON and a small
 * script shows, for any two cells picked, each group's yield in both and the paired difference with
 * its 95 % interval (t quantiles from the sweep's statistics, embedded too).
 */
function cellComparison(r: SweepResult): string {
  const byYield = [...r.cells].sort((a, b) => b.yield.mean - a.yield.mean);
  const first = byYield[0]!;
  const last = byYield[byYield.length - 1]!;
  const data = {
    t975: Array.from({ length: Math.max(0, r.replicas - 1) }, (_, i) => tQuantile975(i + 1)),
    dimensions: BREAKDOWN_DIMENSIONS.map((d) => ({ key: d, name: dimensionName(d) })),
    cells: r.cells.map((c) => ({
      index: c.index,
      title: cellTitle(r, c),
      yield: [...c.replicas].sort((a, b) => a.replica - b.replica).map((x) => (Number.isFinite(x.yield) ? x.yield : null)),
      groups: groupYieldsByReplica(c),
    })),
  };
  const options = (selected: number) =>
    r.cells
      .map(
        (c) =>
          `<option value="${c.index}"${c.index === selected ? ' selected' : ''}>${esc(cellTitle(r, c))} (${esc(pm(c.yield, 100, 1))} %)</option>`,
      )
      .join('');
  return (
    `<p>Pick any two cells: for every group, its yield in each and the difference B − A in points, with a 95 % interval paired by replica seed. ` +
    `Red: the group loses yield in B. Preset: the highest-yield cell against the lowest.</p>` +
    `<div class="pick"><label>A <select id="cell-a">${options(first.index)}</select></label> <label>B <select id="cell-b">${options(last.index)}</select></label></div>` +
    `<div id="cell-diff"><noscript>This comparison needs JavaScript; by_group.csv has the same figures.</noscript></div>` +
    `<script type="application/json" id="sweep-data">${scriptJson(data)}</script><script>${COMPARE_SCRIPT}</script>`
  );
}

/** JSON safe inside a script element: no "<" (so no "</script>" or "<!--"), no "&", no line separators JavaScript would not accept. */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Plain ES2017 the browser runs as is; every text goes in through textContent, never as markup.
const COMPARE_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('sweep-data').textContent);
  var selA = document.getElementById('cell-a'), selB = document.getElementById('cell-b'), out = document.getElementById('cell-diff');
  function cell(i) { return data.cells.filter(function (c) { return String(c.index) === String(i); })[0]; }
  function paired(a, b) {
    var d = [];
    for (var i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== null && b[i] !== null) d.push(b[i] - a[i]);
    if (d.length === 0) return null;
    var m = d.reduce(function (s, x) { return s + x; }, 0) / d.length;
    if (d.length < 2) return { mean: m, half: null };
    var v = d.reduce(function (s, x) { return s + (x - m) * (x - m); }, 0) / (d.length - 1);
    return { mean: m, half: data.t975[d.length - 2] * Math.sqrt(v / d.length) };
  }
  function avg(xs) { var v = xs.filter(function (x) { return x !== null; }); return v.length ? v.reduce(function (s, x) { return s + x; }, 0) / v.length : null; }
  function pct(x) { return x === null ? 'n/a' : (100 * x).toFixed(1); }
  function signed(x) { return (x > 0 ? '+' : x < 0 ? '\\u2212' : '') + Math.abs(100 * x).toFixed(2); }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; }
  function row(tbody, name, a, b, scale) {
    var tr = el('tr'); var d = paired(a, b);
    tr.appendChild(el('td', name)); tr.appendChild(el('td', pct(avg(a)))); tr.appendChild(el('td', pct(avg(b))));
    tr.appendChild(el('td', d === null ? 'n/a' : signed(d.mean) + (d.half === null ? '' : ' \\u00b1 ' + (100 * d.half).toFixed(2))));
    var td = el('td'); td.style.textAlign = 'left';
    if (d !== null) { var bar = el('span', null, 'bar ' + (d.mean < 0 ? 'neg' : 'pos')); bar.style.width = Math.min(160, Math.abs(100 * d.mean) * scale).toFixed(1) + 'px'; td.appendChild(bar); }
    tr.appendChild(td); tbody.appendChild(tr);
    return d;
  }
  function render() {
    var A = cell(selA.value), B = cell(selB.value);
    while (out.firstChild) out.removeChild(out.firstChild);
    if (!A || !B) return;
    out.appendChild(el('p', 'A: ' + A.title + '. B: ' + B.title + '.'));
    var all = [];
    data.dimensions.forEach(function (dim) {
      var ga = A.groups[dim.key] || {}, gb = B.groups[dim.key] || {};
      Object.keys(ga).forEach(function (g) { if (gb[g]) { var d = paired(ga[g], gb[g]); if (d) all.push(Math.abs(d.mean)); } });
    });
    var top = Math.max.apply(null, all.concat([paired(A.yield, B.yield) ? Math.abs(paired(A.yield, B.yield).mean) : 0, 1e-4]));
    var scale = 160 / (100 * top);
    var table = el('table', null, 'cell-diff-table'); var head = el('thead'); var hr = el('tr');
    ['group', 'yield A %', 'yield B %', 'B \\u2212 A (points, 95 % CI)', ''].forEach(function (h) { hr.appendChild(el('th', h)); });
    head.appendChild(hr); table.appendChild(head);
    var body = el('tbody'); row(body, 'Everyone', A.yield, B.yield, scale); table.appendChild(body);
    data.dimensions.forEach(function (dim) {
      var ga = A.groups[dim.key] || {}, gb = B.groups[dim.key] || {};
      var keys = Object.keys(ga).filter(function (g) { return gb[g]; });
      if (!keys.length) return;
      var tb = el('tbody'); var h = el('tr'); var th = el('th', dim.name); th.colSpan = 5; th.style.textAlign = 'left'; h.appendChild(th); tb.appendChild(h);
      keys.forEach(function (g) { var tr = row(tb, g, ga[g], gb[g], scale); tb.lastChild.setAttribute('data-group', dim.key + ':' + g); });
      table.appendChild(tb);
    });
    var wrap = el('div', null, 'scroll'); wrap.appendChild(table); out.appendChild(wrap);
  }
  selA.addEventListener('change', render); selB.addEventListener('change', render); render();
})();`;

function hourCurves(r: SweepResult): string {
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const pick =
    r.cells.length <= 3
      ? r.cells
      : [...r.cells]
          .sort((a, b) => a.yield.mean - b.yield.mean)
          .filter((_, i, xs) => i === 0 || i === xs.length - 1 || i === Math.floor(xs.length / 2));
  const series = pick.map((c) => {
    const byHour = new Map((c.groups.local_hour ?? []).map((g) => [g.group, g.yield]));
    return {
      name: `#${c.index} (${formatNumber(100 * c.yield.mean)} %)`,
      points: hours.map((h) => chartPoint(byHour.get(h))),
    };
  });
  return (
    ciChart('Yield (%) by local hour of day, 95 % CI whiskers', hours, series) +
    (r.cells.length > 3 ? '<p>The lowest-, median- and highest-yield cells.</p>' : '')
  );
}

const CW = 900;
const CH = 300;
const CPAD = { l: 60, r: 20, t: 16, b: 40 };
const PALETTE = [
  '#2f6fdf',
  '#e0803a',
  '#2a9d6f',
  '#9b59b6',
  '#c0392b',
  '#16a2b8',
  '#8c6d31',
  '#d6336c',
  '#495057',
  '#74b816',
  '#5f3dc4',
  '#e8590c',
];

/**
 * Lines with confidence whiskers over categories, on an axis zoomed to the data (yields differ by points,
 * not tens of points: an axis from 0 would flatten them). Legend below the plot, one entry per line.
 */
function ciChart(
  title: string,
  labels: readonly string[],
  series: readonly { name: string; points: readonly { mean: number; low: number; high: number }[] }[],
): string {
  const lows = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.mean)).map((p) => p.low));
  const highs = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.mean)).map((p) => p.high));
  let lo = Math.min(...lows);
  let hi = Math.max(...highs);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 100;
  }
  const span = Math.max(0.5, hi - lo);
  lo = Math.max(0, lo - span * 0.08);
  hi = Math.min(100, hi + span * 0.08);
  if (hi <= lo) hi = lo + 1;
  const n = Math.max(1, labels.length - 1);
  const inset = 30;
  const x = (i: number) =>
    CPAD.l + inset + (labels.length === 1 ? (CW - CPAD.l - CPAD.r - 2 * inset) / 2 : ((CW - CPAD.l - CPAD.r - 2 * inset) * i) / n);
  const y = (v: number) => CH - CPAD.b - ((CH - CPAD.t - CPAD.b) * (v - lo)) / (hi - lo);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = lo + (hi - lo) * f;
      return `<line x1="${CPAD.l}" x2="${CW - CPAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eef"/><text x="${CPAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(span < 5 ? 2 : 1)}</text>`;
    })
    .join('');
  const ticks = labels.map((l, i) => `<text x="${x(i).toFixed(1)}" y="${CH - CPAD.b + 16}" text-anchor="middle">${esc(l)}</text>`).join('');
  const offset = (k: number) => (series.length > 1 ? (k - (series.length - 1) / 2) * 3 : 0);
  const body = series
    .map((s, k) => {
      const colour = PALETTE[k % PALETTE.length]!;
      const pts = s.points
        .map((p, i) => (Number.isFinite(p.mean) ? `${(x(i) + offset(k)).toFixed(1)},${y(p.mean).toFixed(1)}` : ''))
        .filter((p) => p !== '');
      const whiskers = s.points
        .map((p, i) =>
          Number.isFinite(p.mean) && p.high > p.low
            ? `<line x1="${(x(i) + offset(k)).toFixed(1)}" x2="${(x(i) + offset(k)).toFixed(1)}" y1="${y(p.low).toFixed(1)}" y2="${y(p.high).toFixed(1)}" stroke="${colour}" stroke-opacity="0.55"/>`
            : '',
        )
        .join('');
      const dots = s.points
        .map((p, i) =>
          Number.isFinite(p.mean)
            ? `<circle cx="${(x(i) + offset(k)).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="3" fill="${colour}"><title>${esc(s.name)} · ${esc(labels[i] ?? '')}: ${p.mean.toFixed(2)} (95 % CI ${p.low.toFixed(2)}–${p.high.toFixed(2)})</title></circle>`
            : '',
        )
        .join('');
      return `<polyline data-series="${esc(s.name)}" fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>${whiskers}${dots}`;
    })
    .join('');
  const legendH = series.length * 16 + 8;
  const legend = series
    .map((s, k) => `<text x="${CPAD.l}" y="${CH + 12 + k * 16}" style="fill:${PALETTE[k % PALETTE.length]}">■ ${esc(s.name)}</text>`)
    .join('');
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${CW} ${CH + legendH}" width="100%"><text class="chart-title" x="${CPAD.l}" y="${CH - 6}">${esc(title)}</text>${grid}${ticks}${body}${legend}</svg>`;
}
