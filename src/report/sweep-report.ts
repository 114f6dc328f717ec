/**
 * The sweep report: every table as CSV, summary.json, and report.html with
 * yield curves against each swept parameter and bias charts. Figures come
 * from the sweep results model (src/sweep/results.ts); nothing is computed
 * here beyond choosing what to draw.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cellTable, groupTable, replicaTable, ruleEffects, type CellResult, type SweepResult } from '../sweep/index.js';
import type { Dimension } from '../sweep/index.js';
import type { Estimate } from '../sweep/index.js';
import { writeCsv } from './csv.js';
import { barChart, formatNumber, page, table } from './html.js';

const esc = (x: string) => x.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
import { writeJson } from './json.js';

const columnsOf = (rows: readonly Record<string, unknown>[]): string[] => [...new Set(rows.flatMap((r) => Object.keys(r)))];

function cellsForCsv(r: SweepResult): Record<string, unknown>[] {
  // CSV cells are text: objects (reaction weights, capture hours) as JSON.
  return cellTable(r).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v ?? ''])));
}

/** Version of a sweep's summary.json. */
export const SWEEP_SUMMARY_FORMAT = 'fleetsim-sweep-summary/1';

/** Writes summary.json, cells.csv, by_group.csv, replicas.csv and report.html to dir; returns their paths. */
export async function writeSweepReport(r: SweepResult, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = ['summary.json', 'cells.csv', 'by_group.csv', 'replicas.csv', 'report.html'].map((f) => join(dir, f));
  await writeJson(files[0]!, { format: SWEEP_SUMMARY_FORMAT, ...r, cells: r.cells.map(({ replicas: _r, ...c }) => c), table: cellTable(r), rule_effects: ruleEffects(r) });
  const cells = cellsForCsv(r);
  await writeCsv(files[1]!, columnsOf(cells) as never, cells);
  const groups = groupTable(r);
  await writeCsv(files[2]!, columnsOf(groups) as never, groups);
  const replicas = replicaTable(r);
  await writeCsv(files[3]!, columnsOf(replicas) as never, replicas);
  await writeFile(files[4]!, sweepHtml(r));
  return files;
}

const pm = (e: Estimate, scale = 1, digits = 2) =>
  Number.isFinite(e.mean) ? `${(e.mean * scale).toFixed(digits)}${e.ci95 === null ? '' : ` ± ${(e.ci95 * scale).toFixed(digits)}`}` : 'n/a';

const BIAS_DIMENSIONS: readonly Dimension[] = ['department', 'role', 'timezone', 'local_hour', 'utc_hour', 'activity'];

export function sweepHtml(r: SweepResult): string {
  const axes = r.axes.map((a) => a.path);
  const sections = [];
  sections.push({
    title: 'Cells',
    html:
      `<style>td{white-space:nowrap}</style><p>Mean ± half-width of the 95 % confidence interval over ${r.replicas} replica${r.replicas === 1 ? '' : 's'} ` +
      `(mean ± t(0.975, n−1)·sd/√n; the same replica seeds in every cell, so differences between cells are not seed noise). ` +
      `Yield = events captured ÷ events produced during work.</p>` +
      table(
        ['cell', ...axes, 'yield %', 'captured active h / employee', 'exempt %', 'pauses / employee-day'],
        r.cells.map((c) => [`#${c.index}`, ...axes.map((a) => c.labels[a] ?? ''), pm(c.yield, 100), pm(c.captured_active_hours_per_employee), pm(c.exempt_share, 100, 1), pm(c.pauses_per_employee_day)]),
      ),
  });
  if (r.mode === 'fast') {
    sections.push({
      title: 'Representativeness',
      html:
        `<p>Total variation distance (TVD) between the mix of captured events and the mix of all events the workforce produced, ` +
        `by dimension: 0 = the captured data has the workforce's mix, 1 = disjoint. Mean ± 95 % CI over replicas.</p>` +
        table(['cell', ...BIAS_DIMENSIONS.map((d) => `TVD ${d.replace('_', ' ')}`)], r.cells.map((c) => [`#${c.index}`, ...BIAS_DIMENSIONS.map((d) => (c.tvd[d] ? pm(c.tvd[d]!, 1, 4) : 'n/a'))])),
    });
  }
  for (const [k, axis] of r.axes.entries()) {
    sections.push({ title: `Yield against ${axis.path}`, html: yieldCurves(r, k) });
  }
  if (r.mode === 'fast' && r.cells.length > 0) {
    sections.push({
      title: 'Bias: how far the captured mix is from the workforce',
      html: BIAS_DIMENSIONS.map((d) => barChart(`TVD by ${d}, per cell`, r.cells.map((c) => ({ label: `#${c.index}`, value: c.tvd[d]?.mean ?? 0 })))).join('') + cellLegend(r),
    });
    const worst = [...r.cells].sort((a, b) => a.yield.mean - b.yield.mean)[0]!;
    sections.push({
      title: `Who is under-represented in cell #${worst.index} (lowest yield)`,
      html:
        `<p>Green: the group is a larger share of the captured (training) data than of the workforce's activity; red: a smaller share.</p>` +
        (['department', 'role', 'timezone', 'local_hour', 'activity'] as const).map((d) => representation(worst, d)).join(''),
    });
    sections.push({ title: 'Yield by hour of day (local), every cell', html: hourCurves(r) });
  }
  return page(
    `fleetsim sweep ${r.name}`,
    `${r.mode} mode · ${r.cells.length} cells × ${r.replicas} replicas · ${r.employees.toLocaleString('en-US')} employees × ${r.days} day${r.days === 1 ? '' : 's'} · seed ${r.seed} · ${(r.wallMs / 1000).toFixed(1)} s on ${r.workers} worker${r.workers === 1 ? '' : 's'}`,
    sections,
  );
}

function cellLegend(r: SweepResult): string {
  return table(['cell', ...r.axes.map((a) => a.path)], r.cells.map((c) => [`#${c.index}`, ...r.axes.map((a) => c.labels[a.path] ?? '')]));
}

/** Yield against one axis: one line per combination of the other axes (their mean when there are more than 5). */
function yieldCurves(r: SweepResult, k: number): string {
  const axis = r.axes[k]!;
  const others = r.axes.filter((_, j) => j !== k);
  const groups = new Map<string, CellResult[]>();
  for (const c of r.cells) {
    const key = others.map((a) => `${a.path.split('.').pop()}=${c.labels[a.path]}`).join(', ') || 'yield';
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  const at = (cs: readonly CellResult[], label: string) => cs.filter((c) => c.labels[axis.path] === label);
  // Every combination of the other axes is a line, with its 95 % CI as whiskers.
  const series = [...groups.entries()].map(([name, cs]) => ({
    name,
    points: axis.labels.map((l) => { const c = at(cs, l)[0]; return { mean: 100 * (c?.yield.mean ?? Number.NaN), ci: 100 * (c?.yield.ci95 ?? 0) }; }),
  }));
  const rows = [...groups.entries()].flatMap(([name, cs]) => axis.labels.map((l) => { const c = at(cs, l)[0]; return [name, l, c ? pm(c.yield, 100) : 'n/a']; }));
  return ciChart(`Yield (%) against ${axis.path}, 95 % CI whiskers`, axis.labels, series) + table(['other axes', axis.path, 'yield % (95 % CI)'], rows);
}

function representation(c: CellResult, d: Dimension): string {
  const gs = c.groups[d] ?? [];
  return divergingBars(
    `${d.replace('_', ' ')}: captured share − produced share (percentage points)`,
    gs.map((g) => ({ label: g.group, value: 100 * (g.captured_share.mean - g.produced_share.mean) })),
  );
}

function hourCurves(r: SweepResult): string {
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const pick = r.cells.length <= 5 ? r.cells : [...r.cells].sort((a, b) => a.yield.mean - b.yield.mean).filter((_, i, xs) => i === 0 || i === xs.length - 1 || i === Math.floor(xs.length / 2));
  const series = pick.map((c) => {
    const byHour = new Map((c.groups.local_hour ?? []).map((g) => [g.group, g.yield]));
    return { name: `#${c.index} (${formatNumber(100 * c.yield.mean)} %)`, points: hours.map((h) => { const e = byHour.get(h); return { mean: e ? 100 * e.mean : Number.NaN, ci: e?.ci95 ? 100 * e.ci95 : 0 }; }) };
  });
  return ciChart('Yield (%) by local hour of day, 95 % CI whiskers', hours, series) + (r.cells.length > 5 ? '<p>The lowest-, median- and highest-yield cells.</p>' : '');
}

/** Bars above and below a zero line (over- and under-representation). */
function divergingBars(title: string, bars: readonly { label: string; value: number }[]): string {
  const W = 900;
  const H = 220;
  const pad = { l: 60, r: 20, t: 16, b: 40 };
  const m = Math.max(0.01, ...bars.map((b) => Math.abs(b.value)));
  const mid = pad.t + (H - pad.t - pad.b) / 2;
  const scale = (H - pad.t - pad.b) / 2 / m;
  const bw = (W - pad.l - pad.r) / Math.max(1, bars.length);
  const body = bars.map((b, i) => {
    const h = Math.abs(b.value) * scale;
    const x = pad.l + i * bw + bw * 0.15;
    const colour = b.value < 0 ? '#c0392b' : '#2a9d6f';
    return `<rect x="${x.toFixed(1)}" y="${(b.value < 0 ? mid : mid - h).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${colour}"><title>${esc(b.label)}: ${b.value >= 0 ? '+' : ''}${b.value.toFixed(3)} points</title></rect>` +
      `<text x="${(x + bw * 0.35).toFixed(1)}" y="${H - pad.b + 16}" text-anchor="middle">${esc(b.label)}</text>`;
  }).join('');
  const axis = [m, 0, -m].map((v) => `<line x1="${pad.l}" x2="${W - pad.r}" y1="${(mid - v * scale).toFixed(1)}" y2="${(mid - v * scale).toFixed(1)}" stroke="${v === 0 ? '#99a' : '#eef'}"/><text x="${pad.l - 6}" y="${(mid - v * scale + 4).toFixed(1)}" text-anchor="end">${v > 0 ? '+' : ''}${v.toFixed(2)}</text>`).join('');
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="100%"><text class="chart-title" x="${pad.l}" y="${H - 4}">${esc(title)}</text>${axis}${body}</svg>`;
}

const CW = 900;
const CH = 300;
const CPAD = { l: 60, r: 20, t: 16, b: 40 };
const PALETTE = ['#2f6fdf', '#e0803a', '#2a9d6f', '#9b59b6', '#c0392b', '#16a2b8', '#8c6d31', '#d6336c', '#495057', '#74b816', '#5f3dc4', '#e8590c'];

/**
 * Lines with confidence whiskers over categories, on an axis zoomed to the data (yields differ by points,
 * not tens of points: an axis from 0 would flatten them). Legend below the plot, one entry per line.
 */
function ciChart(title: string, labels: readonly string[], series: readonly { name: string; points: readonly { mean: number; ci: number }[] }[]): string {
  const lows = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.mean)).map((p) => p.mean - p.ci));
  const highs = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.mean)).map((p) => p.mean + p.ci));
  let lo = Math.min(...lows);
  let hi = Math.max(...highs);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = 0; hi = 100; }
  const span = Math.max(0.5, hi - lo);
  lo = Math.max(0, lo - span * 0.08);
  hi = Math.min(100, hi + span * 0.08);
  if (hi <= lo) hi = lo + 1;
  const n = Math.max(1, labels.length - 1);
  const inset = 30;
  const x = (i: number) => CPAD.l + inset + (labels.length === 1 ? (CW - CPAD.l - CPAD.r - 2 * inset) / 2 : ((CW - CPAD.l - CPAD.r - 2 * inset) * i) / n);
  const y = (v: number) => CH - CPAD.b - ((CH - CPAD.t - CPAD.b) * (v - lo)) / (hi - lo);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + (hi - lo) * f;
    return `<line x1="${CPAD.l}" x2="${CW - CPAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eef"/><text x="${CPAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(span < 5 ? 2 : 1)}</text>`;
  }).join('');
  const ticks = labels.map((l, i) => `<text x="${x(i).toFixed(1)}" y="${CH - CPAD.b + 16}" text-anchor="middle">${esc(l)}</text>`).join('');
  const offset = (k: number) => (series.length > 1 ? (k - (series.length - 1) / 2) * 3 : 0);
  const body = series.map((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!;
    const pts = s.points.map((p, i) => (Number.isFinite(p.mean) ? `${(x(i) + offset(k)).toFixed(1)},${y(p.mean).toFixed(1)}` : '')).filter((p) => p !== '');
    const whiskers = s.points.map((p, i) => (Number.isFinite(p.mean) && p.ci > 0
      ? `<line x1="${(x(i) + offset(k)).toFixed(1)}" x2="${(x(i) + offset(k)).toFixed(1)}" y1="${y(p.mean - p.ci).toFixed(1)}" y2="${y(p.mean + p.ci).toFixed(1)}" stroke="${colour}" stroke-opacity="0.55"/>`
      : '')).join('');
    const dots = s.points.map((p, i) => (Number.isFinite(p.mean) ? `<circle cx="${(x(i) + offset(k)).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="3" fill="${colour}"><title>${esc(s.name)} · ${esc(labels[i] ?? '')}: ${p.mean.toFixed(2)} ± ${p.ci.toFixed(2)}</title></circle>` : '')).join('');
    return `<polyline data-series="${esc(s.name)}" fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>${whiskers}${dots}`;
  }).join('');
  const legendH = series.length * 16 + 8;
  const legend = series.map((s, k) => `<text x="${CPAD.l}" y="${CH + 12 + k * 16}" style="fill:${PALETTE[k % PALETTE.length]}">■ ${esc(s.name)}</text>`).join('');
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${CW} ${CH + legendH}" width="100%"><text class="chart-title" x="${CPAD.l}" y="${CH - 6}">${esc(title)}</text>${grid}${ticks}${body}${legend}</svg>`;
}
